// Integrated Gradients, gradient × input, occlusion and permutation importance on SANNKit
// models (through the autodiff tape) and on models with closed-form answers.

import Attribution
import Foundation
import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

/// A random INN or TabResNet, in evaluation mode, with non-trivial batch-norm statistics.
private func randomTabularModel(features d: Int, outputs c: Int, inn: Bool, seed: UInt64) -> any DifferentiableModel {
  TabularModelAdapter(TestModels.tabResNetFamily(inn: inn, features: d, outputs: c, width: 16, blocks: 1, seed: seed))
}

/// A linear model on the tape: f(x) = x·w + b.
private struct TapeLinear: DifferentiableModel {
  let w: [Float]
  let b: Float
  var features: Int { w.count }
  var outputs: Int { 1 }
  func forward(_ x: Tensor) -> Tensor { x.matmul(Tensor(shape: [w.count, 1], scalars: w)) + b }
  func evaluate(_ rows: [Float], count: Int) throws -> [Float] {
    withoutGradient { forward(Tensor(shape: [count, w.count], scalars: rows)).scalars }
  }
}

/// A model that takes at most `rowsPerPass` rows in a differentiated pass, and records the
/// largest pass it was given.
private final class SmallPasses: DifferentiableModel {
  let inner: any DifferentiableModel
  let rowsPerPass: Int
  var largest = 0
  init(_ inner: any DifferentiableModel, rowsPerPass: Int) { (self.inner, self.rowsPerPass) = (inner, rowsPerPass) }
  var features: Int { inner.features }
  var outputs: Int { inner.outputs }
  var gradientRowsPerPass: Int { rowsPerPass }
  func forward(_ x: Tensor) -> Tensor {
    largest = Swift.max(largest, x.shape[0])
    return inner.forward(x)
  }
  func evaluate(_ rows: [Float], count: Int) throws -> [Float] { try inner.evaluate(rows, count: count) }
}

