import Foundation
import Models
import Tensor

/// Evaluation-mode forward throughput of the 20-feature, width-128, 2-block INN at batch 8192:
/// the ordinary forward under `withoutGradient` against the folded `inferencePlan()`, with
/// BLAS threads 1 and 2 (Kernel SHAP's cost is this forward over ~208,800 rows per explained
/// row). Prints µs per row, the best of runs.
func inferenceBenchmark() {
  let batch = 8192
  var rng = RandomGenerator(seed: 0)
  let model = MesomorphicNetwork(features: 20, outputs: 1, width: 128, blocks: 2, rng: &rng)
  for block in model.backbone.blocks { block.bn2.weight.value = .full([128], 0.5) }
  model.eval()
  let x = Tensor.randomNormal([batch, 20], using: &rng)
  let rows = x.scalars
  let flopsPerRow = 2.0 * Double(20 * 128 + 4 * 128 * 128 + 128 * 21)
  let original = BLAS.threadCount
  defer { BLAS.threadCount = original }

  print("\n== INN eval forward, 20 features, width 128, 2 blocks, batch \(batch): µs per row (GFLOP/s), best of runs ==")
  print("BLAS threads   forward (withoutGradient)   inferencePlan()   speed-up")
  for threads in [1, 2] {
    BLAS.threadCount = threads
    let forward = bestTime(repeats: 15) { _ = withoutGradient { model(x) } } / Double(batch)
    let plan = model.inferencePlan()
    let fast = bestTime(repeats: 30) { _ = plan.evaluate(rows, count: batch, threads: threads) } / Double(batch)
    print(String(format: "%12d   %10.2f (%5.1f)          %7.2f (%5.1f)   %6.1f×", threads, forward * 1e6, flopsPerRow / forward / 1e9,
                 fast * 1e6, flopsPerRow / fast / 1e9, forward / fast))
  }
  BLAS.threadCount = 1
  let build = bestTime(repeats: 20) { _ = model.inferencePlan() }
  print(String(format: "building the plan (folding 3 BatchNorms into their Linears): %.0f µs", build * 1e6))
}
