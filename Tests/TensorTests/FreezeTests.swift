// Module.freeze: parameters leave the optimizer and record no gradient, the module stays in
// evaluation mode whatever its parent does, gradients still reach what feeds it; and
// loadStateDict(prefix:) restores a sub-module from a larger state dict.

import Foundation
import Tensor
import Testing
import TestSupport

@Suite("Module freezing and prefixed state dicts")
struct ModuleFreezeTests {
  static func model(seed: UInt64) -> Sequential {
    var rng = RandomGenerator(seed: seed)
    return Sequential([Linear(3, 4, rng: &rng), BatchNorm1d(4), Activation(.gelu), Dropout(0.5, rng: RandomGenerator(seed: seed &+ 1)), Linear(4, 2, rng: &rng)])
  }

  @Test("a frozen module's parameters are not trainable, buffers stay buffers, and unfreezing restores both")
  func parameters() {
    let m = Self.model(seed: 1)
    let trainable = m.parameters.count
    let slots = m.namedSlots().count
    m.layers[0].freeze()
    #expect(m.parameters.count == trainable - 2)
    #expect(m.namedSlots().count == slots)
    #expect(m.layers[0].namedSlots().allSatisfy { !$0.parameter.isTrainable && !$0.parameter.value.requiresGrad })
    m.freeze()
    #expect(m.parameters.isEmpty)
    m.unfreeze()
    #expect(m.parameters.count == trainable)
    let bn = m.layers[1] as! BatchNorm1d
    #expect(!bn.runningMean.isTrainable && bn.runningMean.isBuffer && bn.weight.isTrainable)
  }

  @Test("a frozen module stays in evaluation mode when its parent trains, and follows it again once unfrozen")
  func modes() {
    let m = Self.model(seed: 2)
    let bn = m.layers[1] as! BatchNorm1d
    let dropout = m.layers[3] as! Dropout
    bn.freeze()
    m.train()
    #expect(m.isTraining && dropout.isTraining && !bn.isTraining && bn.isFrozen)
    var rng = RandomGenerator(seed: 3)
    let stats = bn.stateDict()
    _ = m(Tensor.randomNormal([8, 3], using: &rng))
    #expect(bn.stateDict()["running_mean"]!.scalars == stats["running_mean"]!.scalars)
    #expect(bn.stateDict()["num_batches_tracked"]!.scalars == stats["num_batches_tracked"]!.scalars)
    bn.unfreeze()
    #expect(!bn.isTraining)
    m.train()
    #expect(bn.isTraining)
  }

  @Test("gradients flow through a frozen layer to its inputs and to the layers before it, but not into it")
  func gradientsFlowThrough() {
    var rng = RandomGenerator(seed: 4)
    let first = Linear(3, 4, rng: &rng)
    let frozen = Linear(4, 2, rng: &rng)
    frozen.freeze()
    var x = Tensor.randomNormal([5, 3], using: &rng)
    x.requiresGrad = true
    frozen(first(x).gelu()).sum().backward()
    #expect(frozen.weight.grad == nil && frozen.bias!.grad == nil)
    #expect(first.weight.grad != nil && x.grad != nil)
  }

  @Test("loadStateDict(prefix:) loads the entries under the prefix and reports missing or unexpected ones with it")
  func prefixedLoad() throws {
    let source = Self.model(seed: 5)
    let target = Self.model(seed: 6)
    var dict: [String: Tensor] = [:]
    for (name, value) in source.stateDict() { dict["snapshots.0.backbone." + name] = value }
    dict["snapshots.0.head.weight"] = Tensor.zeros([1])
    try target.loadStateDict(dict, prefix: "snapshots.0.backbone.")
    for (name, value) in source.stateDict() { #expect(target.stateDict()[name]!.scalars == value.scalars) }
    var missing = dict
    missing.removeValue(forKey: "snapshots.0.backbone.0.bias")
    #expect(throws: StateDictError.keysMismatch(missing: ["snapshots.0.backbone.0.bias"], unexpected: [])) {
      try target.loadStateDict(missing, prefix: "snapshots.0.backbone.")
    }
    var extra = dict
    extra["snapshots.0.backbone.9.weight"] = Tensor.zeros([1])
    #expect(throws: StateDictError.keysMismatch(missing: [], unexpected: ["snapshots.0.backbone.9.weight"])) {
      try target.loadStateDict(extra, prefix: "snapshots.0.backbone.")
    }
    var wrong = dict
    wrong["snapshots.0.backbone.4.bias"] = Tensor.zeros([3])
    #expect(throws: StateDictError.shapeMismatch(name: "snapshots.0.backbone.4.bias", expected: [2], found: [3])) {
      try target.loadStateDict(wrong, prefix: "snapshots.0.backbone.")
    }
  }
}
