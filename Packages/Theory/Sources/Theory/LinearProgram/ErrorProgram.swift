/// Which error of an explanation is measured (Sum-of-Parts, You et al., ICML 2025, §2):
/// insertion, b_S = p(x_S) − p(0), or deletion, b_S = p(x) − p(x_¬S).
public enum ErrorKind: String, Sendable, Codable, CaseIterable {
  case insertion, deletion
}

/// The total explanation error of a polynomial over all 2^d subsets as a linear program.
///
/// For an attribution with groups G₁…G_m and scores c (feature-wise: Gᵢ = {i}, c = α), subset
/// S is explained by a_S·c with a_S[j] = [Gⱼ ⊆ S] for insertion and [Gⱼ ∩ S ≠ ∅] for deletion
/// (the same for singletons). The error is E(c) = Σ_S |b_S − a_S·c| and OPT = min_c E(c), the
/// linear program min Σ t_S, t_S ≥ ±(b_S − a_S·c), whose dual is
///
///   D(λ) = max Σ_S λ_S b_S  subject to  Σ_S λ_S a_S = 0,  −1 ≤ λ_S ≤ 1.
///
/// Any feasible λ gives the lower bound D(λ) ≤ OPT (weak duality); a c with E(c) = D(λ)
/// proves both optimal. Subsets are indexed by bit masks: bit i set ⇔ feature i ∈ S.
public struct ErrorProgram: Sendable {
  public let polynomial: Polynomial
  public let point: [Rational]
  public let kind: ErrorKind
  /// The groups (0-based features); singletons for a feature-wise attribution.
  public let groups: [[Int]]

  /// The largest d solved by enumerating every subset.
  public static let maximumFullDimension = 20

  public init(polynomial: Polynomial, point: [Rational]? = nil, kind: ErrorKind, groups: [[Int]]? = nil) {
    self.polynomial = polynomial
    self.point = point ?? Array(repeating: .one, count: polynomial.dimension)
    precondition(self.point.count == polynomial.dimension, "the point has \(self.point.count) coordinates, the polynomial \(polynomial.dimension) features")
    self.kind = kind
    self.groups = groups ?? (0..<polynomial.dimension).map { [$0] }
  }

  public var dimension: Int { polynomial.dimension }
  /// 2^d, saturated at Int.max from d = 63 (no program that enumerates subsets gets near it).
  public var subsetCount: Int { dimension >= Int.bitWidth - 1 ? Int.max : 1 << dimension }

  var groupMasks: [UInt64] { groups.map { $0.reduce(UInt64(0)) { $0 | (1 << UInt64($1)) } } }

  /// Whether group j counts towards subset S.
  @inline(__always)
  func explains(_ groupMask: UInt64, subset: UInt64) -> Bool {
    kind == .insertion ? groupMask & subset == groupMask : groupMask & subset != 0
  }

  /// b_S for every subset, exactly.
  public func targets() -> [Rational] {
    let termMasks = polynomial.terms.map { $0.support.reduce(UInt64(0)) { $0 | (1 << UInt64($1)) } }
    let termValues = polynomial.terms.map { term in term.support.reduce(term.coefficient) { $0 * point[$1] } }
    var result: [Rational] = []
    result.reserveCapacity(subsetCount)
    // b_S is a sum of term values selected by S: cache the distinct selections (few terms).
    var cache: [UInt64: Rational] = [:]
    for s in 0..<UInt64(subsetCount) {
      var selection: UInt64 = 0
      for (t, mask) in termMasks.enumerated() {
        let counts = kind == .insertion ? (mask & s == mask && mask != 0) : (mask & s != 0)
        if counts { selection |= 1 << UInt64(t) }
      }
      if let known = cache[selection] {
        result.append(known)
      } else {
        var sum = Rational.zero
        for t in 0..<termMasks.count where selection & (1 << UInt64(t)) != 0 { sum += termValues[t] }
        cache[selection] = sum
        result.append(sum)
      }
    }
    return result
  }

  /// E(c) = Σ_S |b_S − a_S·c| for group scores c.
  public func error(scores c: [Rational], targets b: [Rational]? = nil) -> Rational {
    error(scores: c, targets: b, groupsOverride: nil)
  }

  /// E(c) with the group masks of `groupsOverride` instead of this program's (an empty list
  /// explains every subset by 0).
  func error(scores c: [Rational], targets b: [Rational]?, groupsOverride: [[Int]]?) -> Rational {
    let masks = groupsOverride.map { $0.map { $0.reduce(UInt64(0)) { $0 | (1 << UInt64($1)) } } } ?? groupMasks
    precondition(c.count == masks.count)
    let b = b ?? targets()
    var total = Rational.zero
    for s in 0..<UInt64(subsetCount) {
      var explained = Rational.zero
      for (j, mask) in masks.enumerated() where explains(mask, subset: s) { explained += c[j] }
      total += (b[Int(s)] - explained).magnitude
    }
    return total
  }
}
