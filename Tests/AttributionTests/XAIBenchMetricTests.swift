import Foundation
import Models
import Tensor
import Testing

@testable import Attribution

/// Faithfulness, monotonicity, infidelity and ROAR on hand-computed tiny cases.
@Suite struct XAIBenchMetricTests {
  /// d = 3, one row with v(N) = 5, v(N∖{0}) = 1, v(N∖{1}) = 3, v(N∖{2}) = 5: the drops are
  /// Δ = (4, 2, 0). Masks: N = 7, N∖{0} = 6, N∖{1} = 5, N∖{2} = 3.
  static func dropTable() -> CoalitionValues {
    var v = [Double](repeating: 0, count: 8)
    v[7] = 5
    v[6] = 1
    v[5] = 3
    v[3] = 5
    return CoalitionValues(rows: 1, features: 3, values: v)
  }

  static func attribution(_ values: [Double], features: Int = 3) -> FeatureAttribution {
    FeatureAttribution(rows: values.count / features, outputs: 1, features: features, values: values, method: "test")
  }

  /// corr(|φ|, Δ): (2, 1, 0) → 1; (−2, 1, 0) → 1 (absolute values); (0, 1, 2) → −1; constant → 0;
  /// (1, 0, 0) → cov 2 / √(⅔·8) = √3/2.
  @Test func faithfulnessHandCase() throws {
    let v = Self.dropTable()
    #expect(Swift.abs(try Faithfulness.evaluate(Self.attribution([2, 1, 0]), values: v) - 1) < 1e-12)
    #expect(Swift.abs(try Faithfulness.evaluate(Self.attribution([-2, 1, 0]), values: v) - 1) < 1e-12)
    #expect(Swift.abs(try Faithfulness.evaluate(Self.attribution([0, 1, 2]), values: v) + 1) < 1e-12)
    #expect(try Faithfulness.evaluate(Self.attribution([3, 3, 3]), values: v) == 0)
    #expect(Swift.abs(try Faithfulness.evaluate(Self.attribution([1, 0, 0]), values: v) - 3.0.squareRoot() / 2) < 1e-12)
    #expect(throws: AttributionError.self) { try Faithfulness.evaluate(Self.attribution([1, 0, 0, 1], features: 4), values: v) }
  }

  /// d = 3, two rows. Row 0: v(N) = 10, v({2}) = 9, v({1,2}) = 7, v({0}) = 5, v({0,1}) = 6.
  /// Row 1: v(N) = 0, so y₀ = mean v(N) = 5 for both rows.
  /// Row 0 with φ = (3, 2, 1): order 2, 1, 0; y = 5 → 9 → 7 → 10, δ = (4, 2, 3): pairs 2 ≥ 4 no,
  /// 3 ≥ 2 yes → ½. With φ = (1, 2, 3): order 0, 1, 2; y = 5 → 5 → 6 → 10, δ = (0, 1, 4) → 1.
  /// Row 1 (all values 0): δ = (5, 0, 0) → pairs no, yes → ½ whatever φ.
  @Test func monotonicityHandCase() throws {
    var v = [Double](repeating: 0, count: 16)
    v[7] = 10
    v[4] = 9
    v[6] = 7
    v[1] = 5
    v[3] = 6
    let table = CoalitionValues(rows: 2, features: 3, values: v)
    #expect(try Monotonicity.evaluate(Self.attribution([3, 2, 1, 1, 1, 1]), values: table) == (0.5 + 0.5) / 2)
    #expect(try Monotonicity.evaluate(Self.attribution([1, 2, 3, 1, 1, 1]), values: table) == (1 + 0.5) / 2)
    #expect(try Monotonicity.evaluate(Self.attribution([-1, 2, -3, 7, 8, 9]), values: table) == (1 + 0.5) / 2)
  }

