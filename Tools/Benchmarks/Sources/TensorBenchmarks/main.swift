import COpenBLASDirect
import CPeakFlops
import Foundation
import Models
import Tensor

// `tensor-bench inference` runs only section 4, `tensor-bench ops` only section 5.
if CommandLine.arguments.dropFirst().first == "inference" {
  inferenceBenchmark()
  exit(0)
}
if CommandLine.arguments.dropFirst().first == "ops" {
  operationBenchmark()
  exit(0)
}
/// The thread count given after `step` or `heads`: nil when none is given; 1 or 2, else it
/// stops with a usage line.
func threadArgument() -> Int? {
  guard let text = CommandLine.arguments.dropFirst(2).first else { return nil }
  guard let count = Int(text), (1...2).contains(count) else {
    print("tensor-bench \(CommandLine.arguments[1]) [threads]: threads is 1 or 2 (both when omitted), got '\(text)'")
    exit(2)
  }
  return count
}
// `tensor-bench heads [threads]` runs only section 6, at the given thread count or at 1 and 2.
if CommandLine.arguments.dropFirst().first == "heads" {
  headBenchmark(threads: threadArgument().map { [$0] } ?? [1, 2])
  exit(0)
}

// `tensor-bench step [threads]` runs only section 2 (for profiling one training step), at the
// given Parallelism.threadCount or at 1 and 2.
let onlyStep = CommandLine.arguments.dropFirst().first == "step"
let stepThreads = onlyStep ? threadArgument() : nil

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

// MARK: - 2. One INN training step (forward, backward, Adam), as `sann train` runs it

// The INN of a 30-feature binary task: TabResNet hypernetwork (30 → 128, 2 residual blocks of
// two 128 × 128 layers with BatchNorm and GELU) whose head writes 31 weights per row, the
// per-instance linear map, BCE with logits plus λ·mean|W(x)|; batch 64, Adam with weight decay.
let stepFeatures = 30, stepWidth = 128, stepBatch = 64
var rng = RandomGenerator(seed: 0)
let model = MesomorphicNetwork(features: stepFeatures, outputs: 1, width: stepWidth, blocks: 2, weightNorm: 0.1, rng: &rng)
model.train()
let optimizer = Adam(model.parameters, learningRate: 0.01, weightDecay: 0.01)
let x = Tensor.randomNormal([stepBatch, stepFeatures], using: &rng)
let targets = Tensor(shape: [stepBatch, 1], scalars: (0..<stepBatch).map { _ in Float(rng.nextInt(below: 2)) })
/// Seconds spent in each phase of the steps timed since the last reset.
struct StepPhases { var forward = 0.0, backward = 0.0, adam = 0.0 }
var phases = StepPhases()
@MainActor func trainingStep() {
  var mark = DispatchTime.now().uptimeNanoseconds
  func lap(_ phase: WritableKeyPath<StepPhases, Double>) {
    let now = DispatchTime.now().uptimeNanoseconds
    phases[keyPath: phase] += Double(now - mark) / 1e9
    mark = now
  }
  optimizer.zeroGrad()
  lap(\.adam)
  // As in `Trainer`: the loss and its graph die with this function, so Adam updates the weights
  // in place instead of copying every one the graph captured.
  func forwardBackward() {
    let output = model.trainingOutput(x)
    let loss = binaryCrossEntropy(logits: output.logits, targets: targets) + output.penalty!
    lap(\.forward)
    loss.backward()
  }
  forwardBackward()
  lap(\.backward)
  optimizer.step()
  lap(\.adam)
}
// Products per step: forward, then ∂W for every layer and ∂x for all but the first.
let layerSizes = [(stepFeatures, stepWidth)] + Array(repeating: (stepWidth, stepWidth), count: 4) + [(stepWidth, stepFeatures + 1)]
let forwardFlops = layerSizes.reduce(0.0) { $0 + 2.0 * Double(stepBatch * $1.0 * $1.1) }
let stepFlops = 2 * forwardFlops + (forwardFlops - 2.0 * Double(stepBatch * stepFeatures * stepWidth))
let peak = sann_bench_peak_gflops()
print("\n== INN training step: 30 features, hidden 128, 2 residual blocks, batch 64 (forward, backward, Adam) ==")
print(String(format: "%.1f MFLOP of matrix products per step; one core's peak: %.1f GFLOP/s on fused multiply-adds", stepFlops / 1e6, peak))
print("as `sann train` runs it: one OpenBLAS thread, libxsmm for the backward products, Heap.retainFreedMemory()")
BLAS.threadCount = 1
BLAS.smallProductKernels = true
_ = Heap.retainFreedMemory()
let cores = ProcessInfo.processInfo.activeProcessorCount
let threadCounts = stepThreads.map { [$0] } ?? (cores >= 2 ? [1, 2] : [1])
for threads in threadCounts {
  Parallelism.threadCount = threads
  let steps = 200
  var repetitions: [StepPhases] = []
  let perStep = medianTime(repeats: 15) {
    phases = StepPhases()
    for _ in 0..<steps { trainingStep() }
    repetitions.append(phases)
  } / Double(steps)
  let rate = stepFlops / perStep / 1e9
  print(String(format: "Parallelism.threadCount %d: median %.1f µs per step, %.1f GFLOP/s = %.0f %% of the peak of %d core(s)",
               threads, perStep * 1e6, rate, 100 * rate / (peak * Double(threads)), threads))
  // Each phase's median over the timed repetitions (the first, a warm-up, left out).
  func median(_ seconds: [Double]) -> Double { seconds.sorted()[seconds.count / 2] / Double(steps) }
  let timed = repetitions.dropFirst()
  let (forward, backward, adam) = (median(timed.map(\.forward)), median(timed.map(\.backward)), median(timed.map(\.adam)))
  print(String(format: "  forward %.1f µs (its products over the phase's time: %.1f GFLOP/s), backward %.1f µs (%.1f GFLOP/s), zeroGrad + Adam %.1f µs",
               forward * 1e6, forwardFlops / forward / 1e9, backward * 1e6, (stepFlops - forwardFlops) / backward / 1e9, adam * 1e6))
}
Parallelism.threadCount = 1
print("(target ≤ 300 µs; the reference PyTorch INN: about 15000 µs)")

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

// MARK: - 5. One operation with its share of the tape

operationBenchmark()

// MARK: - 6. INN against TabResNet at steel-plates' shape

headBenchmark(threads: cores >= 2 ? [1, 2] : [1])
