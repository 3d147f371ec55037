// Sum-of-Parts and NAM speed (release build, this machine):
//  1. SOP inference rows/s at m = 8 and m = 20 groups next to its TabResNet backbone alone
//     (30 features, width 128, 2 blocks): the m masked passes are one batched evaluation, so
//     SOP should cost no more than m backbone passes (ratio ≤ 1).
//  2. SOP training seconds per epoch (frozen backbone; generator, selector) next to TabResNet's
//     per epoch under the INN reference's trainer, on the same 30-feature training rows.
//  3. NAM training seconds per epoch with its batched feature networks next to the same NAM
//     built the way the PyTorch ports build it, one network per feature evaluated in a loop.
//
//   swift run -c release --package-path Tools/Benchmarks model-bench
import Foundation
import Models
import Tensor

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func best(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
  try body()
  var best = Double.infinity
  for _ in 0..<repeats { best = min(best, try seconds(body)) }
  return best
}

let d = 30
var rng = RandomGenerator(seed: 0)
/// A 30-feature binary task: 800 training and 200 test rows, the label a noisy linear rule.
func dataset() throws -> PreparedDataset {
  var data = RandomGenerator(seed: 1)
  let n = 1000
  let x = (0..<(n * d)).map { _ in data.nextNormal() }
  let y = (0..<n).map { r -> Float in (0..<5).reduce(Float(0)) { $0 + x[r * d + $1] } + 0.5 * data.nextNormal() > 0 ? 1 : 0 }
  return try PreparedDataset(name: "synthetic", featureNames: (0..<d).map { "x\($0)" }, xTrain: Array(x[0..<(800 * d)]), yTrain: Array(y[0..<800]),
                             xTest: Array(x[(800 * d)...]), yTest: Array(y[800...]), classNames: ["0", "1"])
}
let data = try dataset()

// MARK: - 1. SOP inference against its backbone

print("== Sum-of-Parts inference, \(d) features, backbone width 128 × 2 blocks, 8192 rows, 1 BLAS thread ==")
BLAS.threadCount = 1
let rows = 8192
let x = Tensor.randomNormal([rows, d], using: &rng).scalars
for m in [8, 20] {
  var c = SumOfParts.Configuration()
  c.groups = m
  let sop = try SumOfParts(configuration: c, features: d, outputs: 1, rng: &rng)
  sop.eval()
  let backbonePlan = sop.backbone.inferencePlan()
  let sopPlan = sop.inferencePlan()
  let groups = sop.groupCount
  let backbone = best(3) { _ = backbonePlan.evaluate(x, count: rows, threads: 1) }
  let full = best(3) { _ = sopPlan.evaluate(x, count: rows, threads: 1) }
  // The masked rows of 512 rows, m per row, in one evaluation (what SOP does per chunk) against
  // m evaluations of 512 rows.
  let chunk = Array(x[0..<(512 * d)])
  let masked = [Float]((0..<groups).map { _ in chunk }.joined())
  let batched = best(5) { _ = backbonePlan.evaluate(masked, count: 512 * groups, threads: 1) }
  let separate = best(5) { for _ in 0..<groups { _ = backbonePlan.evaluate(chunk, count: 512, threads: 1) } }
  print(String(format: "m = %2d: SOP %7.0f rows/s; backbone alone %7.0f rows/s; SOP / (m × backbone) = %.2f; "
               + "the m·512 masked rows in one evaluation %.1f ms, as m evaluations of 512 rows %.1f ms (%.2f×)", groups,
               Double(rows) / full, Double(rows) / backbone, full / (Double(groups) * backbone), batched * 1e3, separate * 1e3, batched / separate))
}

// MARK: - 2. Training seconds per epoch

print("\n== training seconds per epoch, 800 rows, batch 64 ==")
var training = TrainingConfiguration()
training.epochs = 5
training.warmupEpochs = 1
let tabresnet = TabResNet(features: d, outputs: 1, rng: &rng)
let tabresnetEpoch = seconds { _ = Trainer.train(tabresnet, on: data, configuration: training) } / 5
let sop = try SumOfParts(configuration: SumOfParts.Configuration(), features: d, outputs: 1, rng: &rng)
var validated = ValidatedTraining()
validated.epochs = 5
let sopEpoch = try seconds { _ = try ValidatedTrainer.train(sop, on: data, configuration: validated) } / 5
print(String(format: "TabResNet (INN reference trainer): %.3f s/epoch; SOP m = 20 (backbone frozen): %.3f s/epoch (%.1f×)", tabresnetEpoch, sopEpoch,
             sopEpoch / tabresnetEpoch))

// MARK: - 3. NAM: batched feature networks against a loop over features

/// The NAM the PyTorch ports build: one Sequential network per feature, run one by one.
final class LoopedNAM: TabularModel {
  let networks: [Sequential]
  let intercept = Parameter(.zeros([1]))
  var mode = ModuleMode()

  init(features: Int, rng: inout RandomGenerator) {
    networks = (0..<features).map { _ in
      Sequential([Linear(1, 64, rng: &rng), Activation(.relu), Linear(64, 32, rng: &rng), Activation(.relu), Linear(32, 1, bias: false, rng: &rng)])
    }
  }

  var features: Int { networks.count }
  var outputs: Int { 1 }
  var children: [(name: String, module: any Module)] { networks.enumerated().map { ("\($0.offset)", $0.element as any Module) } }
  var ownParameters: [(name: String, parameter: Parameter)] { [("intercept", intercept)] }

  func callAsFunction(_ x: Tensor) -> Tensor {
    let n = x.shape[0]
    var total = Tensor.zeros([n, 1]) + intercept.value
    for (j, network) in networks.enumerated() {
      let column = x.gathering(alongAxis: 1, indices: (0..<n).map { _ in j }, indexShape: [n, 1])
      total = total + network(column)
    }
    return total
  }
}

print("\n== NAM training seconds per epoch, \(d) features, hidden 64 → 32, ReLU first layer, 800 rows, batch 64 ==")
var namConfiguration = NeuralAdditiveModel.Configuration()
namConfiguration.firstLayer = .relu
namConfiguration.dropout = 0
namConfiguration.featureDropout = 0
namConfiguration.outputPenalty = 0
let nam = try NeuralAdditiveModel(configuration: namConfiguration, features: d, outputs: 1, rng: &rng)
validated.epochs = 5
validated.patience = nil
let batched = try seconds { _ = try ValidatedTrainer.train(nam.members[0], on: data, configuration: validated) } / 5
let looped = try seconds { _ = try ValidatedTrainer.train(LoopedNAM(features: d, rng: &rng), on: data, configuration: validated) } / 5
print(String(format: "batched feature networks: %.4f s/epoch; one network per feature in a Swift loop: %.4f s/epoch (%.1f×); "
             + "PyTorch with a Python loop over features: see Tools/scripts/nam-torch-bench.py", batched, looped, looped / batched))