  /// φ = (1, 2), I = (1, 0), (0, 1), (1, 1): Iᵀφ = (1, 2, 3). Drops (1, 2, 3) or (2, 4, 6) are
  /// proportional: infidelity 0. Drops (1, 2, 4): β = 17/14, residuals (−3, −6, 5)/14,
  /// mean square 70/(196·3) = 5/42. φ = 0: β = 0, the mean square drop.
  @Test func infidelityHandCase() throws {
    let perturbations: [Double] = [1, 0, 0, 1, 1, 1]
    #expect(try Infidelity.score(attribution: [1, 2], perturbations: perturbations, drops: [1, 2, 3]) < 1e-24)
    #expect(try Infidelity.score(attribution: [1, 2], perturbations: perturbations, drops: [2, 4, 6]) < 1e-24)
    #expect(Swift.abs(try Infidelity.score(attribution: [1, 2], perturbations: perturbations, drops: [1, 2, 4]) - 5.0 / 42.0) < 1e-15)
    #expect(try Infidelity.score(attribution: [0, 0], perturbations: perturbations, drops: [1, 2, 4]) == 7)
  }

  /// For a linear model the gradient w explains every perturbation exactly (infidelity ≈ 0, up
  /// to Float evaluation); weight × input does not, and neither does a random attribution.
  @Test func infidelityOfLinearModel() throws {
    let w: [Float] = [2, -1, 0.5]
    let model = ClosureModel(features: 3, outputs: 1) { rows, n in
      (0..<n).map { r in 1 + (0..<3).reduce(Float(0)) { $0 + w[$1] * rows[3 * r + $1] } }
    }
    let x: [Double] = [1.0, 2.0, -1.5, -0.5, 0.3, 2.2]
    let gradient = FeatureAttribution(rows: 2, outputs: 1, features: 3, values: (0..<6).map { Double(w[$0 % 3]) }, method: "gradient")
    let product = FeatureAttribution(rows: 2, outputs: 1, features: 3, values: (0..<6).map { Double(w[$0 % 3]) * x[$0] }, method: "x·w")
    var rng = RandomGenerator(seed: 9)
    #expect(try Infidelity.evaluate(gradient, model: model, rows: x, rng: &rng) < 1e-9)
    #expect(try Infidelity.evaluate(product, model: model, rows: x, rng: &rng) > 0.01)
    let random = RandomAttribution.explain(rows: 2, features: 3, rng: &rng)
    #expect(try Infidelity.evaluate(random, model: model, rows: x, rng: &rng) > 0.01)
  }

  /// Perturbations drawn once and shared give the same score as drawing them for one
  /// attribution from the same generator state; the perturbed points lie in [0, 1]ᵈ.
  @Test func sharedPerturbationsMatchTheConvenienceCall() throws {
    let model = ClosureModel(features: 2, outputs: 1) { rows, n in (0..<n).map { rows[2 * $0] * rows[2 * $0 + 1] } }
    let x: [Double] = [0.5, 2, -1, 1.5]
    let phi = FeatureAttribution(rows: 2, outputs: 1, features: 2, values: [1, 0.25, 1.5, -1], method: "p")
    var a = RandomGenerator(seed: 3)
    var b = RandomGenerator(seed: 3)
    let shared = try Infidelity.perturbations(model: model, rows: x, count: 50, rng: &a)
    #expect(shared.shifts.count == 2 * 50 * 2 && shared.drops.count == 2 * 50)
    for r in 0..<2 {
      for p in 0..<50 {
        for j in 0..<2 {
          let perturbed = x[2 * r + j] - shared.shifts[(r * 50 + p) * 2 + j]
          #expect(perturbed >= -1e-12 && perturbed <= 1 + 1e-12)
        }
      }
    }
    let direct = try Infidelity.evaluate(phi, model: model, rows: x, perturbations: 50, rng: &b)
    #expect(try Infidelity.evaluate(phi, perturbations: shared) == direct)
    #expect(direct > 0)
  }

