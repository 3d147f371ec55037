import Foundation
import Models
import Tensor
import Testing

@testable import Attribution

/// Ground-truth Shapley values from conditional expectations, and the error metrics against them.
@Suite struct XAIBenchShapleyTests {
  /// The exact conditional value function of a linear f(x) = b + w·x under a Gaussian:
  /// v(S) = f(E[X | X_S = x_S]).
  static func exactLinearValues(_ g: MultivariateGaussian, weights w: [Double], bias: Double, rows x: [Double]) throws -> CoalitionValues {
    let d = g.dimension
    let conditioners = try (0..<(1 << d)).map { mask in try g.conditioner(fixing: (0..<d).filter { mask >> $0 & 1 == 1 }) }
    return CoalitionValues.exact(rows: x.count / d, features: d) { r, mask in
      let m = conditioners[mask].conditionalMean(x[(r * d)..<((r + 1) * d)])
      return bias + zip(w, m).reduce(0) { $0 + $1.0 * $1.1 }
    }
  }

  /// ρ = 0: for the standardised linear target (w·x − m)/s, φᵢ = wᵢ·xᵢ/s exactly (features have
  /// mean 0, so the −m/s offset goes to the base v(∅) = −m/s), and Σφ = f(x) − v(∅).
  @Test func linearModelUnderIndependenceGivesWeightTimesInput() throws {
    let data = try SyntheticDataset(kind: .gaussianLinear, rho: 0, noise: 0)
    var rng = RandomGenerator(seed: 2)
    let sample = data.generate(train: 200, validation: 4, rng: &rng)
    let w: [Double] = [4, 3, 2, 1, 0]
    let s = sample.targetScale
    let values = try Self.exactLinearValues(data.distribution, weights: w.map { $0 / s }, bias: -sample.targetMean / s, rows: sample.xValidation)
    let phi = GroundTruthShapley.attribution(values)
    for r in 0..<4 {
      for i in 0..<5 {
        #expect(Swift.abs(phi[r, 0, i] - w[i] * sample.xValidation[5 * r + i] / s) < 1e-12)
      }
      #expect(Swift.abs(phi.base![r] + sample.targetMean / s) < 1e-12)
      let total = phi.scores(row: r).reduce(0, +)
      #expect(Swift.abs(total - (sample.standardisedTarget(sample.xValidation[(5 * r)..<(5 * r + 5)]) - phi.base![r])) < 1e-12)
    }
  }

  /// d = 2, f(x) = x₀, correlation ρ: v(∅) = 0, v({0}) = x₀, v({1}) = ρx₁, v(N) = x₀, so
  /// φ₀ = ½x₀ + ½(x₀ − ρx₁) = x₀ − ρx₁/2 and φ₁ = ρx₁/2: the unused feature gets credit.
  @Test func correlatedTwoFeatureCase() throws {
    let g = try MultivariateGaussian.equicorrelated(dimension: 2, rho: 0.6)
    let x: [Double] = [1.5, -2]
    let phi = GroundTruthShapley.attribution(try Self.exactLinearValues(g, weights: [1, 0], bias: 0, rows: x))
    #expect(Swift.abs(phi[0, 0, 0] - (1.5 + 0.6)) < 1e-12)
    #expect(Swift.abs(phi[0, 0, 1] - (-0.6)) < 1e-12)
  }

