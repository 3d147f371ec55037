// A frozen backbone inside a model being trained: its weights and BatchNorm statistics do not
// move, gradients still flow through it, and the trainer optimises only what is not frozen.

import Foundation
import Models
import Tensor
import Testing
import TestSupport

/// A new head on a frozen TabResNet, trained end to end: logits = Linear(TabResNet(x)).
private final class HeadOnFrozenBackbone: TabularModel {
  let backbone: TabResNet
  let head: Linear
  var mode = ModuleMode()

  init(backbone: TabResNet, outputs: Int, rng: inout RandomGenerator) {
    self.backbone = backbone
    head = Linear(backbone.outputs, outputs, rng: &rng)
  }

  var features: Int { backbone.features }
  var outputs: Int { head.outFeatures }
  var children: [(name: String, module: any Module)] { [("backbone", backbone), ("head", head)] }
  func callAsFunction(_ x: Tensor) -> Tensor { head(backbone(x).gelu()) }
}

@Suite("Freezing")
struct FreezeTests {
  @Test("a frozen TabResNet keeps bit-identical weights and BatchNorm statistics through 100 training steps of its parent")
  func frozenBackbone() throws {
    var rng = RandomGenerator(seed: 5)
    let backbone = TabResNet(features: 6, outputs: 4, width: 16, blocks: 2, rng: &rng)
    TestModels.randomiseBatchNorms(backbone.backbone, rng: &rng)
    backbone.freeze()
    let before = backbone.stateDict()
    let parent = HeadOnFrozenBackbone(backbone: backbone, outputs: 1, rng: &rng)
    let headBefore = parent.head.stateDict()
    #expect(parent.parameters.count == 2, "only the head's weight and bias are trainable")
    // 100 steps: 400 rows, batch 64 → 6 batches per epoch (the last joins its neighbour), 17 epochs.
    let table = TestModels.signalTable(rows: 500, seed: 1)
    let data = try PreparedDataset.prepare(table, name: "signal", target: "y", regression: false, testFraction: 0.2, seed: 0)
    var training = TrainingConfiguration()
    training.epochs = 17
    training.warmupEpochs = 1
    training.augmentationProbability = 0.5
    var steps = 0
    _ = Trainer.train(parent, on: data, configuration: training) { _ in steps += 6 }
    #expect(steps >= 100)
    let after = backbone.stateDict()
    #expect(Set(after.keys) == Set(before.keys))
    for (name, value) in before { #expect(after[name]!.scalars.map(\.bitPattern) == value.scalars.map(\.bitPattern), "\(name) moved") }
    #expect(parent.head.stateDict()["weight"]!.scalars != headBefore["weight"]!.scalars, "the head trained")
    #expect(!backbone.isTraining && backbone.backbone.blocks[0].bn1.isFrozen)
  }

  @Test("the trainer optimises exactly the parameters it is given")
  func explicitParameters() throws {
    var rng = RandomGenerator(seed: 2)
    let model = TabResNet(features: 6, outputs: 1, width: 8, blocks: 1, rng: &rng)
    let before = model.stateDict()
    let data = try PreparedDataset.prepare(TestModels.signalTable(rows: 100, seed: 4), name: "s", target: "y", regression: false,
                                           testFraction: 0.2, seed: 0)
    var training = TrainingConfiguration()
    training.epochs = 2
    training.weightDecay = 0
    _ = Trainer.train(model, on: data, configuration: training, parameters: model.head.parameters)
    let after = model.stateDict()
    #expect(after["head.weight"]!.scalars != before["head.weight"]!.scalars)
    #expect(after["backbone.input.weight"]!.scalars == before["backbone.input.weight"]!.scalars)
  }
}
