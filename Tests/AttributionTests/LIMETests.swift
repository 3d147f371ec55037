// LIME on sparse linear models: the fitted local model must recover which features matter,
// their signs and their order.

import Attribution
import Foundation
import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("LIME (tabular)")
struct LIMETests {
  /// A sparse linear model: 3 of `d` features with weights of distinct magnitude, random signs.
  private func sparseModel(d: Int, seed: UInt64) -> (model: ClosureModel, weights: [Float]) {
    var rng = RandomGenerator(seed: seed)
    var w = [Float](repeating: 0, count: d)
    let features = Array(rng.permutation(d).prefix(3))
    for (k, i) in features.enumerated() { w[i] = Float(3 - k) * (rng.nextUniform() < 0.5 ? -1 : 1) * 2 }
    return (ExplainerFixtures.linear(weights: w, bias: 0.3), w)
  }

  private func check(_ phi: FeatureAttribution, weights w: [Float], row r: Int, scale: [Double]) {
    let d = w.count
    let nonzero = (0..<d).filter { w[$0] != 0 }
    let zero = (0..<d).filter { w[$0] == 0 }
    let largestIrrelevant = zero.map { Swift.abs(phi[r, 0, $0]) }.max() ?? 0
    for i in nonzero {
      #expect((phi[r, 0, i] > 0) == (w[i] > 0), "feature \(i): weight \(w[i]), LIME \(phi[r, 0, i])")
      #expect(Swift.abs(phi[r, 0, i]) > largestIrrelevant, "feature \(i): |φ| = \(Swift.abs(phi[r, 0, i])) vs irrelevant \(largestIrrelevant)")
    }
    let byWeight = nonzero.sorted { Swift.abs(Double(w[$0]) * scale[$0]) > Swift.abs(Double(w[$1]) * scale[$1]) }
    let byLIME = nonzero.sorted { Swift.abs(phi[r, 0, $0]) > Swift.abs(phi[r, 0, $1]) }
    #expect(byWeight == byLIME, "ranking by |w·scale| \(byWeight), by LIME \(byLIME)")
  }

  @Test("continuous sampling recovers signs and ranking of a sparse linear model")
  func continuousRecoversLinear() async {
    await propertyCheck(count: 10, input: Gen.int(in: 4...10), Gen.uint64()) { d, seed in
      let (model, w) = sparseModel(d: d, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 9)
      let training = TestModels.uniform(200 * d, &rng, -1, 1)
      let x = TestModels.uniform(2 * d, &rng, -1, 1)
      let phi = try LIME(training: training, features: d, sampling: .continuous(aroundInstance: false), seed: seed).explain(model, rows: x)
      // Coefficients are per standard deviation; every feature has the same spread here.
      for r in 0..<2 { check(phi, weights: w, row: r, scale: [Double](repeating: 1, count: d)) }
    }
  }

  @Test("quartile discretisation (the default) recovers signs and ranking when x sits in an outer quartile")
  func quartilesRecoverLinear() async {
    await propertyCheck(count: 10, input: Gen.int(in: 4...10), Gen.uint64()) { d, seed in
      let (model, w) = sparseModel(d: d, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 9)
      let training = TestModels.uniform(400 * d, &rng, -1, 1)
      // x in the top quartile where w > 0 and the bottom one where w < 0: its bin raises f.
      let x: [Float] = (0..<d).map { w[$0] < 0 ? -0.9 : 0.9 }
      let phi = try LIME(training: training, features: d, seed: seed).explain(model, rows: x)
      for i in 0..<d where w[i] != 0 { #expect(phi[0, 0, i] > 0, "feature \(i): w = \(w[i]), LIME \(phi[0, 0, i])") }
      let nonzero = (0..<d).filter { w[$0] != 0 }
      let byWeight = nonzero.sorted { Swift.abs(w[$0]) > Swift.abs(w[$1]) }
      let byLIME = nonzero.sorted { phi[0, 0, $0] > phi[0, 0, $1] }
      #expect(byWeight == byLIME)
      let irrelevant = (0..<d).filter { w[$0] == 0 }.map { Swift.abs(phi[0, 0, $0]) }.max() ?? 0
      #expect(nonzero.allSatisfy { phi[0, 0, $0] > irrelevant })
    }
  }

  @Test("LIME is deterministic for a seed and rejects an empty training set and a wrong width")
  func determinismAndErrors() throws {
    let model = ExplainerFixtures.linear(weights: [1, -2])
    let training: [Float] = [0, 0, 1, 1, 2, 0, -1, 3]
    let a = try LIME(training: training, features: 2, samples: 300, seed: 4).explain(model, rows: [0.5, 0.5])
    let b = try LIME(training: training, features: 2, samples: 300, seed: 4).explain(model, rows: [0.5, 0.5])
    #expect(a == b)
    #expect(throws: AttributionError.emptyBackground) { try LIME(training: [], features: 2) }
    #expect(throws: AttributionError.wrongWidth(expected: 2, got: 3)) {
      try LIME(training: training, features: 2).explain(model, rows: [[1, 2, 3]])
    }
  }
}
