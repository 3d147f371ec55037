import Foundation
@testable import Models
import PropertyBased
import Tensor
import TestSupport
import Testing

/// The snapshot ensemble's function (``EnsembleModel``): the mean of its members' logits, and
/// the explanations that add up to it.
@Suite("Snapshot ensemble: one function for predict and explain")
struct EnsembleModelTests {
  /// K random INNs (or TabResNets) of one shape, each with its own weights and BatchNorms.
  static func members(_ k: Int, inn: Bool, features d: Int, outputs c: Int, seed: UInt64) -> [any TabularModel] {
    (0..<k).map { TestModels.tabResNetFamily(inn: inn, features: d, outputs: c, width: 8, blocks: 1, seed: seed &+ UInt64($0) &* 7919) }
  }

  @Test("the forward pass, the compiled plan and the members' mean logits agree, any K, outputs and batch")
  func meanOfLogits() async {
    await propertyCheck(count: 12, input: Gen.int(in: 1...4), Gen.int(in: 1...3), Gen.int(in: 1...30), Gen.uint64()) { k, c, n, seed in
      let d = 5
      let members = Self.members(k, inn: seed % 2 == 0, features: d, outputs: c, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 1)
      let x = TestModels.uniform(n * d, &rng, -2, 2)
      let memberLogits = members.map { m in withoutGradient { m(Tensor(shape: [n, d], scalars: x)) }.scalars }
      let mean = (0..<(n * c)).map { i in memberLogits.reduce(0) { $0 + Double($1[i]) } / Double(k) }
      let ensemble = EnsembleModel(members: members)
      let forward = withoutGradient { ensemble(Tensor(shape: [n, d], scalars: x)) }.scalars
      let planned = ensemble.inferencePlan().evaluate(x, count: n, threads: 1)
      for i in 0..<(n * c) {
        #expect(Swift.abs(Double(forward[i]) - mean[i]) <= 1e-5 * (1 + Swift.abs(mean[i])))
        #expect(Swift.abs(Double(planned[i]) - mean[i]) <= 1e-5 * (1 + Swift.abs(mean[i])))
      }
    }
  }

