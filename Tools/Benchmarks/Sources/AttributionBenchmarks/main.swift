// Explaining 10,000 rows of an INN (20 features, width 128, 2 blocks): INN's own explanation
// against one plain forward pass and against Kernel SHAP (default budget 2d + 2048, 100
// background rows) on the same model. Kernel SHAP is timed on a few rows and extrapolated.
//
//   swift run -c release --package-path Tools/Benchmarks attribution-bench [--shap-rows N]
//
// Compare with Tools/scripts/shap-kernel-bench.py (the `shap` package on the same architecture).
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

let arguments = CommandLine.arguments
let shapRows = arguments.firstIndex(of: "--shap-rows").flatMap { Int(arguments[$0 + 1]) } ?? 5
let features = 20
let rows = 10_000

var rng = RandomGenerator(seed: 0)
let model = Hypernetwork(features: features, outputs: 1, width: 128, blocks: 2, rng: &rng)
model.eval()
let x = Tensor.randomNormal([rows, features], using: &rng)
let background = Tensor.randomNormal([100, features], using: &rng).scalars
print("INN: \(features) features, width 128, 2 blocks, 1 output (random initialisation, evaluation mode); \(rows) rows; BLAS threads \(BLAS.threadCount)")

let explainer = INNExplainer(model)
let forward = bestTime(repeats: 5) { _ = withoutGradient { model(x) } }
let own = try bestTime(repeats: 5) { _ = try explainer.explain(rows: x.scalars) }
print(String(format: "forward pass, 10,000 rows:            %8.2f ms  (%.2f µs/row)", forward * 1e3, forward / Double(rows) * 1e6))
print(String(format: "INN explanation, 10,000 rows:         %8.2f ms  (%.2f µs/row)", own * 1e3, own / Double(rows) * 1e6))
print(String(format: "INN explanation / forward pass:       %8.2f×", own / forward))

let adapter = TabularModelAdapter(model)
let kernel = KernelSHAP(background: background, seed: 0)
let sample = Array(x.scalars[0..<(shapRows * features)])
let start = DispatchTime.now().uptimeNanoseconds
let phi = try kernel.explain(adapter, rows: sample)
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
let perRow = seconds / Double(shapRows)
let budget = KernelSHAP.defaultBudget(features: features)
print(String(format: "Kernel SHAP (budget %d, 100 background rows): %d rows in %.2f s = %.1f ms/row (%d model rows per explained row, %.2f µs per model row)",
             budget, shapRows, seconds, perRow * 1e3, budget * 100, perRow / Double(budget * 100) * 1e6))
print(String(format: "Kernel SHAP, 10,000 rows (extrapolated from %d): %.0f s", shapRows, perRow * Double(rows)))
print(String(format: "Kernel SHAP / INN explanation, 10,000 rows: %.0f×", perRow * Double(rows) / own))
let gap = phi.scores(row: 0).reduce(0, +) + phi.base![0]
print(String(format: "check: row 0 Σφ + base = %.6f, f(x) = %.6f", gap, Double(try adapter.evaluate(Array(sample[0..<features]), count: 1)[0])))
