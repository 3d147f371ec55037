import Foundation
import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("INN hypernetwork")
struct INNTests {
  static func experiment(width: Int, epochs: Int, seed: UInt64 = 0) -> Experiment {
    var experiment = Experiment(model: ModelSpecification(MesomorphicNetwork.self, .init(width: width)))
    experiment.training.epochs = epochs
    experiment.training.seed = seed
    return experiment
  }

  @Test("ranks the two informative features first")
  func ranksInformativeFeatures() throws {
    let data = try PreparedDataset.prepare(TestModels.signalTable(rows: 600, seed: 3), name: "signal", target: "y",
                                           regression: false, testFraction: 0.2, seed: 0)
    let result = try Self.experiment(width: 32, epochs: 15).run(data)
    let top = try #require(result.report.importance?.top10Features)
    #expect(Set(top.prefix(2)) == ["x0", "x1"], "ranking was \(top)")
    #expect((result.report.test.auroc ?? 0) > 0.95)
    #expect(result.report.configuration.interpretable)
  }

  @Test("logits equal [x, 1]·W(x) for every row and output")
  func logitsAreTheLinearModel() throws {
    var rng = RandomGenerator(seed: 11)
    for outputs in [1, 3] {
      let model = MesomorphicNetwork(features: 5, outputs: outputs, width: 16, blocks: 2, rng: &rng)
      // Non-zero second BatchNorm weights so the blocks are not the identity.
      for block in model.backbone.blocks { block.bn2.weight.value = .full([16], 0.5) }
      let x = Tensor.randomNormal([7, 5], using: &rng)
      model.eval()
      let (logits, w) = withoutGradient { model.forward(x) }
      #expect(w.shape == [7, 6, outputs])
      for i in 0..<7 {
        for c in 0..<outputs {
          // The same float operations in the same order as the op: accumulate j = 0…F.
          var expected: Float = 0
          for j in 0...5 {
            let xj: Float = j < 5 ? x[i, j] : 1
            expected += xj * w[i, j, c]
          }
          #expect(logits[i, c] == expected)
        }
      }
    }
  }

  @Test("the own explanation is the model: Σⱼ wⱼ(x)·xⱼ + bias = logit for every output, φ = w·x, any batch")
  func explanationIsTheModel() async {
    await propertyCheck(count: 15, input: Gen.int(in: 1...12), Gen.int(in: 1...3), Gen.int(in: 1...40), Gen.uint64()) { d, c, n, seed in
      let model = TestModels.tabResNetFamily(inn: true, features: d, outputs: c, width: 16, blocks: 1, seed: seed) as! MesomorphicNetwork
      var rng = RandomGenerator(seed: seed &+ 1)
      let x = TestModels.uniform(n * d, &rng, -2, 2)
      let explanation = try #require(try model.selfExplaining?.explain(x, threads: 2).features)
      #expect(explanation.method == "inn" && explanation.rows == n && explanation.outputs == c && explanation.features == d)
      let logits = withoutGradient { model(Tensor(shape: [n, d], scalars: x)) }
      for r in 0..<n {
        for o in 0..<c {
          let total = try #require(explanation.total(row: r, output: o))
          #expect(Swift.abs(total - Double(logits[r, o])) < 1e-4 * (1 + Swift.abs(Double(logits[r, o]))))
          for j in 0..<d {
            let w = try #require(explanation.coefficient(row: r, output: o, feature: j))
            #expect(explanation[r, o, j] == Double(Float(w) * x[r * d + j]))
          }
        }
        // The explained output is the arg-max logit.
        if c > 1 {
          let row = (0..<c).map { logits[r, $0] }
          let best = row.indices.max { row[$0] < row[$1] }!
          #expect(explanation.explainedOutput(row: r) == best || Swift.abs(row[best] - row[explanation.explainedOutput(row: r)]) < 1e-4)
        }
      }
      // One row at a time gives the same explanation.
      let single = try model.explain(Array(x.prefix(d)), threads: 1).features!
      #expect(maxRelativeDifference(single.values, Array(explanation.values.prefix(c * d))) < 1e-5)
    }
  }

  @Test("the own explanation rejects rows of the wrong width and non-finite values")
  func explanationRejectsBadRows() {
    var rng = RandomGenerator(seed: 1)
    let model = MesomorphicNetwork(features: 4, outputs: 1, width: 8, blocks: 1, rng: &rng)
    #expect(throws: ExplanationError.wrongWidth(values: 3, features: 4)) { try model.explain([1, 2, 3], threads: 1) }
    #expect(throws: ExplanationError.nonFinite(row: 1, feature: 2, value: .infinity)) {
      try model.explain([0, 0, 0, 0, 0, 0, .infinity, 0], threads: 1)
    }
  }

  @Test("the same seed gives identical reports apart from timings")
  func deterministic() throws {
    func run() throws -> Data {
      let data = try PreparedDataset.prepare(TestModels.signalTable(rows: 200, seed: 5), name: "signal", target: "y",
                                             regression: false, testFraction: 0.25, seed: 4)
      var report = try Self.experiment(width: 16, epochs: 6, seed: 4).run(data).report
      (report.time, report.trainTime, report.inferenceTime) = (0, 0, 0)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      return try encoder.encode(report)
    }
    #expect(try run() == run())
  }
}

@Suite("Iteration plan")
struct IterationPlanTests {
  @Test("cycles follow T0 = floor(R·(m−1)/(m^r−1)) after warm-up and snapshots end each cycle")
  func referenceFormula() {
    // 100 epochs × 10 batches, 5 warm-up epochs: R = 950 iterations after warm-up;
    // T0 = floor(950·1/7) = 135; cycles end at 50+135 = 185, 185+270 = 455, 455+540 = 995.
    let plan = IterationPlan(epochs: 100, batchesPerEpoch: 10, warmupEpochs: 5, tMult: 2, restarts: 3)
    #expect(plan.total == 1000)
    #expect(plan.warmup == 50)
    #expect(plan.firstCycle == 135)
    #expect(plan.snapshots == [185, 455, 995])
  }

  @Test("T_mult = 1 splits the remaining iterations evenly")
  func constantCycles() {
    let plan = IterationPlan(epochs: 10, batchesPerEpoch: 3, warmupEpochs: 0, tMult: 1, restarts: 3)
    #expect(plan.firstCycle == 10)
    #expect(plan.snapshots == [10, 20, 30])
  }
}
