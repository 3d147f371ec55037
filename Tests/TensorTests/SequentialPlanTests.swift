import PropertyBased
import Testing
import TestSupport

@testable import Tensor

/// `SequentialPlan` (the compiled evaluation-mode MLP) against the layers' ordinary forward.
@Suite struct SequentialPlanTests {
  /// A random MLP: `depth` Linear layers of random widths, each optionally followed by a
  /// BatchNorm1d, Dropout and a relu/gelu/identity activation, optionally a BatchNorm1d after
  /// the activation (folded into the next Linear) or at the very start, sometimes nested.
  static func randomMLP(features: Int, depth: Int, batchNorm: Bool, rng: inout RandomGenerator) -> Sequential {
    let kinds: [Activation.Kind] = [.relu, .gelu, .identity]
    var layers: [any Layer] = []
    if batchNorm && rng.nextInt(below: 3) == 0 { layers.append(InferenceTests.randomNorm(features, rng: &rng)) }
    var width = features
    for k in 0..<depth {
      let next = k == depth - 1 ? 1 + rng.nextInt(below: 3) : 1 + rng.nextInt(below: 40)
      var block: [any Layer] = [Linear(width, next, bias: rng.nextInt(below: 4) != 0, rng: &rng)]
      if batchNorm && rng.nextInt(below: 2) == 0 { block.append(InferenceTests.randomNorm(next, rng: &rng)) }
      if rng.nextInt(below: 3) == 0 { block.append(Dropout(0.5, rng: RandomGenerator(seed: 9))) }
      if k < depth - 1 || rng.nextInt(below: 3) == 0 { block.append(Activation(kinds[rng.nextInt(below: kinds.count)])) }
      if batchNorm && rng.nextInt(below: 3) == 0 { block.append(InferenceTests.randomNorm(next, rng: &rng)) }
      if rng.nextInt(below: 4) == 0 { layers.append(Sequential(block)) } else { layers += block }
      width = next
    }
    let model = Sequential(layers)
    model.eval()
    return model
  }


  @Test("the plan equals the ordinary evaluation-mode forward: random widths, depths, activations, BatchNorms, batch sizes, chunks and threads")
  func planMatchesForward() async throws {
    await propertyCheck(count: 60, input: Gen.int(in: 1...24), Gen.int(in: 1...4), Gen.bool, Gen.uint64()) { features, depth, batchNorm, seed in
      var rng = RandomGenerator(seed: seed)
      let model = Self.randomMLP(features: features, depth: depth, batchNorm: batchNorm, rng: &rng)
      let chunk = 1 + rng.nextInt(below: 40)
      for plan in [try SequentialPlan(model, chunkSize: chunk), try SequentialPlan(model)] {
        #expect(plan.features == features)
        // 1 row, fewer rows than a chunk, and a non-multiple of the chunk large enough for two workers.
        for n in [1, Swift.max(1, plan.chunkSize - 1), 2 * SequentialPlan.minimumRowsPerWorker + 3 * plan.chunkSize + 1] {
          let x = Tensor.randomNormal([n, features], using: &rng) * 2
          let expected = withoutGradient { model(x) }.scalars
          #expect(plan.outputs * n == expected.count)
          for threads in [1, 2] {
            let y = plan.evaluate(x.scalars, count: n, threads: threads)
            #expect(maxRelativeDifference(y, expected) <= 1e-4, "n \(n), threads \(threads), chunk \(plan.chunkSize), \(model.layers)")
          }
        }
      }
    }
  }

  @Test("BatchNorm is folded: a Linear followed by BatchNorm1d is one stage; ReLU and GELU are epilogues")
  func folding() throws {
    var rng = RandomGenerator(seed: 1)
    let model = Sequential([
      Linear(5, 8, rng: &rng), InferenceTests.randomNorm(8, rng: &rng), Activation(.relu), Dropout(0.3, rng: rng),
      InferenceTests.randomNorm(8, rng: &rng), Linear(8, 6, rng: &rng), Activation(.gelu), Linear(6, 2, rng: &rng),
    ])
    let plan = try SequentialPlan(model)
    #expect(plan.stages.map(\.map.outputs) == [8, 6, 2])
    #expect(plan.stages.map(\.epilogue) == [.relu, .gelu, .identity])
  }

  @Test("the plan is a snapshot in evaluation mode, whatever the training flags")
  func snapshot() throws {
    var rng = RandomGenerator(seed: 2)
    let linear = Linear(3, 4, rng: &rng)
    let model = Sequential([linear, InferenceTests.randomNorm(4, rng: &rng), Activation(.relu), Dropout(0.5, rng: rng), Linear(4, 1, rng: &rng)])
    let x = Tensor.randomNormal([6, 3], using: &rng)
    model.eval()
    let expected = withoutGradient { model(x) }.scalars
    model.train()
    let plan = try SequentialPlan(model)
    #expect(maxRelativeDifference(plan.evaluate(x.scalars, count: 6, threads: 1), expected) <= 1e-5)
    linear.bias!.value = linear.bias!.value + 1
    #expect(maxRelativeDifference(plan.evaluate(x.scalars, count: 6, threads: 1), expected) <= 1e-5)
  }

  @Test("an unsupported layer is a clear error naming the layer and where it is")
  func unsupportedLayers() {
    var rng = RandomGenerator(seed: 3)
    let tanh = Sequential([Linear(3, 4, rng: &rng), Activation(.tanh), Linear(4, 1, rng: &rng)])
    #expect(throws: SequentialPlanError.unsupportedLayer(path: "1", layer: "Activation(.tanh)")) { try SequentialPlan(tanh) }
    let nested = Sequential([Linear(3, 4, rng: &rng), Sequential([Activation(.relu), LayerNorm(4)])])
    #expect(throws: SequentialPlanError.unsupportedLayer(path: "1.1", layer: "LayerNorm")) { try SequentialPlan(nested) }
    let message = SequentialPlanError.unsupportedLayer(path: "1.1", layer: "LayerNorm").description
    #expect(message.contains("layer 1.1 (LayerNorm)") && message.contains("Linear, BatchNorm1d, Dropout"))
    let mismatch = Sequential([Linear(3, 4, rng: &rng), Activation(.relu), Linear(5, 1, rng: &rng)])
    #expect(throws: SequentialPlanError.widthMismatch(path: "2", layer: "Linear(5, 1)", expected: 4, got: 5)) { try SequentialPlan(mismatch) }
    #expect(throws: SequentialPlanError.unknownInputWidth(path: "0", layer: "Activation(.relu)")) {
      try SequentialPlan(Sequential([Activation(.relu), Linear(3, 1, rng: &rng)]))
    }
    #expect(throws: SequentialPlanError.noAffineLayer) { try SequentialPlan(Sequential([Dropout(0.1, rng: rng)])) }
  }
}