  /// Sampled conditional expectations (the estimator the benchmark uses) agree with the exact
  /// ones for a linear model at ρ = 0.75, and v(N) is f(x) exactly.
  @Test func sampledValuesApproachExactOnes() throws {
    let g = try MultivariateGaussian.equicorrelated(dimension: 5, rho: 0.75)
    let w: [Double] = [4, 3, 2, 1, 0]
    let model = ClosureModel(features: 5, outputs: 1) { rows, n in
      (0..<n).map { r in (0..<5).reduce(Float(0.5)) { $0 + Float(w[$1]) * rows[5 * r + $1] } }
    }
    var rng = RandomGenerator(seed: 4)
    let x = g.sample(3, rng: &rng)
    let sampled = try CoalitionValues.conditional(model: model, distribution: g, rows: x, samples: 4000, rng: &rng)
    let exact = try Self.exactLinearValues(g, weights: w, bias: 0.5, rows: x)
    for mask in 0..<31 {
      // Standard error of the mean of f over 4000 draws: √(w_Fᵀ Σ_{F|S} w_F / 4000).
      let c = try g.conditioner(fixing: (0..<5).filter { mask >> $0 & 1 == 1 })
      let wF = c.free.map { w[$0] }
      var variance = 0.0
      for i in 0..<wF.count { for j in 0..<wF.count { variance += wF[i] * c.covariance[i * wF.count + j] * wF[j] } }
      let standardError = (variance / 4000).squareRoot()
      for r in 0..<3 {
        #expect(Swift.abs(sampled[r, mask] - exact[r, mask]) < 5 * standardError + 1e-5, "row \(r), coalition \(mask)")
      }
    }
    for r in 0..<3 { #expect(Swift.abs(sampled[r, 31] - exact[r, 31]) < 1e-5) }
    let phiSampled = GroundTruthShapley.attribution(sampled)
    let phiExact = GroundTruthShapley.attribution(exact)
    #expect(try ShapleyError.meanSquaredError(phiSampled, groundTruth: phiExact) < 0.01)
  }

  /// A linear model's conditional expectations are exact up to Float evaluation: the antithetic
  /// pairs make the mean of the conditional draws equal the conditional mean.
  @Test func antitheticDrawsMakeLinearValuesExact() throws {
    let g = try MultivariateGaussian.equicorrelated(dimension: 4, rho: 0.5)
    let model = ClosureModel(features: 4, outputs: 1) { rows, n in
      (0..<n).map { r in 2 * rows[4 * r] - rows[4 * r + 1] + 0.5 * rows[4 * r + 3] }
    }
    var rng = RandomGenerator(seed: 8)
    let x = g.sample(2, rng: &rng)
    let sampled = try CoalitionValues.conditional(model: model, distribution: g, rows: x, samples: 10, rng: &rng)
    let exact = try Self.exactLinearValues(g, weights: [2, -1, 0, 0.5], bias: 0, rows: x)
    for r in 0..<2 {
      for mask in 0..<16 { #expect(Swift.abs(sampled[r, mask] - exact[r, mask]) < 1e-5, "row \(r), coalition \(mask)") }
    }
  }

  /// A nonlinear model, f(x) = x₀·x₁ + x₂², at ρ = 0.6: E[f | X_S = x_S] = m₀m₁ + C₀₁ + m₂² + C₂₂
  /// with m and C the conditional mean and covariance (C zero on fixed features). 20,000 draws
  /// (the benchmark's count) agree within 0.08 (about five standard errors).
  @Test func nonlinearConditionalExpectations() throws {
    let g = try MultivariateGaussian.equicorrelated(dimension: 3, rho: 0.6)
    let model = ClosureModel(features: 3, outputs: 1) { rows, n in
      (0..<n).map { r in rows[3 * r] * rows[3 * r + 1] + rows[3 * r + 2] * rows[3 * r + 2] }
    }
    var rng = RandomGenerator(seed: 12)
    let x: [Double] = [0.8, -1.1, 1.7]
    let sampled = try CoalitionValues.conditional(model: model, distribution: g, rows: x, samples: 20_000, rng: &rng)
    for mask in 0..<8 {
      let c = try g.conditioner(fixing: (0..<3).filter { mask >> $0 & 1 == 1 })
      let m = c.conditionalMean(x[...])
      func cov(_ i: Int, _ j: Int) -> Double {
        guard let a = c.free.firstIndex(of: i), let b = c.free.firstIndex(of: j) else { return 0 }
        return c.covariance[a * c.free.count + b]
      }
      let expected = m[0] * m[1] + cov(0, 1) + m[2] * m[2] + cov(2, 2)
      #expect(Swift.abs(sampled[0, mask] - expected) < 0.08, "coalition \(mask): \(sampled[0, mask]) vs \(expected)")
    }
  }

  /// MSE = Σ(φ − φ*)²/(rows·d): [[1,2],[3,4]] against all ones gives (0 + 1 + 4 + 9)/4 = 3.5.
  /// Correlation per row: identical rows 1, reversed rows −1, a constant row 0 (benchmark rule).
  @Test func errorMetricsHandCase() throws {
    let a = FeatureAttribution(rows: 2, outputs: 1, features: 2, values: [1, 2, 3, 4], method: "a")
    let ones = FeatureAttribution(rows: 2, outputs: 1, features: 2, values: [1, 1, 1, 1], method: "gt")
    #expect(try ShapleyError.meanSquaredError(a, groundTruth: ones) == 3.5)
    let p = FeatureAttribution(rows: 3, outputs: 1, features: 3, values: [1, 2, 3, 1, 2, 3, 5, 5, 5], method: "p")
    let q = FeatureAttribution(rows: 3, outputs: 1, features: 3, values: [2, 4, 6, 3, 2, 1, 1, 2, 3], method: "q")
    #expect(Swift.abs(try ShapleyError.correlation(p, groundTruth: q) - 0) < 1e-15)
    let r = FeatureAttribution(rows: 3, outputs: 1, features: 3, values: [2, 4, 6, 3, 2, 1, 1, 3, 2], method: "r")
    #expect(Swift.abs(try ShapleyError.correlation(r, groundTruth: p) - (1 - 1 + 0) / 3) < 1e-15)
    #expect(throws: AttributionError.self) { try ShapleyError.meanSquaredError(a, groundTruth: p) }
  }
}
