// Neural Additive Models: additive by construction, the batched feature networks equal one
// network per feature, gradients agree with finite differences, shape functions are centred
// and add back up to the logits, and training learns an additive signal.

import Foundation
import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("Neural Additive Model")
struct NeuralAdditiveModelTests {
  static func model(features d: Int, outputs k: Int, models: Int = 1, first: FeatureNetworks.FirstLayer = .exu, seed: UInt64) throws -> NeuralAdditiveModel {
    var c = NeuralAdditiveModel.Configuration()
    c.hidden = [8, 4]
    c.models = models
    c.firstLayer = first
    var rng = RandomGenerator(seed: seed)
    let nam = try NeuralAdditiveModel(configuration: c, features: d, outputs: k, rng: &rng)
    // Non-zero intercepts, so β is tested too.
    for member in nam.members { member.intercept.value = Tensor.randomNormal([k], using: &rng) }
    nam.eval()
    return nam
  }

  @Test("logit = β + Σⱼ fⱼ(xⱼ); the explanation adds up to it; fⱼ does not move when another feature does")
  func additive() async {
    await propertyCheck(count: 20, input: Gen.int(in: 1...10), Gen.int(in: 1...3), Gen.int(in: 1...3), Gen.uint64()) { d, k, models, seed in
      let nam = try Self.model(features: d, outputs: k, models: models, first: seed % 2 == 0 ? .exu : .relu, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 1)
      let n = 1 + rng.nextInt(below: 12)
      var x = TestModels.uniform(n * d, &rng, -2, 2)
      let logits = withoutGradient { nam(Tensor(shape: [n, d], scalars: x)) }
      let phi = try #require(try nam.explain(x, threads: 1).features)
      for r in 0..<n {
        for o in 0..<k {
          #expect(Swift.abs(phi.total(row: r, output: o)! - Double(logits[r, o])) <= 1e-5 * Swift.max(1, Swift.abs(Double(logits[r, o]))))
        }
      }
      let before = phi
      let moved = rng.nextInt(below: d)
      for r in 0..<n { x[r * d + moved] += 1 }
      let after = try nam.explain(x, threads: 1).features!
      for r in 0..<n { for o in 0..<k { for j in 0..<d where j != moved { #expect(after[r, o, j] == before[r, o, j]) } } }
    }
  }

  /// Feature j's network evaluated alone, with its slices of the batched weights.
  static func loopReference(_ networks: FeatureNetworks, _ x: Tensor, feature j: Int) -> [Float] {
    let n = x.shape[0]
    let column = Tensor(shape: [n, 1], scalars: (0..<n).map { x[$0, j] })
    func slice(_ p: Parameter) -> Tensor {
      let s = p.value.shape
      return Tensor(shape: [s[1], s[2]], scalars: Array(p.value.scalars[(j * s[1] * s[2])..<((j + 1) * s[1] * s[2])]))
    }
    var h: Tensor
    switch networks.first {
    case .exu: h = ((column - slice(networks.firstBias)) * slice(networks.firstWeight).exp()).clamped(min: 0, max: 1)
    case .relu: h = (column.matmul(slice(networks.firstWeight)) + slice(networks.firstBias)).relu()
    }
    for (w, b) in zip(networks.weights, networks.biases) { h = (h.matmul(slice(w)) + slice(b)).relu() }
    return h.matmul(slice(networks.output)).scalars
  }

  @Test("the batched feature networks equal one network per feature, evaluated in a loop")
  func batchedEqualsLoop() async {
    await propertyCheck(count: 10, input: Gen.int(in: 1...8), Gen.int(in: 1...3), Gen.bool, Gen.uint64()) { d, k, exu, seed in
      var rng = RandomGenerator(seed: seed)
      let networks = FeatureNetworks(features: d, outputs: k, hidden: [6, 5, 3], first: exu ? .exu : .relu, dropout: 0, rng: &rng)
      networks.eval()
      let x = Tensor(shape: [9, d], scalars: TestModels.uniform(9 * d, &rng, -2, 2))
      let batched = withoutGradient { networks(x) }.scalars
      for j in 0..<d {
        let reference = withoutGradient { Self.loopReference(networks, x, feature: j) }
        let mine = (0..<9).flatMap { r in (0..<k).map { batched[(r * d + j) * k + $0] } }
        #expect(maxRelativeDifference(mine, reference) < 1e-5, "feature \(j)")
      }
    }
  }

  @Test("gradients with respect to every feature network's weights agree with finite differences (ExU and ReLU)", arguments: [FeatureNetworks.FirstLayer.exu, .relu])
  func gradients(first: FeatureNetworks.FirstLayer) throws {
    var rng = RandomGenerator(seed: 21)
    let networks = FeatureNetworks(features: 3, outputs: 2, hidden: [4, 3], first: first, dropout: 0, rng: &rng)
    if first == .exu {
      // Gentle slopes keep the ExU ramps away from their clamps at 0 and 1 for these inputs.
      networks.firstWeight.value = Tensor.full(networks.firstWeight.shape, -0.5)
    }
    let x = Tensor(shape: [5, 3], scalars: TestModels.uniform(15, &rng, -0.3, 0.3))
    let slots = networks.namedSlots().map { GradCheckSlot.parameter($0.name, $0.parameter) }
    #expect(gradCheckSlots(slots, seed: 22, tolerance: GradCheckTolerance(step: 1e-3, relative: 1e-2, absolute: 2e-3), label: "NAM \(first)") {
      networks(x)
    }.passed)
  }

  @Test("shape functions are centred on the training rows, their means folded into β: intercept + Σ shapes = logit; the ensemble's spread is reported")
  func globalExplanation() throws {
    for models in [1, 3] {
      let nam = try Self.model(features: 4, outputs: 2, models: models, seed: 5)
      var rng = RandomGenerator(seed: 6)
      // Repeated values, so the counts are more than 1.
      let rows = (0..<(30 * 4)).map { _ in Float(rng.nextInt(below: 5)) / 2 - 1 }
      let global = try nam.globalExplanation(trainingRows: rows)
      #expect(global.shapes.count == 4 && global.intercept.count == 2)
      let logits = withoutGradient { nam(Tensor(shape: [30, 4], scalars: rows)) }
      for shape in global.shapes {
        #expect(shape.counts.reduce(0, +) == 30 && shape.values == shape.values.sorted())
        #expect((shape.spread != nil) == (models > 1))
        for o in 0..<2 {
          let mean = shape.values.indices.reduce(0.0) { $0 + shape.contributions[$1][o] * Double(shape.counts[$1]) } / 30
          #expect(Swift.abs(mean) < 1e-6)
          let importance = shape.values.indices.reduce(0.0) { $0 + Swift.abs(shape.contributions[$1][o]) * Double(shape.counts[$1]) } / 30
          #expect(Swift.abs(importance - shape.importance[o]) < 1e-9)
        }
      }
      for r in 0..<30 {
        for o in 0..<2 {
          let total = global.shapes.reduce(global.intercept[o]) { sum, shape in
            sum + shape.contributions[shape.values.firstIndex(of: rows[r * 4 + shape.feature])!][o]
          }
          #expect(Swift.abs(total - Double(logits[r, o])) < 1e-4, "row \(r) output \(o)")
        }
      }
    }
  }

  @Test("training learns an additive signal; an ensemble of two averages two networks trained on their own splits")
  func fit() throws {
    let data = try PreparedDataset.prepare(TestModels.signalTable(rows: 400, seed: 7), name: "s", target: "y", regression: false,
                                           testFraction: 0.25, seed: 0)
    var training = TrainingConfiguration()
    training.epochs = 15
    let spec = try ModelRegistry.specification(kind: "nam", hyperparameters: ["models": "2", "hidden": "16,8"])
    let result = try Experiment(model: spec, training: training).run(data)
    #expect((result.report.test.auroc ?? 0) > 0.95)
    #expect(Set(result.report.importance?.top10Features.prefix(2) ?? []) == ["x0", "x1"])
    let nam = result.network as! NeuralAdditiveModel
    #expect(nam.members[0].networks.output.value.scalars != nam.members[1].networks.output.value.scalars)
  }
}
