import COpenBLASDirect
import Foundation
import Tensor

// `tensor-bench inference` runs only section 4.
if CommandLine.arguments.dropFirst().first == "inference" {
  inferenceBenchmark()
  exit(0)
}

// `tensor-bench step` runs only section 2 (for profiling one training step).
let onlyStep = CommandLine.arguments.dropFirst().first == "step"

// MARK: - 1. sgemm throughput: Tensor.matmul against OpenBLAS called directly

print("== sgemm (single precision matrix product), GFLOP/s, best of runs ==")
print("size            Tensor.matmul   cblas_sgemm   overhead")
for (m, k, n) in onlyStep ? [] : [(64, 128, 128), (256, 256, 256), (1024, 1024, 1024)] {
  var rng = RandomGenerator(seed: 1)
  let a = Tensor.randomNormal([m, k], using: &rng)
  let b = Tensor.randomNormal([k, n], using: &rng)
  let flops = 2.0 * Double(m * n * k)
  let repeats = m >= 1024 ? 10 : 200
  let inner = m >= 1024 ? 1 : 20
  let ours = bestTime(repeats: repeats) {
    for _ in 0..<inner { _ = a.matmul(b) }
  } / Double(inner)
  var c = [Float](repeating: 0, count: m * n)
  let av = a.scalars
  let bv = b.scalars
  let direct = bestTime(repeats: repeats) {
    for _ in 0..<inner {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, av, Int32(k), bv, Int32(n), 0, &c, Int32(n))
    }
  } / Double(inner)
  let label = "\(m)×\(k)×\(n)".padding(toLength: 16, withPad: " ", startingAt: 0)
  print(label + String(format: "%10.1f   %12.1f   %+7.1f%%", flops / ours / 1e9, flops / direct / 1e9, (ours / direct - 1) * 100))
}

// MARK: - 2. One TabResNet training step (forward, backward, Adam)

final class TabResNet: Layer {
  let input: Linear
  let inputNorm: BatchNorm1d
  let blocks: [ResidualBlock]
  let head: Linear
  var mode = ModuleMode()

  init(features: Int, hidden: Int, blocks count: Int, outputs: Int, rng: inout RandomGenerator) {
    input = Linear(features, hidden, rng: &rng)
    inputNorm = BatchNorm1d(hidden)
    blocks = (0..<count).map { _ in ResidualBlock(width: hidden, rng: &rng) }
    head = Linear(hidden, outputs, rng: &rng)
  }

  var children: [(name: String, module: any Module)] {
    [("input", input), ("input_norm", inputNorm)] + blocks.enumerated().map { ("blocks.\($0.offset)", $0.element) } + [("head", head)]
  }

  func callAsFunction(_ x: Tensor) -> Tensor {
    var h = inputNorm(input(x)).gelu()
    for block in blocks { h = block(h) }
    return head(h)
  }
}

print("\n== TabResNet training step: input 30, hidden 128, 2 residual blocks with BatchNorm, output 31, batch 64 ==")
var rng = RandomGenerator(seed: 0)
let model = TabResNet(features: 30, hidden: 128, blocks: 2, outputs: 31, rng: &rng)
let optimizer = Adam(model.parameters, learningRate: 0.01, weightDecay: 0.01)
let x = Tensor.randomNormal([64, 30], using: &rng)
let labels = (0..<64).map { _ in rng.nextInt(below: 31) }
@MainActor func trainingStep() {
  optimizer.zeroGrad()
  let loss = crossEntropy(logits: model(x), labels: labels)
  loss.backward()
  optimizer.step()
}
let steps = 200
let perStep = medianTime(repeats: 15) {
  for _ in 0..<steps { trainingStep() }
} / Double(steps)
print(String(format: "median per step: %.1f µs (target ≤ 1000 µs; the reference PyTorch INN: about 15000 µs)", perStep * 1e6))

if onlyStep { exit(0) }

// MARK: - 3. Memory over 1,000 steps

print("\n== Resident memory over 1,000 training steps (KiB) ==")
var checkpoints: [(Int, Int)] = []
for step in 1...1000 {
  trainingStep()
  if [1, 10, 100, 250, 500, 750, 1000].contains(step) { checkpoints.append((step, procStatus("VmRSS"))) }
}
for (step, rss) in checkpoints { print("after step \(step): VmRSS \(rss)") }
let growth = checkpoints.last!.1 - checkpoints[2].1
print("peak resident (VmHWM): \(procStatus("VmHWM")) KiB; growth from step 100 to 1000: \(growth) KiB")

// MARK: - 4. Evaluation-mode forward throughput: the ordinary forward against inferencePlan()

inferenceBenchmark()
