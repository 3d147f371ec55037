import Foundation
import Tensor

/// Order parameters of a ``GeneratedNetwork``: numbers read off its weights that tell apart the
/// algorithms it may implement for ‖x‖₁, and the classification they give.
///
/// Per hidden unit j, with Wⱼ its input weights, bⱼ its bias and vⱼ its output weight:
/// - strength sⱼ = |vⱼ|·‖Wⱼ‖₂, how much the unit moves the output per unit of input; a unit is
///   *active* when sⱼ ≥ 5 % of the largest strength (the others are dead or negligible);
/// - concentration κⱼ = maxᵢ Wⱼᵢ² / Σᵢ Wⱼᵢ² ∈ [1/n, 1]: 1 when the unit reads one input only.
///   An active unit with κⱼ ≥ 0.8 is a *partner* of its strongest input i, on the side
///   sign(Wⱼᵢ). (A random direction has κ ≥ 0.8 with probability 0.59 for n = 2, 0.16 for
///   n = 4, 0.04 for n = 6, so below n ≈ 5 convexity cannot be told apart reliably.)
/// - uniformity uⱼ = (Σᵢ Wⱼᵢ)² / (n·Σᵢ Wⱼᵢ²) ∈ [0, 1]: 1 when all inputs weigh the same; an
///   active non-partner with uⱼ ≥ 0.8 is a *uniform* unit (drawn apart).
///
/// Over the network:
/// - two-sided share D: the inputs with partners on both sides;
/// - one-sided share P: the inputs whose partners (at least one) are all on one side;
/// - concentrated share K: the active units that are partners;
/// - slopes: for x ~ N(0, I) the least-squares linear part of any g(x) has coefficients
///   E[∂g/∂xᵢ] (Stein's lemma), and ‖x‖₁, being even, has none. The partners' slope s_p is the
///   mean over inputs of E[∂/∂xᵢ] of the partners' summed output, Σⱼ vⱼ·E[σ'(Wⱼ·x + bⱼ)]·Wⱼᵢ
///   (E over 2,048 seeded draws, so a network always gets the same numbers), the others' s_o
///   the same for the active units that are not partners. One-sided partners have a slope
///   (2·ReLU(x) = x + |x|: s_p = 1); two-sided pairs cancel their own (s_p ≈ 0). Pudding's
///   remaining units cancel the partners': a network has a *linear term* when |s_p| ≥ 0.1 (not
///   negligible) and −s_o/s_p ≥ 1/2, whether one unit in its linear regime carries it or
///   several share it. (A trained hypernetwork's pudding had s_p = −0.18, s_o = 0.17: partners
///   with negative biases, switched on less than half the time.)
///
/// Classification: with most active units partners (K ≥ 1/2), D ≥ 3/4 → double-sided, and
/// P ≥ 3/4 with a linear term → pudding (its variant the partners' majority side); K < 1/4 →
/// convexity; otherwise none (a mixture, or still forming).
public struct OrderParameters: Equatable, Sendable, Codable {
  public var twoSidedShare: Double
  public var oneSidedShare: Double
  /// s_p and s_o, the partners' and the other active units' mean slope.
  public var partnerSlope: Double
  public var otherSlope: Double
  public var concentratedShare: Double
  /// Active units, out of `hidden`.
  public var activeUnits: Int
  /// The partners' majority side: +1, −1 (0 without partners).
  public var partnerSide: Int
  /// Partners per input, averaged over the inputs.
  public var partnersPerInput: Double

  /// The thresholds of the definitions above.
  public static let activeShare = 0.05
  public static let partnerConcentration = 0.8
  public static let uniformity = 0.8
  public static let slopeThreshold = 0.1
  public static let cancellation = 0.5
  /// The draws the slopes are averaged over.
  public static let slopeSamples = 2048
  public static let decisive = 0.75
  public static let diffuse = 0.25
  public static let structured = 0.5

  /// What one hidden unit does, by the definitions above.
  public enum UnitRole: Equatable, Sendable {
    case partner(input: Int, side: Int)
    /// Active, not a partner, all inputs weighed nearly alike.
    case uniform
    /// Active, neither a partner nor uniform.
    case diffuse
    case inactive
  }

