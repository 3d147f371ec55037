// Sum-of-Parts on tabular data: the groups' contributions are the logits, the groups are what
// the generator says, gradients reach the generator only through c, the backbone stays frozen,
// and fitting on a saved backbone checks that it fits the data.

import Foundation
@testable import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("Sum-of-Parts")
struct SumOfPartsTests {
  /// A small SOP with a random (BatchNorm-randomised) backbone, in evaluation mode.
  static func model(features d: Int, outputs k: Int, groups: Int = 6, tau: Double = 0.3, heads: Int = 2, seed: UInt64) throws -> SumOfParts {
    var c = SumOfParts.Configuration()
    c.backboneSize = TabResNetConfiguration(width: 8, blocks: 1)
    c.groups = groups
    c.tau = tau
    c.heads = heads
    c.tokenWidth = 8
    var rng = RandomGenerator(seed: seed)
    let sop = try SumOfParts(configuration: c, features: d, outputs: k, rng: &rng)
    sop.backbone.unfreeze()
    TestModels.randomiseBatchNorms(sop.backbone.backbone, rng: &rng)
    sop.backbone.freeze()
    sop.selector.initialiseQueries(from: sop.backbone.head)
    sop.eval()
    return sop
  }

  @Test("every row's group contributions add up to its logits; each group keeps exactly t = ⌈τ·d⌉ features; c ∈ [−1, 1]")
  func contributionsAreTheLogits() async {
    await propertyCheck(count: 20, input: Gen.int(in: 1...12), Gen.int(in: 1...3), Gen.int(in: 1...9), Gen.uint64()) { d, k, groups, seed in
      let sop = try Self.model(features: d, outputs: k, groups: groups, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 1)
      let n = 1 + rng.nextInt(below: 20)
      let x = TestModels.uniform(n * d, &rng, -2, 2)
      let logits = withoutGradient { sop(Tensor(shape: [n, d], scalars: x)) }
      let explanation = try sop.explain(x, threads: 1).groups
      let m = Swift.min(groups, 2 * d)
      #expect(explanation.groupCount == m && sop.groupCount == m)
      let t = Swift.max(1, Int((0.3 * Double(d)).rounded(.up)))
      for r in 0..<n {
        for o in 0..<k {
          let total = (0..<m).reduce(0.0) { $0 + explanation[r, o, $1] }
          #expect(Swift.abs(total - Double(logits[r, o])) <= 1e-5 * Swift.max(1, Swift.abs(total)), "row \(r) output \(o)")
        }
        #expect(explanation.groups[r].allSatisfy { $0.count == t })
      }
      let (_, scales) = withoutGradient { sop.generator(sop.tokenizer(Tensor(shape: [n, d], scalars: x))) }
      #expect(scales.scalars.allSatisfy { $0 >= -1 - 1e-6 && $0 <= 1 + 1e-6 })
    }
  }

  @Test("the backbone passes give the same bits at 1 and 2 threads, for any number of rows around the chunk size")
  func backbonePassesSameBits() async {
    await propertyCheck(count: 8, input: Gen.int(in: 1...(3 * TabResNetPlan.defaultChunkSize + 7)), Gen.uint64()) { n, seed in
      let sop = try Self.model(features: 5, outputs: 2, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 3)
      let rows = TestModels.uniform(n * 5, &rng, -2, 2)
      let passes = BackbonePasses(sop.backbone)
      func run(threads: Int) -> ([Float], [Float]) {
        Parallelism.threadCount = threads
        defer { Parallelism.threadCount = 1 }
        return passes.evaluate(rows, count: n)
      }
      let (one, two) = (run(threads: 1), run(threads: 2))
      #expect(one.0.map(\.bitPattern) == two.0.map(\.bitPattern) && one.1.map(\.bitPattern) == two.1.map(\.bitPattern))
      // And each row is its own: the first row alone gives its values.
      let first = passes.evaluate(Array(rows.prefix(5)), count: 1)
      #expect(first.0 == Array(one.0.prefix(first.0.count)))
    }
  }

