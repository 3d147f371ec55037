// Bad input at the explainers' boundary: non-finite baselines, rows and model outputs,
// mismatched attributions, settings that would crash, and the messages that say what to fix.

@testable import Attribution
import Models
import Tensor
import Testing

private func isNonFiniteOutput(_ error: any Error) -> Bool {
  if case AttributionError.nonFiniteModelOutput = error { return true }
  return false
}

@Suite("Input validation")
struct InputValidationTests {
  @Test("NaN or ∞ baselines are rejected (Integrated Gradients, occlusion, removal baseline)")
  func nonFiniteBaselines() throws {
    let model = ExplainerFixtures.linear(weights: [1, 2])
    let tape = TapeModel(w: [1, 2])
    #expect(throws: AttributionError.self) { try IntegratedGradients(baseline: [.nan, 0]).explain(tape, rows: [1, 1]) }
    #expect(throws: AttributionError.self) { try Occlusion(baseline: [0, .infinity]).explain(model, rows: [1, 1]) }
    let one = FeatureAttribution(rows: 1, outputs: 1, features: 2, values: [1, 2], method: "test")
    #expect(throws: AttributionError.self) {
      try InsertionDeletionError(kind: .insertion, baseline: .values([.nan, 0])).evaluate(model, rows: [1, 1], attribution: one)
    }
    #expect(throws: AttributionError.self) {
      try InsertionDeletionCurves(baseline: .values([0, -.infinity])).evaluate(model, rows: [1, 1], attribution: one)
    }
  }

  @Test("NaN rows of the XAI-Bench metrics are rejected")
  func nonFiniteMetricRows() throws {
    let model = ExplainerFixtures.linear(weights: [1, 2])
    var rng = RandomGenerator(seed: 1)
    #expect(throws: AttributionError.self) { try Infidelity.perturbations(model: model, rows: [1, .nan], count: 4, rng: &rng) }
    let gaussian = try MultivariateGaussian(mean: [0, 0], covariance: [1, 0, 0, 1])
    #expect(throws: AttributionError.self) {
      try CoalitionValues.conditional(model: model, distribution: gaussian, rows: [.infinity, 0], samples: 4, rng: &rng)
    }
  }

  /// f is NaN where x₀ > 5 and x₁ < −5: at x = (10, 0) and at the background row (0, −10) f is
  /// finite, so only the coalition {0}, (10, −10), is NaN.
  @Test("a model returning NaN makes Kernel SHAP, exact Shapley and LIME throw, not return NaN")
  func nonFiniteModelOutputs() throws {
    let model = ClosureModel(features: 2, outputs: 1) { rows, n in
      (0..<n).map { r in rows[2 * r] > 5 && rows[2 * r + 1] < -5 ? .nan : rows[2 * r] + rows[2 * r + 1] }
    }
    let background: [Float] = [0, -10]
    let x: [Float] = [10, 0]
    #expect(performing: { try KernelSHAP(background: background).explain(model, rows: x) }, throws: isNonFiniteOutput)
    #expect(performing: { try ExactShapley(background: background).explain(model, rows: x) }, throws: isNonFiniteOutput)
    // f(x) itself NaN, and E f(background) NaN.
    #expect(performing: { try KernelSHAP(background: [0, 0]).explain(model, rows: [10, -10]) }, throws: isNonFiniteOutput)
    #expect(performing: { try KernelSHAP(background: [10, -10]).explain(model, rows: [0, 0]) }, throws: isNonFiniteOutput)
    let broken = ClosureModel(features: 2, outputs: 1) { _, n in [Float](repeating: .infinity, count: n) }
    #expect(performing: { try LIME(training: [0, 0, 1, 1, 2, 3], features: 2, samples: 20).explain(broken, rows: x) }, throws: isNonFiniteOutput)
    #expect(AttributionError.nonFiniteModelOutput(location: "f(x)", value: .nan).description.contains("returned nan for f(x)"))
  }

  @Test("LIME rejects a kernel width or ridge penalty that would give NaN weights")
  func limeSettings() throws {
    let model = ExplainerFixtures.linear(weights: [1, 2])
    var lime = try LIME(training: [0, 0, 1, 1, 2, 3], features: 2, samples: 20)
    lime.kernelWidth = 0
    #expect(throws: AttributionError.self) { try lime.explain(model, rows: [1, 1]) }
    lime.kernelWidth = nil
    lime.alpha = -1
    #expect(throws: AttributionError.self) { try lime.explain(model, rows: [1, 1]) }
    lime.alpha = 1
    #expect(throws: Never.self) { try lime.explain(model, rows: [1, 1]) }
  }

  @Test("insertion/deletion error checks the attribution's features against the model's")
  func attributionWidth() throws {
    let model = ExplainerFixtures.linear(weights: [1, 2])
    let narrow = FeatureAttribution(rows: 1, outputs: 1, features: 1, values: [3], method: "test")
    #expect(throws: AttributionError.self) { try InsertionDeletionError(kind: .insertion).evaluate(model, rows: [1, 1], attribution: narrow) }
  }

  @Test("width messages report the real column count, or that the values are not a multiple of d")
  func widthMessages() throws {
    let model = ExplainerFixtures.linear(weights: [1, 2, 3])
    #expect(throws: AttributionError.wrongWidth(expected: 3, got: 2)) { try model.evaluate([1, 2, 3, 4], count: 2) }
    #expect(throws: AttributionError.notAMultiple(values: 4, features: 3)) {
      try KernelSHAP(background: [0, 0, 0]).explain(model, rows: [1, 2, 3, 4])
    }
    #expect(AttributionError.notAMultiple(values: 4, features: 3).description.hasPrefix("4 values is not a multiple of d = 3"))
    do {
      _ = try model.evaluate([1, 2, 3, 4, 5], count: 2)
      Issue.record("5 values for 2 rows of 3 were accepted")
    } catch {
      #expect("\(error)".contains("5 values is not 2 rows of d = 3"), "\(error)")
    }
  }

  @Test("Infidelity.score throws on mismatched perturbations instead of trapping")
  func infidelityScoreThrows() {
    #expect(throws: AttributionError.self) { try Infidelity.score(attribution: [1, 2], perturbations: [1, 2, 3], drops: [1, 2]) }
    #expect(throws: AttributionError.self) { try Infidelity.score(attribution: [1, 2], perturbations: [], drops: []) }
  }
}

/// f(x) = x·w on the autodiff tape.
private struct TapeModel: DifferentiableModel {
  let w: [Float]
  var features: Int { w.count }
  var outputs: Int { 1 }
  func forward(_ x: Tensor) -> Tensor { x.matmul(Tensor(shape: [w.count, 1], scalars: w)) }
  func evaluate(_ rows: [Float], count: Int) throws -> [Float] {
    withoutGradient { forward(Tensor(shape: [count, w.count], scalars: rows)).scalars }
  }
}
