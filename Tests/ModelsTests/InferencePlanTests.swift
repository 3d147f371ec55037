import PropertyBased
import Testing
import TestSupport

@testable import Models
@testable import Tensor

/// The compiled inference plans of INN and TabResNet against the models' own evaluation-mode
/// forward pass, on random architectures with random BatchNorm statistics (so every fold does
/// something), random batch sizes and chunk sizes, and one or two threads.
@Suite struct InferencePlanTests {
  /// A random INN or TabResNet with the given sizes and random BatchNorm statistics.
  static func randomModel(inn: Bool, features: Int, outputs: Int, width: Int, blocks: Int, seed: UInt64) -> any Architecture {
    TestModels.tabResNetFamily(inn: inn, features: features, outputs: outputs, width: width, blocks: blocks, seed: seed)
  }

  /// |fast − reference| ≤ 1e-4·max(1, |reference|) for every value, and the same count.
  static func expectClose(_ fast: [Float], _ reference: [Float], _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(fast.count == reference.count, "\(context): \(fast.count) values, expected \(reference.count)", sourceLocation: sourceLocation)
    guard fast.count == reference.count else { return }
    let worst = maxRelativeDifference(fast, reference)
    #expect(worst <= 1e-4, "\(context): largest relative difference \(worst)", sourceLocation: sourceLocation)
  }

  /// The ordinary forward pass in evaluation mode.
  static func reference(_ model: any TabularModel, _ x: Tensor) -> [Float] {
    withoutGradient { model(x) }.scalars
  }

  @Test("INN and TabResNet plans equal the evaluation-mode forward (random sizes, BatchNorm statistics, chunks, threads)")
  func matchesForward() async {
    await propertyCheck(count: 60, input: Gen.bool, Gen.int(in: 1...24), Gen.int(in: 0...3), Gen.uint64()) { inn, features, blocks, seed in
      var rng = RandomGenerator(seed: seed)
      let outputs = 1 + rng.nextInt(below: 4)
      let width = [4, 8, 16, 33, 64][rng.nextInt(below: 5)]
      let model = Self.randomModel(inn: inn, features: features, outputs: outputs, width: width, blocks: blocks, seed: seed &+ 1)
      let chunkSize = 1 + rng.nextInt(below: 40)
      // 1 row, fewer rows than a chunk, and a non-multiple of the chunk size.
      for count in [1, 1 + rng.nextInt(below: chunkSize), chunkSize * (2 + rng.nextInt(below: 3)) + 1 + rng.nextInt(below: chunkSize)] {
        let x = Tensor.randomNormal([count, features], using: &rng) * 2
        let expected = Self.reference(model, x)
        let backbone = inn ? (model as! MesomorphicNetwork).backbone : (model as! TabResNet).backbone
        let head = inn ? (model as! MesomorphicNetwork).head : (model as! TabResNet).head
        let plan = TabResNetPlan(trunk: TabResNetTrunkPlan(backbone), head: AffineMap(head),
                                 readout: inn ? .perInstanceLinear : .logits, chunkSize: chunkSize)
        #expect(plan.features == features && plan.outputs == outputs)
        for threads in [1, 2] {
          let context = "\(inn ? "INN" : "TabResNet") F=\(features) C=\(outputs) width \(width) blocks \(blocks) rows \(count) chunk \(chunkSize) threads \(threads)"
          Self.expectClose(plan.evaluate(x.scalars, count: count, threads: threads), expected, context)
        }
      }
    }
  }

  @Test("inferencePlan() with the default chunk size, through `any TabularModel`, at 1, 200 and 1000 rows")
  func defaultPlan() async {
    await propertyCheck(count: 8, input: Gen.bool, Gen.int(in: 1...4), Gen.uint64()) { inn, outputs, seed in
      var rng = RandomGenerator(seed: seed)
      let model = Self.randomModel(inn: inn, features: 20, outputs: outputs, width: 128, blocks: 2, seed: seed)
      let plan = model.inferencePlan()
      #expect(plan is TabResNetPlan, "INN and TabResNet have folded plans")
      for count in [1, 200, 1000] {
        let x = Tensor.randomNormal([count, 20], using: &rng)
        let expected = Self.reference(model, x)
        for threads in [1, 2] {
          Self.expectClose(plan.evaluate(x.scalars, count: count, threads: threads), expected, "\(inn ? "INN" : "TabResNet") rows \(count) threads \(threads)")
        }
      }
    }
  }

  @Test("a plan is a snapshot: later parameter changes reach a new plan, not the old one")
  func snapshot() {
    var rng = RandomGenerator(seed: 7)
    let model = Self.randomModel(inn: true, features: 6, outputs: 2, width: 16, blocks: 1, seed: 3) as! MesomorphicNetwork
    let x = Tensor.randomNormal([9, 6], using: &rng)
    let before = Self.reference(model, x)
    let plan = model.inferencePlan()
    model.backbone.blocks[0].bn2.runningMean.value = .full([16], 2)
    model.head.bias!.value = model.head.bias!.value + 1
    let after = Self.reference(model, x)
    #expect(after != before)
    Self.expectClose(plan.evaluate(x.scalars, count: 9), before, "old plan")
    Self.expectClose(model.inferencePlan().evaluate(x.scalars, count: 9), after, "new plan")
  }

  @Test("the plan is the evaluation-mode forward even for a model left in training mode")
  func trainingModeModel() {
    var rng = RandomGenerator(seed: 2)
    let model = Self.randomModel(inn: false, features: 5, outputs: 3, width: 8, blocks: 2, seed: 5)
    let x = Tensor.randomNormal([12, 5], using: &rng)
    let expected = Self.reference(model, x)
    model.train()
    let plan = model.inferencePlan()
    model.eval()
    Self.expectClose(plan.evaluate(x.scalars, count: 12), expected, "plan built in training mode")
  }

  @Test("no rows give no outputs")
  func empty() {
    let model = Self.randomModel(inn: true, features: 3, outputs: 2, width: 8, blocks: 1, seed: 1)
    #expect(model.inferencePlan().evaluate([], count: 0, threads: 2).isEmpty)
  }

  @Test("ForwardPassPlan, the default for other models, equals the forward pass chunk by chunk")
  func forwardPassPlan() {
    var rng = RandomGenerator(seed: 4)
    let model = Self.randomModel(inn: true, features: 7, outputs: 2, width: 8, blocks: 2, seed: 9) as! MesomorphicNetwork
    let x = Tensor.randomNormal([23, 7], using: &rng)
    let plan = ForwardPassPlan(model, chunkSize: 5)
    Self.expectClose(plan.evaluate(x.scalars, count: 23), Self.reference(model, x), "ForwardPassPlan")
  }
}