  @Test("a saturated generator is detected: its masks are decided by ties, i.e. by column order")
  func saturation() throws {
    var c = SumOfParts.Configuration()
    c.backboneSize = TabResNetConfiguration(width: 8, blocks: 1)
    c.tokenWidth = 8
    var rng = RandomGenerator(seed: 3)
    let sop = try SumOfParts(configuration: c, features: 12, outputs: 1, rng: &rng)
    let x = Tensor.randomNormal([20, 12], using: &rng)
    #expect(withoutGradient { sop.generator.boundaryTies(sop.tokenizer(x)) } < 0.1)
    // A huge bonus on itself makes each attention row one-hot: the other features all tie at 0.
    sop.generator.selfBias.value = .full([2], 1000)
    #expect(withoutGradient { sop.generator.boundaryTies(sop.tokenizer(x)) } == 1)
  }

  @Test("the groups kept are the candidates at evenly spaced positions, head by head")
  func candidates() {
    var rng = RandomGenerator(seed: 0)
    #expect(GroupGenerator(features: 30, width: 4, heads: 2, groups: 20, tau: 0.2, scale: 1, rng: &rng).candidates == (0..<20).map { $0 * 3 })
    #expect(GroupGenerator(features: 4, width: 4, heads: 2, groups: 20, tau: 0.2, scale: 1, rng: &rng).candidates == Array(0..<8))
    #expect(GroupGenerator(features: 10, width: 4, heads: 1, groups: 4, tau: 0.2, scale: 1, rng: &rng).candidates == [0, 2, 5, 7])
  }

  @Test("gradients of the loss with respect to the tokenizer, generator and selector agree with finite differences; the backbone gets none")
  func gradients() throws {
    let sop = try Self.model(features: 5, outputs: 2, groups: 4, tau: 0.4, seed: 11)
    var rng = RandomGenerator(seed: 12)
    let x = Tensor(shape: [6, 5], scalars: TestModels.uniform(30, &rng, -1.5, 1.5))
    let slots = (sop.tokenizer.namedSlots() + sop.generator.namedSlots() + sop.selector.namedSlots()).map { GradCheckSlot.parameter($0.name, $0.parameter) }
    // Small steps keep every top-t ordering in place: the masks are constant, the loss smooth.
    let report = gradCheckSlots(slots, seed: 13, tolerance: GradCheckTolerance(step: 1e-3, relative: 1e-2, absolute: 2e-3), label: "SOP") {
      sop(x)
    }
    #expect(report.passed)
    #expect(sop.backbone.namedSlots().allSatisfy { $0.parameter.grad == nil && !$0.parameter.isTrainable })
  }