  /// The role of every hidden unit of `network`.
  public static func roles(_ network: GeneratedNetwork) -> [UnitRole] {
    let (n, h) = (network.inputs, network.hidden)
    let squaredNorms = (0..<h).map { j in network.weights(ofUnit: j).reduce(0.0) { $0 + Double($1) * Double($1) } }
    let strength = (0..<h).map { Double(Swift.abs(network.outputWeight[$0])) * squaredNorms[$0].squareRoot() }
    let strongest = strength.max() ?? 0
    return (0..<h).map { j in
      guard strongest > 0, strength[j] >= activeShare * strongest, squaredNorms[j] > 0 else { return .inactive }
      let w = network.weights(ofUnit: j)
      var top = w.startIndex
      for i in w.indices where Swift.abs(w[i]) > Swift.abs(w[top]) { top = i }
      if Double(w[top]) * Double(w[top]) / squaredNorms[j] >= partnerConcentration {
        return .partner(input: top - w.startIndex, side: w[top] > 0 ? 1 : -1)
      }
      let sum = w.reduce(0.0) { $0 + Double($1) }
      if n >= 2 && sum * sum / (Double(n) * squaredNorms[j]) >= uniformity { return .uniform }
      return .diffuse
    }
  }

  public init(_ network: GeneratedNetwork) {
    let n = network.inputs
    var positive = [Int](repeating: 0, count: n)
    var negative = [Int](repeating: 0, count: n)
    var (active, partners) = (0, 0)
    var others: [Int] = []
    let roles = Self.roles(network)
    for (j, role) in roles.enumerated() {
      switch role {
      case let .partner(input, side):
        partners += 1
        if side > 0 { positive[input] += 1 } else { negative[input] += 1 }
      case .uniform, .diffuse: others.append(j)
      case .inactive: break
      }
      if role != .inactive { active += 1 }
    }
    let inputs = Double(Swift.max(n, 1))
    twoSidedShare = Double((0..<n).filter { positive[$0] > 0 && negative[$0] > 0 }.count) / inputs
    oneSidedShare = Double((0..<n).filter { (positive[$0] > 0) != (negative[$0] > 0) }.count) / inputs
    concentratedShare = active > 0 ? Double(partners) / Double(active) : 0
    activeUnits = active
    let (up, down) = (positive.reduce(0, +), negative.reduce(0, +))
    partnerSide = up > down ? 1 : (down > up ? -1 : 0)
    partnersPerInput = Double(partners) / inputs
    let slopes = Self.meanSlopes(network, roles: roles)
    partnerSlope = roles.indices.filter { if case .partner = roles[$0] { true } else { false } }.reduce(0.0) { $0 + slopes[$1]! } / inputs
    otherSlope = others.reduce(0.0) { $0 + slopes[$1]! } / inputs
  }

  /// Σᵢ E[∂/∂xᵢ] of each active unit's output vⱼ·σ(Wⱼ·x + bⱼ) (nil for inactive units), for
  /// the `roles` of ``roles(_:)``.
  static func meanSlopes(_ network: GeneratedNetwork, roles: [UnitRole]) -> [Double?] {
    let n = network.inputs
    var rng = RandomGenerator(seed: 0).stream(23)
    let x = (0..<(slopeSamples * n)).map { _ in rng.nextNormal() }
    return roles.enumerated().map { j, role -> Double? in
      guard role != .inactive else { return nil }
      let w = Array(network.weights(ofUnit: j))
      var slope = 0.0
      for r in 0..<slopeSamples {
        var z = network.hiddenBias[j]
        for i in 0..<n { z += w[i] * x[r * n + i] }
        slope += Double(network.activation.derivative(z))
      }
      return Double(network.outputWeight[j]) * slope / Double(slopeSamples) * w.reduce(0.0) { $0 + Double($1) }
    }
  }

  /// Whether the other units cancel the partners' slope (|s_p| ≥ 0.1, −s_o/s_p ≥ 1/2).
  public var hasLinearTerm: Bool { Swift.abs(partnerSlope) >= Self.slopeThreshold && -otherSlope / partnerSlope >= Self.cancellation }

  /// The algorithm these parameters indicate, or nil for none of the three.
  public var algorithm: GeneratedNetwork.Algorithm? {
    if activeUnits == 0 { return nil }
    if concentratedShare >= Self.structured && twoSidedShare >= Self.decisive { return .doubleSided }
    if concentratedShare >= Self.structured && oneSidedShare >= Self.decisive && hasLinearTerm { return .pudding }
    if concentratedShare < Self.diffuse { return .convexity }
    return nil
  }

  /// The algorithm's name, with pudding's variant: "pudding (+)" computes 2·Σ ReLU(xᵢ) − Σ xᵢ.
  public var label: String {
    guard let algorithm else { return "none" }
    return algorithm == .pudding ? "pudding (\(partnerSide >= 0 ? "+" : "−"))" : algorithm.rawValue
  }
}