  /// Retraining that always predicts 0: every loss is the mean |y| over the test rows, so the
  /// area is that mean times the cutoff span (0.9). At cutoff 0 the features reach the trainer
  /// untouched; at 0.5 with d = 2 the top feature of each row is redrawn and the other is kept.
  @Test func roarAreaAndRemoval() throws {
    let g = try MultivariateGaussian.equicorrelated(dimension: 2, rho: 0)
    let x: [Double] = [1, 10, 2, 20, 3, 30, 4, 40, 5, 50]
    let y: [Double] = [0, 0, 0, 0, -2]
    let phi = FeatureAttribution(rows: 5, outputs: 1, features: 2, values: [5, 1, 5, 1, 5, 1, 1, 5, 1, 5], method: "p")
    var seen: [[Double]] = []
    var rng = RandomGenerator(seed: 1)
    let result = try RemoveAndRetrain.evaluate(phi, rows: x, targets: y, distribution: g, rng: &rng) { xTrain, _, xTest in
      seen.append(xTrain + xTest)
      return [Double](repeating: 0, count: xTest.count / 2)
    }
    #expect(result.losses == [Double](repeating: 2, count: 6))
    #expect(Swift.abs(result.area - 1.8) < 1e-12)
    #expect(seen[0] == x)
    // Cutoffs 0.1 → k = 0 (unchanged); 0.5 → k = 1: rows 0–2 lose x₀, rows 3–4 lose x₁.
    #expect(seen[1] == x)
    let half = seen[3]
    for r in 0..<3 { #expect(half[2 * r] != x[2 * r] && half[2 * r + 1] == x[2 * r + 1]) }
    for r in 3..<5 { #expect(half[2 * r] == x[2 * r] && half[2 * r + 1] != x[2 * r + 1]) }
  }

  /// y = x₀ with independent features, least-squares retraining: removing the truly important
  /// feature first (a correct attribution) hurts the retrained model more than removing the
  /// irrelevant one, so its ROAR area is larger.
  @Test func roarPrefersTheCorrectRanking() throws {
    let g = try MultivariateGaussian.equicorrelated(dimension: 2, rho: 0)
    var rng = RandomGenerator(seed: 21)
    let n = 400
    let x = g.sample(n, rng: &rng)
    let y = (0..<n).map { x[2 * $0] }
    let right = FeatureAttribution(rows: n, outputs: 1, features: 2, values: (0..<(2 * n)).map { $0 % 2 == 0 ? 1 : 0.1 }, method: "right")
    let wrong = FeatureAttribution(rows: n, outputs: 1, features: 2, values: (0..<(2 * n)).map { $0 % 2 == 0 ? 0.1 : 1 }, method: "wrong")
    func leastSquares(_ xt: [Double], _ yt: [Double], _ xs: [Double]) -> [Double] {
      // Normal equations for y ≈ a·x₀ + b·x₁ (the features have mean 0).
      var s00 = 0.0, s01 = 0.0, s11 = 0.0, t0 = 0.0, t1 = 0.0
      for r in 0..<yt.count {
        s00 += xt[2 * r] * xt[2 * r]; s01 += xt[2 * r] * xt[2 * r + 1]; s11 += xt[2 * r + 1] * xt[2 * r + 1]
        t0 += xt[2 * r] * yt[r]; t1 += xt[2 * r + 1] * yt[r]
      }
      let det = s00 * s11 - s01 * s01
      let a = (t0 * s11 - t1 * s01) / det
      let b = (t1 * s00 - t0 * s01) / det
      return (0..<(xs.count / 2)).map { a * xs[2 * $0] + b * xs[2 * $0 + 1] }
    }
    let good = try RemoveAndRetrain.evaluate(right, rows: x, targets: y, distribution: g, rng: &rng, retrain: leastSquares)
    let bad = try RemoveAndRetrain.evaluate(wrong, rows: x, targets: y, distribution: g, rng: &rng, retrain: leastSquares)
    #expect(good.losses[0] < 1e-9 && bad.losses[0] < 1e-9)
    #expect(good.area > bad.area + 0.2)
  }
}
