import Foundation

/// The noiseless target functions of XAI-Bench's Gaussian regression datasets (Liu et al.
/// 2021, `synthetic_datasets/synthetic_gaussian.py`), before noise and standardisation.
public enum SyntheticTarget: Sendable, Equatable {
  /// g(x) = Σⱼ wⱼ·xⱼ; XAI-Bench uses w = (4, 3, 2, 1, 0) for d = 5.
  case linear(weights: [Double])
  /// g(x) = sin(x₀) + |x₁| + x₂² + exp(−x₃) (Chen et al. 2018, "Learning to Explain");
  /// features from x₄ on do not enter.
  case nonLinearAdditive
  /// g(x) = p₀(x₀) + p₁(x₁) + p₂(x₂), step functions; features from x₃ on do not enter:
  ///
  /// - p₀(t) = −1 for t < 0, 1 otherwise;
  /// - p₁(t) = −2 for t < −½, 0 for −½ ≤ t < 0, 1 for 0 ≤ t < ½, 2 for t ≥ ½;
  /// - p₂(t) = ⌊2·cos(πt)⌋ truncated toward zero, with 0 replaced by 1 — so 1 where
  ///   cos(πt) > −½ and −1 where cos(πt) ≤ −½ (±2 only where cos(πt) = ±1 exactly).
  ///
  /// p₁ is the function XAI-Bench's code computes, not the one it evidently meant: its second
  /// condition `(x >= 0.5) * (x < 0)` never holds, so `numpy.piecewise` leaves 0 on [−½, 0)
  /// where −1 was intended. We keep the benchmark's behaviour so results stay comparable.
  case piecewiseConstant

  /// The features the function needs at least.
  public var minimumDimension: Int {
    switch self {
    case .linear(let w): w.count
    case .nonLinearAdditive: 4
    case .piecewiseConstant: 3
    }
  }

  /// g(x) for one row of at least ``minimumDimension`` values.
  public func value(_ x: ArraySlice<Double>) -> Double {
    let s = x.startIndex
    switch self {
    case .linear(let w):
      var total = 0.0
      for j in 0..<w.count { total += w[j] * x[s + j] }
      return total
    case .nonLinearAdditive:
      return Foundation.sin(x[s]) + Swift.abs(x[s + 1]) + x[s + 2] * x[s + 2] + Foundation.exp(-x[s + 3])
    case .piecewiseConstant:
      let p0: Double = x[s] < 0 ? -1 : 1
      let t = x[s + 1]
      let p1: Double = t < -0.5 ? -2 : (t < 0 ? 0 : (t < 0.5 ? 1 : 2))
      var p2 = (2 * Foundation.cos(Double.pi * x[s + 2])).rounded(.towardZero)
      if p2 == 0 { p2 = 1 }
      return p0 + p1 + p2
    }
  }
}
