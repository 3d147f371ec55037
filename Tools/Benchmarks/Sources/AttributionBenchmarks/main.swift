// Explaining 10,000 rows of an INN (20 features, width 128, 2 blocks): INN's own explanation
// against one forward pass and against Kernel SHAP (default budget 2d + 2048, 100 background
// rows) on the same model; then Kernel SHAP in ms per explained row on the three architectures
// of Tools/scripts/shap-kernel-bench.py (the `shap` package's KernelExplainer on PyTorch):
// MLP 20→128→1, MLP 20→128→128→1 (ReLU, Tensor `Sequential` through its compiled
// `SequentialPlan`, `SequentialModelAdapter`) and the INN.
//
// Kernel SHAP is timed on `--shap-rows` rows (default 5) and the 10,000-row figure is that
// time extrapolated. Each Kernel SHAP time is printed next to its floor: one evaluation of
// the 208,800 rows it hands the model per explained row, so the rest is the explainer's own
// overhead (building coalition rows, averaging, least squares).
//
//   swift run -c release --package-path Tools/Benchmarks attribution-bench [--shap-rows N] [--threads N]
//   perf record -g .build/release/attribution-bench --profile-overhead 500   # the explainer's own work only
import Attribution
import Foundation
import Models
import Tensor

/// Wall-clock seconds of `body`, best of `repeats` (after one warm-up run).
func bestTime(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
  try body()
  var best = Double.infinity
  for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }
  return best
}

func option(_ name: String) -> Int? {
  let arguments = CommandLine.arguments
  return arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil }
}

let shapRows = option("--shap-rows") ?? 5
let threads = option("--threads") ?? ProcessInfo.processInfo.activeProcessorCount
let features = 20
let rows = 10_000
let backgroundRows = 100
let budget = KernelSHAP.defaultBudget(features: features)
let modelRowsPerExplainedRow = budget * backgroundRows

var rng = RandomGenerator(seed: 0)
let inn = MesomorphicNetwork(features: features, outputs: 1, width: 128, blocks: 2, rng: &rng)
inn.eval()
let x = Tensor.randomNormal([rows, features], using: &rng)
let background = Tensor.randomNormal([backgroundRows, features], using: &rng).scalars
let sample = Array(x.scalars[0..<(shapRows * features)])
print("INN: \(features) features, width 128, 2 blocks, 1 output (random initialisation, evaluation mode); \(rows) rows; "
      + "\(threads) threads, \(ProcessInfo.processInfo.activeProcessorCount) active cores")

// `--profile-overhead N`: only Kernel SHAP's own work, N rows on a model that costs nothing
// (for `perf record`).
if let n = option("--profile-overhead") {
  let start = DispatchTime.now().uptimeNanoseconds
  _ = try KernelSHAP(background: background, seed: 0).explain(FreeModel(features: features), rows: Array(x.scalars[0..<(n * features)]))
  print(String(format: "Kernel SHAP on a model that costs nothing: %.2f ms/row", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(n)))
  exit(0)
}

// MARK: - INN's own explanation against a forward pass

let adapter = TabularModelAdapter(inn, threads: threads)
let explainer = inn
let forward = bestTime(repeats: 5) { _ = withoutGradient { inn(x) } }
let planForward = try bestTime(repeats: 5) { _ = try adapter.evaluate(x.scalars, count: rows) }
let own = try bestTime(repeats: 5) { _ = try explainer.explain(x.scalars, threads: threads) }
print(String(format: "forward pass (autodiff layers), 10,000 rows: %8.2f ms  (%.2f µs/row)", forward * 1e3, forward / Double(rows) * 1e6))
print(String(format: "forward pass (inference plan), 10,000 rows:  %8.2f ms  (%.2f µs/row)", planForward * 1e3, planForward / Double(rows) * 1e6))
print(String(format: "INN explanation, 10,000 rows:                %8.2f ms  (%.2f µs/row)", own * 1e3, own / Double(rows) * 1e6))
print(String(format: "INN explanation / forward pass (inference plan): %.2f×  (target ≤ 2: at most one extra forward pass)", own / planForward))

// MARK: - Kernel SHAP per architecture

/// Kernel SHAP's ms per explained row on `model`, and the model's time for the same number of
/// rows in one call (the floor).
func kernelSHAP(_ name: String, _ model: any ExplainableModel) throws -> (perRow: Double, floor: Double, phi: FeatureAttribution) {
  let kernel = KernelSHAP(background: background, seed: 0)
  _ = try kernel.explain(model, rows: Array(sample[0..<features]))  // warm-up
  let start = DispatchTime.now().uptimeNanoseconds
  let phi = try kernel.explain(model, rows: sample)
  let perRow = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(shapRows)
  let modelRows = [Float](repeating: 0.5, count: modelRowsPerExplainedRow * features)
  var out = [Float](repeating: 0, count: modelRowsPerExplainedRow * model.outputs)
  let floor = try bestTime(repeats: 2) {
    try modelRows.withUnsafeBufferPointer { input in
      try out.withUnsafeMutableBufferPointer { try model.evaluate(input, count: modelRowsPerExplainedRow, into: $0) }
    }
  }
  let label = name.padding(toLength: 26, withPad: " ", startingAt: 0)
  if model is FreeModel {
    print(String(format: "%@: Kernel SHAP %7.1f ms/row: the explainer's own work (coalitions, rows, means, least squares)", label, perRow * 1e3))
  } else {
    print(String(format: "%@: Kernel SHAP %7.1f ms/row; the model alone on %d rows %7.1f ms (%.2f µs/row); overhead %+.1f%%",
                 label, perRow * 1e3, modelRowsPerExplainedRow, floor * 1e3, floor / Double(modelRowsPerExplainedRow) * 1e6,
                 (perRow / floor - 1) * 100))
  }
  return (perRow, floor, phi)
}

print("\nKernel SHAP, budget \(budget), \(backgroundRows) background rows (\(modelRowsPerExplainedRow) model rows per explained row), "
      + "\(shapRows) rows timed after one warm-up row:")
_ = try kernelSHAP("no model (outputs 0)", FreeModel(features: features))
var mlpRNG = RandomGenerator(seed: 1)
let mlp1 = Sequential([Linear(features, 128, rng: &mlpRNG), Activation(.relu), Linear(128, 1, rng: &mlpRNG)])
let mlp2 = Sequential([Linear(features, 128, rng: &mlpRNG), Activation(.relu), Linear(128, 128, rng: &mlpRNG), Activation(.relu),
                       Linear(128, 1, rng: &mlpRNG)])
_ = try kernelSHAP("MLP 20→128→1", SequentialModelAdapter(mlp1, threads: threads))
_ = try kernelSHAP("MLP 20→128→128→1", SequentialModelAdapter(mlp2, threads: threads))
let innSHAP = try kernelSHAP("INN (width 128, 2 blocks)", adapter)

// MARK: - 10,000 rows of the INN

print(String(format: "\nINN, 10,000 rows: own explanation %.3f s; Kernel SHAP %.0f s (extrapolated from %d rows); ratio %.0f×",
             own, innSHAP.perRow * Double(rows), shapRows, innSHAP.perRow * Double(rows) / own))
let total = innSHAP.phi.scores(row: 0).reduce(0, +) + innSHAP.phi.base![0]
print(String(format: "check: row 0 Σφ + base = %.7f, f(x) = %.7f", total, Double(try adapter.evaluate(sample, count: shapRows)[0])))
