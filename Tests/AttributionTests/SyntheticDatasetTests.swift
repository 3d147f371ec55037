import Foundation
import Tensor
import Testing

@testable import Attribution

/// XAI-Bench's target functions on hand-computed points, standardisation and determinism.
@Suite struct SyntheticDatasetTests {
  @Test func linearTarget() {
    let g = SyntheticTarget.linear(weights: [4, 3, 2, 1, 0])
    #expect(g.value([1, 1, 1, 1, 1]) == 10)
    #expect(g.value([0.5, -1, 0, 2, 100]) == 2 - 3 + 0 + 2)
  }

  /// sin 0 + |−2| + 3² + e⁰ = 12; x₄ does not enter.
  @Test func nonLinearAdditiveTarget() {
    #expect(SyntheticTarget.nonLinearAdditive.value([0, -2, 3, 0, 42]) == 12)
    let x: [Double] = [1, 0.5, -0.5, 1, 0]
    #expect(Swift.abs(SyntheticTarget.nonLinearAdditive.value(x[...]) - (sin(1) + 0.5 + 0.25 + exp(-1))) < 1e-15)
  }

  /// p₀: sign; p₁: −2, 0 (the benchmark's code on [−½, 0)), 1, 2; p₂: 1 where cos(πt) > −½, else −1.
  @Test func piecewiseConstantTarget() {
    let g = SyntheticTarget.piecewiseConstant
    #expect(g.value([-0.1, -0.7, 0, 9, 9]) == -1 - 2 + 2)  // cos 0 = 1: 2·1 = 2 exactly
    #expect(g.value([0.1, -0.2, 0.2, 0, 0]) == 1 + 0 + 1)  // 2cos(0.2π) ≈ 1.62 → 1
    #expect(g.value([0, 0.2, 0.4, 0, 0]) == 1 + 1 + 1)  // 2cos(0.4π) ≈ 0.62 → 0 → 1
    #expect(g.value([0, 0.7, 0.9, 0, 0]) == 1 + 2 - 1)  // 2cos(0.9π) ≈ −1.90 → −1
    #expect(g.value([-5, 0.5, 0.6, 0, 0]) == -1 + 2 + 1)  // 2cos(0.6π) ≈ −0.62 → 0 → 1
  }

  /// With no noise, training targets are standardised to mean 0 and variance 1, and the
  /// validation targets are the noiseless standardised function under the *training* constants.
  @Test func standardisationUsesTrainingStatistics() throws {
    for kind in SyntheticDataset.Kind.allCases {
      let data = try SyntheticDataset(kind: kind, rho: 0.25, noise: 0)
      var rng = RandomGenerator(seed: 11)
      let s = data.generate(train: 500, validation: 20, rng: &rng)
      let mean = s.yTrain.reduce(0, +) / 500
      let variance = s.yTrain.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 500
      #expect(Swift.abs(mean) < 1e-12 && Swift.abs(variance - 1) < 1e-12)
      for r in 0..<20 {
        #expect(Swift.abs(s.yValidation[r] - s.standardisedTarget(s.xValidation[(5 * r)..<(5 * r + 5)])) < 1e-12)
      }
    }
  }

  @Test func sameSeedSameData() throws {
    let data = try SyntheticDataset(kind: .gaussianNonLinearAdditive, rho: 0.75)
    var a = RandomGenerator(seed: 5)
    var b = RandomGenerator(seed: 5)
    var c = RandomGenerator(seed: 6)
    let first = data.generate(train: 50, validation: 5, rng: &a)
    let second = data.generate(train: 50, validation: 5, rng: &b)
    let third = data.generate(train: 50, validation: 5, rng: &c)
    #expect(first.xTrain == second.xTrain && first.yValidation == second.yValidation)
    #expect(first.xTrain != third.xTrain)
  }

  @Test func badArgumentsAreRejected() {
    #expect(throws: AttributionError.self) { try SyntheticDataset(kind: .gaussianLinear, rho: 0, weights: [1, 2]) }
    #expect(throws: AttributionError.self) { try SyntheticDataset(kind: .gaussianNonLinearAdditive, rho: 0, dimension: 3) }
    #expect(throws: AttributionError.self) { try SyntheticDataset(kind: .gaussianLinear, rho: 1.2) }
  }
}
