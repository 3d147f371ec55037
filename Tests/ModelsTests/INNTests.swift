import Foundation
import Models
import Testing
import Tensor

@Suite("INN hypernetwork")
struct INNTests {
  /// A table whose label depends only on features 0 and 1: y = 1 when 2·x0 − 1.5·x1 + small
  /// noise > 0; features 2…5 are independent noise.
  static func signalTable(rows: Int, seed: UInt64) -> DataTable {
    var rng = RandomGenerator(seed: seed)
    var columns = [[Float?]](repeating: [], count: 6)
    var labels: [Int?] = []
    for _ in 0..<rows {
      let x = (0..<6).map { _ in rng.nextNormal() }
      for j in 0..<6 { columns[j].append(x[j]) }
      labels.append(2 * x[0] - 1.5 * x[1] + 0.1 * rng.nextNormal() > 0 ? 1 : 0)
    }
    return DataTable(
      source: "synthetic",
      columns: columns.enumerated().map { DataTable.Column(name: "x\($0.offset)", values: .numeric($0.element)) }
        + [DataTable.Column(name: "y", values: .categorical(levels: ["neg", "pos"], codes: labels))])
  }

  @Test("ranks the two informative features first")
  func ranksInformativeFeatures() throws {
    let data = try PreparedDataset.prepare(Self.signalTable(rows: 600, seed: 3), name: "signal", target: "y",
                                           regression: false, testFraction: 0.2, seed: 0)
    var experiment = Experiment(architecture: .inn)
    experiment.width = 32
    experiment.configuration.epochs = 15
    let result = try experiment.run(data)
    let top = try #require(result.info["top_10_features"] as? [String])
    #expect(Set(top.prefix(2)) == ["x0", "x1"], "ranking was \(top)")
    let auroc = try #require(result.info["test_auroc"] as? Double)
    #expect(auroc > 0.95)
  }

  @Test("logits equal [x, 1]·W(x) for every row and output")
  func logitsAreTheLinearModel() throws {
    var rng = RandomGenerator(seed: 11)
    for outputs in [1, 3] {
      let model = Hypernetwork(features: 5, outputs: outputs, width: 16, blocks: 2, rng: &rng)
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
      let explanation = INNExplanation(model: model, inputs: x)
      for i in 0..<7 {
        let sum = (0..<5).reduce(Float(0)) { $0 + explanation.contribution(row: i, feature: $1) } + explanation.bias(row: i)
        #expect(Swift.abs(sum - logits[i, explanation.explainedOutput[i]]) <= 1e-5 * Swift.max(1, Swift.abs(sum)))
      }
    }
  }

  @Test("the same seed gives identical results apart from timings")
  func deterministic() throws {
    func run() throws -> [String: Any] {
      let data = try PreparedDataset.prepare(Self.signalTable(rows: 200, seed: 5), name: "signal", target: "y",
                                             regression: false, testFraction: 0.25, seed: 4)
      var experiment = Experiment(architecture: .inn)
      experiment.width = 16
      experiment.configuration.epochs = 6
      experiment.configuration.seed = 4
      var info = try experiment.run(data).info
      for key in ["time", "train_time", "inference_time"] { info.removeValue(forKey: key) }
      return info
    }
    let a = try JSONSerialization.data(withJSONObject: try run(), options: [.sortedKeys])
    let b = try JSONSerialization.data(withJSONObject: try run(), options: [.sortedKeys])
    #expect(a == b)
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
