import Foundation

/// A machine-checkable proof of OPT = min E for one error program: the instance (polynomial,
/// point, error kind, groups), a dual-feasible λ and a primal attribution α with
/// D(λ) = E(α) = `optimum`. Weak duality makes that equality a proof that both are optimal;
/// ``CertificateVerifier`` re-checks it from scratch in exact arithmetic, without any LP solver.
///
/// JSON, with every number an exact rational string. λ has 2^d entries (index = bit mask of
/// the subset, bit i ⇔ feature x_{i+1}), stored compactly: `lambda.signs` has one character
/// per subset — `+` for 1, `-` for −1, `0` for 0, `*` for a value listed in `lambda.values`
/// under the subset's index.
public struct DualCertificate: Codable, Sendable, Equatable {
  public static let formatName = "sannkit.sann-error-certificate/1"

  public struct Lambda: Codable, Sendable, Equatable {
    public var signs: String
    public var values: [String: Rational]
  }

  public var format: String
  public var polynomial: String
  public var dimension: Int
  public var point: [Rational]
  public var error: ErrorKind
  /// Groups as 1-based features; absent for a feature-wise attribution.
  public var groups: [[Int]]?
  public var optimum: Rational
  public var alpha: [Rational]
  public var lambda: Lambda

  public init(program: ErrorProgram, solution: DualSolution) {
    format = Self.formatName
    polynomial = program.polynomial.description
    dimension = program.dimension
    point = program.point
    error = program.kind
    let singletons = program.groups == (0..<program.dimension).map { [$0] }
    groups = singletons ? nil : program.groups.map { $0.map { $0 + 1 } }
    optimum = solution.optimum
    alpha = solution.alpha
    var signs = ""
    signs.reserveCapacity(solution.lambda.count)
    var values: [String: Rational] = [:]
    for (s, l) in solution.lambda.enumerated() {
      if l == .one { signs.append("+") } else if l == -Rational.one { signs.append("-") } else if l.isZero { signs.append("0") } else {
        signs.append("*")
        values["\(s)"] = l
      }
    }
    lambda = Lambda(signs: signs, values: values)
  }

  /// The JSON text (sorted keys).
  public func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    return try encoder.encode(self)
  }

  public static func decode(_ data: Data) throws -> DualCertificate {
    try JSONDecoder().decode(DualCertificate.self, from: data)
  }
}