@Suite("Gradient and perturbation explainers")
struct GradientExplainerTests {
  @Test("a model that asks for small differentiated passes gets them (Sum-of-Parts: 4096 rows over its groups), with the same scores")
  func gradientRowsPerPass() throws {
    let model = randomTabularModel(features: 5, outputs: 2, inn: true, seed: 4)
    var rng = RandomGenerator(seed: 9)
    let x = TestModels.uniform(6 * 5, &rng, -1, 1)
    let whole = try IntegratedGradients(steps: 32).explain(model, rows: x)
    let small = SmallPasses(model, rowsPerPass: 7)
    let parted = try IntegratedGradients(steps: 32).explain(small, rows: x)
    #expect(small.largest == 7)
    for r in 0..<6 { for o in 0..<2 { for i in 0..<5 { #expect(Swift.abs(whole[r, o, i] - parted[r, o, i]) <= 1e-6 * Swift.max(1, Swift.abs(whole[r, o, i]))) } } }
    var build = RandomGenerator(seed: 3)
    var c = SumOfParts.Configuration()
    c.backboneSize = TabResNetConfiguration(width: 8, blocks: 1)
    c.groups = 20
    let sop = try SumOfParts(configuration: c, features: 6, outputs: 1, rng: &build)
    #expect(TabularModelAdapter(sop).gradientRowsPerPass == 4096 / sop.groupCount && TabularModelAdapter(TestModels.tabResNetFamily(inn: false, features: 3, outputs: 1, seed: 1)).gradientRowsPerPass == 4096)
  }

  @Test("Integrated Gradients completeness: Σ IG = f(x) − f(baseline) within 1e-3 at 256 steps")
  func integratedGradientsCompleteness() async {
    await propertyCheck(count: 12, input: Gen.int(in: 2...8), Gen.int(in: 1...3), Gen.bool, Gen.uint64()) { d, c, inn, seed in
      let model = randomTabularModel(features: d, outputs: c, inn: inn, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 5)
      let x = TestModels.uniform(3 * d, &rng, -1.5, 1.5)
      let baseline = TestModels.uniform(d, &rng, -0.5, 0.5)
      let ig = try IntegratedGradients(steps: 256, baseline: baseline).explain(model, rows: x)
      let fx = try model.evaluate(x, count: 3)
      let f0 = try model.evaluate(baseline, count: 1)
      for r in 0..<3 {
        for o in 0..<c {
          let total = ig.scores(row: r, output: o).reduce(0, +)
          let gap = Double(fx[r * c + o]) - Double(f0[o])
          #expect(Swift.abs(total - gap) < 1e-3, "\(inn ? "INN" : "TabResNet") d=\(d): Σ IG = \(total), f(x) − f(x′) = \(gap)")
          #expect(ig.base![r * c + o] == Double(f0[o]))
        }
      }
    }
  }

  @Test("every quadrature rule is exact for a linear model: IGᵢ = wᵢ(xᵢ − x′ᵢ)")
  func integratedGradientsLinear() throws {
    let model = TapeLinear(w: [2, -1, 0.5], b: 1)
    for rule in IntegratedGradients.Rule.allCases {
      let ig = try IntegratedGradients(steps: 3, rule: rule, baseline: [1, 1, 1]).explain(model, rows: [3, 0, -2])
      let expected: [Double] = [4, 1, -1.5]
      for i in 0..<3 { #expect(Swift.abs(ig[0, 0, i] - expected[i]) < 1e-6, "\(rule): IG\(i) = \(ig[0, 0, i])") }
    }
  }

  @Test("Integrated Gradients refuses 0 steps and more than 100,000 (a billion grew memory by gigabytes) before computing anything")
  func integratedGradientsStepLimits() throws {
    let model = TapeLinear(w: [1, -2, 0.5], b: 0)
    for steps in [0, IntegratedGradients.maximumSteps + 1, 1_000_000_000] {
      #expect(throws: AttributionError.self, "\(steps)") { try IntegratedGradients(steps: steps).explain(model, rows: [3, 0, -2]) }
    }
    #expect(throws: Never.self) { try IntegratedGradients(steps: IntegratedGradients.maximumSteps).explain(model, rows: [3, 0, -2]) }
  }

  @Test("gradient × input of a linear model is wᵢ·xᵢ")
  func gradientTimesInputLinear() async {
    await propertyCheck(count: 20, input: Gen.int(in: 1...10), Gen.uint64()) { d, seed in
      var rng = RandomGenerator(seed: seed)
      let w = TestModels.uniform(d, &rng, -2, 2)
      let x = TestModels.uniform(4 * d, &rng, -2, 2)
      let phi = try GradientTimesInput().explain(TapeLinear(w: w, b: 0.5), rows: x)
      for r in 0..<4 {
        for i in 0..<d { #expect(Swift.abs(phi[r, 0, i] - Double(w[i]) * Double(x[r * d + i])) < 1e-5) }
      }
      #expect(phi.base == nil)
    }
  }

  @Test("occlusion: φᵢ = f(x) − f(x with feature i at the baseline), by hand")
  func occlusionByHand() throws {
    // f(x) = x0·x1 + 3·x2.
    let model = ExplainerFixtures.polynomial(features: 3, terms: [(1, [0, 1]), (3, [2])])
    let phi = try Occlusion().explain(model, rows: [2, 5, 1])
    #expect(phi.values == [10, 10, 3])
    let shifted = try Occlusion(baseline: [1, 1, 1]).explain(model, rows: [2, 5, 1])
    #expect(shifted.values == [5, 8, 0])
    #expect(shifted.base == [4])
  }

  @Test("permutation importance: an unused feature scores 0, used ones more; seeded")
  func permutationImportance() throws {
    var rng = RandomGenerator(seed: 11)
    let x = TestModels.uniform(50 * 4, &rng)
    let model = ExplainerFixtures.linear(weights: [3, 0, -1, 0.2])
    let a = try PermutationImportance(repeats: 3, seed: 2).explain(model, rows: x)
    #expect(a.rows == 1 && a.values[1] == 0)
    #expect(a.values[0] > a.values[2] && a.values[2] > a.values[3] && a.values[3] > 0)
    #expect(a == (try PermutationImportance(repeats: 3, seed: 2).explain(model, rows: x)))
    let targets = try model.evaluate(x, count: 50)
    let loss = try PermutationImportance(metric: .loss(targets: targets) { p, t in Double((p.first! - t.first!) * (p.first! - t.first!)) },
                                         repeats: 3, seed: 2).explain(model, rows: x)
    #expect(loss.values[1] == 0 && loss.values[0] > loss.values[2])
  }
}