  @Test("the gradient with respect to the input reaches it through the frozen backbone's outputs and hidden states, as finite differences of the forward pass say")
  func inputGradients() throws {
    for (k, seed) in [(1, UInt64(21)), (3, 22)] {
      let sop = try Self.model(features: 5, outputs: k, groups: 4, tau: 0.4, seed: seed)
      var rng = RandomGenerator(seed: seed + 100)
      let x = Tensor(shape: [4, 5], scalars: TestModels.uniform(20, &rng, -1.5, 1.5))
      // The forward pass without a gradient (the evaluation plan) and with one give the same values.
      var tracked = x
      tracked.requiresGrad = true
      let plain = sop(x).scalars, recorded = withGradient { sop(tracked).scalars }
      for (a, b) in zip(plain, recorded) { #expect(Swift.abs(a - b) <= 1e-5 * Swift.max(1, Swift.abs(a)), "\(a) against \(b)") }
      let report = gradCheck([x], seed: seed, tolerance: GradCheckTolerance(step: 1e-3, relative: 1e-2, absolute: 2e-3), label: "SOP ∂/∂x") {
        sop($0[0])
      }
      #expect(report.passed)
    }
  }

  static func data(seed: UInt64 = 0) throws -> PreparedDataset {
    try PreparedDataset.prepare(TestModels.signalTable(rows: 240, seed: 6), name: "signal", target: "y", regression: false,
                                testFraction: 0.25, seed: seed)
  }

  static func training(epochs: Int) -> TrainingConfiguration {
    var t = TrainingConfiguration()
    t.epochs = epochs
    t.warmupEpochs = 1
    return t
  }

  @Test("fitting trains the backbone first (a companion), freezes it bit for bit, starts the selector from its head, learns the signal")
  func fit() throws {
    let data = try Self.data()
    let spec = try ModelRegistry.specification(kind: "sop", hyperparameters: ["hidden_size": "16", "groups": "6", "token_width": "8"])
    let result = try Experiment(model: spec, training: Self.training(epochs: 20)).run(data)
    let sop = result.network as! SumOfParts
    #expect(result.companions.map(\.name) == ["backbone"])
    let backboneState = result.companions[0].result.snapshots.last!
    for (name, value) in sop.backbone.stateDict() {
      #expect(value.scalars.map(\.bitPattern) == backboneState[name]!.scalars.map(\.bitPattern), "backbone \(name) moved")
    }
    #expect(sop.backbone.isFrozen && !sop.logScale.isTrainable)
    // The label is 2·x0 − 1.5·x1 > 0: a group holding x0 and x1 explains it (chance is 0.5).
    #expect((result.report.test.auroc ?? 0) > 0.85, "SOP test AUROC \(result.report.test.auroc ?? 0)")
    // Importances come from the groups' contributions shared among their features.
    #expect(result.report.importance?.top10Features.count == 6)
    // The report lists the backbone alone (its last snapshot, what SOP uses) beside SOP.
    #expect((result.report.components["backbone"]?.auroc ?? 0) > 0.9)
  }

  @Test("a saved backbone is used as it is; one trained on another split or other columns is refused")
  func savedBackbone() throws {
    let data = try Self.data()
    let directory = try makeTemporaryDirectory("sop-backbone")
    let backbone = try Experiment(model: ModelSpecification(TabResNet.self, .init(width: 8, blocks: 1)), training: Self.training(epochs: 3)).run(data)
    try ModelFile.save(card: backbone.card, snapshots: backbone.snapshots, to: directory.appendingPathComponent("model.safetensors"))
    let spec = try ModelRegistry.specification(kind: "sop", hyperparameters: ["backbone": directory.path, "groups": "4", "token_width": "8"])
    #expect((spec.configuration as! SumOfParts.Configuration).backboneSize == TabResNetConfiguration(width: 8, blocks: 1))
    let result = try Experiment(model: spec, training: Self.training(epochs: 2)).run(data)
    #expect(result.companions.isEmpty)
    let sop = result.network as! SumOfParts
    for (name, value) in sop.backbone.stateDict() { #expect(value.scalars == backbone.snapshots.last![name]!.scalars, "\(name)") }
    // Another seed: another split, so other standardisation statistics.
    #expect(throws: SumOfPartsError.self) { try Experiment(model: spec, training: Self.training(epochs: 1)).run(try Self.data(seed: 1)) }
    #expect(throws: ArchitectureError.self) {
      try ModelRegistry.specification(kind: "sop", hyperparameters: ["backbone": directory.path, "hidden_size": "32"])
    }
    #expect(throws: SumOfPartsError.self) { try ModelRegistry.specification(kind: "sop", hyperparameters: ["backbone": "/nonexistent"]) }
  }

  @Test("the selector scale is learned for regression and fixed at 1 for classification unless asked")
  func selectorScale() throws {
    for (setting, regression, trainable) in [("auto", false, false), ("auto", true, true), ("on", false, true), ("off", true, false)] {
      let table = TestModels.signalTable(rows: 120, seed: 2)
      var columns = table.columns
      if regression { columns[6] = .init(name: "y", values: columns[0].values) }
      let data = try PreparedDataset.prepare(DataTable(source: "t", columns: columns), name: "t", target: "y", regression: regression,
                                             testFraction: 0.25, seed: 0)
      let spec = try ModelRegistry.specification(kind: "sop", hyperparameters: ["hidden_size": "8", "nr_blocks": "1", "groups": "3",
                                                                               "token_width": "4", "selector_scale": setting])
      let sop = try Experiment(model: spec, training: Self.training(epochs: 2)).run(data).network as! SumOfParts
      #expect(sop.logScale.isTrainable == trainable, "\(setting), regression \(regression)")
    }
  }

  @Test("the consistency term is λ·mean over rows and outputs of (Σ over groups inside S of the contributions − f(x_S))², S random features or a union of random groups, recomputed row by row; none in evaluation or with λ = 0")
  func consistencyTerm() async {
    await propertyCheck(count: 12, input: Gen.int(in: 2...8), Gen.int(in: 1...2), Gen.uint64()) { d, k, seed in
      let sop = try Self.model(features: d, outputs: k, groups: 5, tau: 0.4, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 2)
      let n = 2 + rng.nextInt(below: 6)
      let x = TestModels.uniform(n * d, &rng, -2, 2)
      let input = Tensor(shape: [n, d], scalars: x)
      #expect(sop.trainingOutput(input).penalty == nil, "λ = 0")
      var c = sop.configuration
      c.consistency = 2.5
      var build = RandomGenerator(seed: seed)
      let weighted = try SumOfParts(configuration: c, features: d, outputs: k, rng: &build)
      try weighted.loadStateDict(sop.stateDict())
      weighted.eval()
      #expect(weighted.trainingOutput(input).penalty == nil, "evaluation mode")
      weighted.train()
      weighted.subsetGenerator = RandomGenerator(seed: seed).stream(5)
      var draw = weighted.subsetGenerator
      let penalty = try #require(weighted.trainingOutput(input).penalty).item
      // Row by row: the same subsets, the groups inside each, the model on x_S alone.
      weighted.eval()
      let (masks, contributions) = withoutGradient { weighted.parts(input) }
      let m = weighted.groupCount
      var expected = 0.0
      for r in 0..<n {
        let q = draw.nextUniform()
        var kept = [Bool](repeating: false, count: d)
        if draw.nextUniform() < 0.5 {
          for j in 0..<d { kept[j] = draw.nextUniform() < q }
        } else {
          // The union of the groups drawn, each with probability q.
          for i in 0..<m where draw.nextUniform() < q { for j in 0..<d where masks[(r * m + i) * d + j] != 0 { kept[j] = true } }
        }
        let subsetRow = (0..<d).map { kept[$0] ? x[r * d + $0] : 0 }
        let own = withoutGradient { weighted(Tensor(shape: [1, d], scalars: subsetRow)) }
        for o in 0..<k {
          var inside = 0.0
          for i in 0..<m where (0..<d).allSatisfy({ masks[(r * m + i) * d + $0] == 0 || kept[$0] }) { inside += Double(contributions[r, o, i]) }
          expected += (inside - Double(own[0, o])) * (inside - Double(own[0, o]))
        }
      }
      expected *= 2.5 / Double(n * k)
      #expect(Swift.abs(Double(penalty) - expected) <= 1e-4 * Swift.max(1, expected), "\(penalty) vs \(expected)")
    }
  }

  @Test("softmax selection gives every group a positive weight, the weights of each output sum to 1, and the contributions still add up to the logits")
  func softmaxSelection() throws {
    var c = SumOfParts.Configuration()
    c.backboneSize = TabResNetConfiguration(width: 8, blocks: 1)
    c.tokenWidth = 8
    c.groups = 6
    c.selection = .softmax
    var rng = RandomGenerator(seed: 5)
    let sop = try SumOfParts(configuration: c, features: 5, outputs: 2, rng: &rng)
    sop.eval()
    let x = TestModels.uniform(4 * 5, &rng, -2, 2)
    let z = withoutGradient { sop.backbone.backbone(Tensor(shape: [24, 5], scalars: Array(repeating: x, count: 6).flatMap { $0 }.prefix(24 * 5).map { $0 })) }
    let alpha = withoutGradient { sop.selector(z.reshaped([4, 6, 8])) }
    #expect(alpha.scalars.allSatisfy { $0 > 0 })
    for b in 0..<4 { for o in 0..<2 { #expect(Swift.abs((0..<6).reduce(Float(0)) { $0 + alpha[b, o, $1] } - 1) < 1e-5) } }
    let logits = withoutGradient { sop(Tensor(shape: [4, 5], scalars: x)) }
    let explanation = try sop.explain(x, threads: 1).groups
    for r in 0..<4 { for o in 0..<2 {
      #expect(Swift.abs((0..<6).reduce(0.0) { $0 + explanation[r, o, $1] } - Double(logits[r, o])) < 1e-5)
    } }
  }

  @Test("a configuration written before consistency and selection existed decodes with the authors' objective (0, sparsemax)")
  func olderConfigurationDecodes() throws {
    let current = try JSONEncoder().encode(SumOfParts.Configuration())
    var object = try #require(try JSONSerialization.jsonObject(with: current) as? [String: Any])
    #expect(object["consistency"] as? Double == 0 && object["selection"] as? String == "sparsemax")
    object["consistency"] = nil
    object["selection"] = nil
    let older = try JSONDecoder().decode(SumOfParts.Configuration.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(older.consistency == 0 && older.selection == .sparsemax)
    #expect(throws: ArchitectureError.self) { try ModelRegistry.specification(kind: SumOfParts.kind, hyperparameters: ["consistency": "-1"]) }
    #expect(throws: ArchitectureError.self) { try ModelRegistry.specification(kind: SumOfParts.kind, hyperparameters: ["selection": "entmax"]) }
  }
}
