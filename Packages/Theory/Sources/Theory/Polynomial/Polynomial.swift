/// A multilinear polynomial over d features with rational coefficients,
/// p(x) = Σₜ cₜ ∏_{i∈Tₜ} xᵢ (Sum-of-Parts, You et al., ICML 2025, §2).
///
/// Features are numbered from 0 internally and printed from 1 (`x1` is feature 0). Terms
/// with the same support are merged and zero terms dropped.
public struct Polynomial: Sendable, Equatable, Codable, CustomStringConvertible {
  public struct Term: Sendable, Equatable, Codable {
    public var coefficient: Rational
    /// Sorted feature indices, 0-based.
    public var support: [Int]

    public init(coefficient: Rational, support: [Int]) {
      self.coefficient = coefficient
      self.support = support.sorted()
    }
  }

  public let dimension: Int
  public let terms: [Term]

  /// - Precondition: supports lie in 0..<dimension and have no repeated feature.
  public init(dimension: Int, terms: [Term]) {
    precondition(dimension >= 0)
    var merged: [[Int]: Rational] = [:]
    var order: [[Int]] = []
    for term in terms {
      precondition(Set(term.support).count == term.support.count, "a multilinear term repeats a feature")
      precondition(term.support.allSatisfy { $0 >= 0 && $0 < dimension }, "term support \(term.support) outside 0..<\(dimension)")
      if merged[term.support] == nil { order.append(term.support) }
      merged[term.support] = (merged[term.support] ?? .zero) + term.coefficient
    }
    self.dimension = dimension
    self.terms = order.compactMap { support in
      let c = merged[support]!
      return c.isZero ? nil : Term(coefficient: c, support: support)
    }
  }

  /// x1⋯xd.
  public static func monomial(degree d: Int) -> Polynomial {
    Polynomial(dimension: d, terms: [Term(coefficient: 1, support: Array(0..<d))])
  }

  /// The seed's binomial ∏_{i∈S1∪S2} xᵢ + ∏_{j∈S2∪S3} xⱼ with |S1| = a, |S2| = b, |S3| = c,
  /// features numbered S1 first, then S2, then S3.
  public static func binomial(_ a: Int, _ b: Int, _ c: Int) -> Polynomial {
    precondition(a >= 0 && b >= 0 && c >= 0)
    return Polynomial(dimension: a + b + c, terms: [
      Term(coefficient: 1, support: Array(0..<(a + b))),
      Term(coefficient: 1, support: Array(a..<(a + b + c))),
    ])
  }

  /// p at a point.
  public func evaluate(_ x: [Rational]) -> Rational {
    precondition(x.count == dimension)
    return terms.reduce(Rational.zero) { sum, term in
      sum + term.support.reduce(term.coefficient) { $0 * x[$1] }
    }
  }

  /// "2 x1 x2 - x2 x3 x4 + 1/2 x5", the syntax `PolynomialParser` reads.
  public var description: String {
    if terms.isEmpty { return "0" }
    var text = ""
    for (k, term) in terms.enumerated() {
      let negative = term.coefficient.sign < 0
      let magnitude = term.coefficient.magnitude
      text += k == 0 ? (negative ? "-" : "") : (negative ? " - " : " + ")
      let variables = term.support.map { "x\($0 + 1)" }.joined(separator: " ")
      if variables.isEmpty {
        text += magnitude.description
      } else {
        text += magnitude == .one ? variables : "\(magnitude) \(variables)"
      }
    }
    return text
  }
}