  @Test("INN ensembles explain themselves: bias + Σ contributions = the mean logit, weights are the mean weights, explained output = arg-max mean logit")
  func explanationAddsUpToMeanLogit() async {
    await propertyCheck(count: 12, input: Gen.int(in: 2...4), Gen.int(in: 1...3), Gen.int(in: 1...25), Gen.uint64()) { k, c, n, seed in
      let d = 4
      let members = Self.members(k, inn: true, features: d, outputs: c, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 3)
      let x = TestModels.uniform(n * d, &rng, -2, 2)
      let ensemble = EnsembleModel(members: members)
      let explanation = try #require(try ensemble.selfExplaining?.explain(x, threads: 1).features)
      let perMember = try members.map { try #require(try $0.selfExplaining?.explain(x, threads: 1).features) }
      let logits = ensemble.inferencePlan().evaluate(x, count: n, threads: 1)
      for r in 0..<n {
        for o in 0..<c {
          let total = try #require(explanation.total(row: r, output: o))
          let logit = Double(logits[r * c + o])
          #expect(Swift.abs(total - logit) < 1e-4 * (1 + Swift.abs(logit)), "row \(r) output \(o): \(total) vs \(logit)")
          for j in 0..<d {
            let w = perMember.reduce(0) { $0 + $1.coefficient(row: r, output: o, feature: j)! } / Double(k)
            #expect(Swift.abs(explanation.coefficient(row: r, output: o, feature: j)! - w) < 1e-9 * (1 + Swift.abs(w)))
          }
        }
        if c > 1 {
          let row = (0..<c).map { logits[r * c + $0] }
          let best = row.indices.max { row[$0] < row[$1] }!
          let explained = explanation.explainedOutput(row: r)
          #expect(explained == best || Swift.abs(row[best] - row[explained]) < 1e-5)
        }
      }
    }
  }

  @Test("a group explanation of an ensemble holds every member's groups, scores over K, and adds up to the mean")
  func groupUnion() async {
    await propertyCheck(count: 10, input: Gen.int(in: 1...4), Gen.int(in: 1...3), Gen.int(in: 1...6), Gen.uint64()) { k, c, n, seed in
      var rng = RandomGenerator(seed: seed)
      let parts = (0..<k).map { _ -> GroupAttribution in
        let m = 1 + Int(rng.next() % 4)
        let groups = (0..<n).map { _ in (0..<m).map { _ in (0..<5).filter { _ in rng.next() % 2 == 0 } } }
        return GroupAttribution(rows: n, outputs: c, groups: groups, scores: TestModels.uniform(n * c * m, &rng).map(Double.init),
                                base: TestModels.uniform(n * c, &rng).map(Double.init), method: "sop")
      }
      let union = EnsembleModel.union(parts, weights: [[Double]](repeating: [Double](repeating: 1 / Double(k), count: k), count: n * c))
      #expect(union.groupCount == parts.reduce(0) { $0 + $1.groupCount })
      for r in 0..<n {
        #expect(union.groups[r] == parts.flatMap { $0.groups[r] })
        for o in 0..<c {
          func total(_ g: GroupAttribution) -> Double { (0..<g.groupCount).reduce(g.base![r * c + o]) { $0 + g[r, o, $1] } }
          let mean = parts.reduce(0) { $0 + total($1) } / Double(k)
          #expect(Swift.abs(total(union) - mean) < 1e-12 * (1 + Swift.abs(mean)))
        }
      }
    }
  }

  @Test("mean-probability weights: aₖ ≥ 0, Σ aₖ = 1, Σ aₖ·zₖ = t and σ(t) = mean σ(zₖ), also for saturated and equal logits")
  func secantWeights() async {
    await propertyCheck(count: 300, input: Gen.int(in: 1...6), Gen.uint64()) { k, seed in
      var rng = RandomGenerator(seed: seed)
      let spread = [0.001, 1, 8, 60, 300][Int(rng.next() % 5)]
      var z = (0..<k).map { _ in Double(rng.nextNormal()) * spread + Double(rng.nextNormal()) * 5 }
      if rng.next() % 4 == 0 { z = z.map { _ in z[0] } }  // all equal
      let (t, a) = EnsembleModel.combination(z, rule: .meanProbability)
      #expect(t.isFinite && a.count == k)
      #expect(a.allSatisfy { $0 >= 0 } && Swift.abs(a.reduce(0, +) - 1) < 1e-12)
      let combined = zip(a, z).reduce(0) { $0 + $1.0 * $1.1 }
      #expect(Swift.abs(combined - t) <= 1e-9 * (1 + z.map(Swift.abs).max()!), "z \(z): Σ aₖ·zₖ = \(combined), t = \(t)")
      func sigmoid(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }
      let mean = z.map(sigmoid).reduce(0, +) / Double(k)
      #expect(Swift.abs(sigmoid(t) - mean) < 1e-12, "z \(z)")
      #expect(t >= z.min()! - 1e-9 && t <= z.max()! + 1e-9)
    }
    // The mean-logit rule is the plain mean.
    let (t, a) = EnsembleModel.combination([1, 2, 6], rule: .meanLogit)
    #expect(t == 3 && a == [1.0 / 3, 1.0 / 3, 1.0 / 3])
  }

  @Test("binary INN ensembles (mean probability): plan = forward = logit(mean σ), explanation adds up to it, any K and batch")
  func meanProbabilityEnsemble() async {
    await propertyCheck(count: 12, input: Gen.int(in: 2...4), Gen.int(in: 1...25), Gen.uint64()) { k, n, seed in
      let d = 4
      let members = Self.members(k, inn: true, features: d, outputs: 1, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 5)
      let x = TestModels.uniform(n * d, &rng, -3, 3)
      let ensemble = EnsembleModel(members: members, rule: .meanProbability)
      let memberLogits = members.map { m in withoutGradient { m(Tensor(shape: [n, d], scalars: x)) }.scalars }
      let forward = withoutGradient { ensemble(Tensor(shape: [n, d], scalars: x)) }.scalars
      let planned = ensemble.inferencePlan().evaluate(x, count: n, threads: 1)
      let explanation = try #require(try ensemble.selfExplaining?.explain(x, threads: 1).features)
      for r in 0..<n {
        let p = memberLogits.reduce(0.0) { $0 + 1 / (1 + Foundation.exp(-Double($1[r]))) } / Double(k)
        for (name, t) in [("forward", Double(forward[r])), ("plan", Double(planned[r]))] {
          #expect(Swift.abs(1 / (1 + Foundation.exp(-t)) - p) < 1e-5, "\(name) row \(r)")
        }
        let total = try #require(explanation.total(row: r, output: 0))
        #expect(Swift.abs(total - Double(planned[r])) < 1e-4 * (1 + Swift.abs(total)), "row \(r): \(total) vs \(planned[r])")
      }
    }
  }

  @Test("a black-box member leaves the ensemble without an own explanation, with a clear error if asked")
  func blackBoxMember() throws {
    let members = Self.members(2, inn: false, features: 3, outputs: 1, seed: 5)
    let ensemble = EnsembleModel(members: members)
    #expect(ensemble.selfExplaining == nil && ensemble.globalExplaining == nil)
    #expect(throws: ExplanationError.notSelfExplaining) { try ensemble.explain([0, 0, 0], threads: 1) }
  }

  @Test("a trained binary INN's SnapshotEnsemble: predict is the mean snapshot probability, the sigmoid of the logit the explanation adds up to")
  func trainedEnsemble() throws {
    let table = TestModels.signalTable(rows: 200, seed: 11)
    let data = try PreparedDataset.prepare(table, name: "signal", target: nil, regression: false, testFraction: 0.25, seed: 0)
    var experiment = Experiment(model: try ModelRegistry.specification(kind: "inn", hyperparameters: ["hidden_size": "8"]))
    experiment.training.epochs = 20
    experiment.training.restarts = 3
    let result = try experiment.run(data)
    #expect(result.ensemble.snapshots.count == 3, "\(result.ensemble.snapshots.count) snapshots")
    #expect(result.ensemble.model is EnsembleModel)
    let p = try result.ensemble.predict(data.xTest)
    let explanation = try #require(try result.ensemble.model.selfExplaining?.explain(data.xTest.scalars, threads: 1).features)
    // The reference's rule: the mean of the snapshots' probabilities.
    let members = (result.ensemble.model as! EnsembleModel).members
    let snapshotLogits = members.map { $0.inferencePlan().evaluate(data.xTest.scalars, count: data.xTest.shape[0]) }
    for r in 0..<data.xTest.shape[0] {
      let logit = try #require(explanation.total(row: r, output: 0))
      let mean = snapshotLogits.reduce(0.0) { $0 + 1 / (1 + Foundation.exp(-Double($1[r]))) } / Double(members.count)
      #expect(Swift.abs(1 / (1 + Foundation.exp(-logit)) - Double(p[r, 1])) < 1e-5)
      #expect(Swift.abs(Double(p[r, 1]) - mean) < 1e-6)
    }
  }
}
