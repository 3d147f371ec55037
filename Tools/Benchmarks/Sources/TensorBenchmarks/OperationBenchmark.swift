import Foundation
import Tensor

/// Section 5: what one operation of a training step costs with its share of the tape, on the
/// step's 64 × 128 activations, forward and backward (best of 7 rounds). The chain of tiny
/// operations on one value is the tape's own cost per operation: recording it, and handing its
/// gradient on in `backward()`.
func operationBenchmark() {
  print("\n== One operation on a 64 × 128 batch, forward and backward, with the tape (µs, best of 7 rounds) ==")
  Parallelism.threadCount = 1
  _ = Heap.retainFreedMemory()  // as `sann train` does: freed memory is not handed back between calls
  var rng = RandomGenerator(seed: 3)
  var x = Tensor.randomNormal([64, 128], using: &rng)
  let values = x
  x.requiresGrad = true
  let upstream = Tensor.randomNormal([64, 128], using: &rng)
  let norm = BatchNorm1d(128)
  norm.train()
  var one = Tensor([1.5])
  one.requiresGrad = true
  func time(_ label: String, repeats: Int = 2000, _ body: () -> Void) {
    let seconds = bestTime(repeats: 7) { for _ in 0..<repeats { body() } } / Double(repeats)
    print(label.padding(toLength: 52, withPad: " ", startingAt: 0) + String(format: "%8.2f", seconds * 1e6))
  }
  time("GELU") {
    x.gelu().backward(upstream)
    x.grad = nil
  }
  time("BatchNorm1d, training (running statistics too)") {
    norm(x).backward(upstream)
    x.grad = nil
    norm.weight.grad = nil
    norm.bias.grad = nil
  }
  time("BatchNorm1d then GELU, two operations") {
    norm(x).gelu().backward(upstream)
    x.grad = nil
    norm.weight.grad = nil
    norm.bias.grad = nil
  }
  time("BatchNorm1d.gelu, one operation") {
    norm.gelu(x).backward(upstream)
    x.grad = nil
    norm.weight.grad = nil
    norm.bias.grad = nil
  }
  time("BatchNorm1d.gelu, forward only") { _ = norm.gelu(x) }
  time("BatchNorm1d then GELU, forward only") { _ = norm(x).gelu() }
  time("residual add, x + x") {
    (x + x).backward(upstream)
    x.grad = nil
  }
  time("column sum (a linear layer's bias gradient), forward only") { _ = values.sum(alongAxis: 0) }
  time("20 additions of a constant to one value, then sum") {
    var y = one
    for _ in 0..<20 { y = y + 1 }
    y.sum().backward()
    one.grad = nil
  }
  // INN's heads on steel-plates (27 features, 7 classes: 7 × 28 outputs) and vehicle (18
  // features, 4 classes: 4 × 19), forward only, as `sann train` runs them (libxsmm kernels), on
  // one thread and cut in two column blocks on two.
  let smallKernels = BLAS.smallProductKernels
  BLAS.smallProductKernels = true
  for outputs in [196, 76] {
    let head = Linear(128, outputs, rng: &rng)
    for threads in [1, 2] {
      Parallelism.threadCount = threads
      time("linear 128 → \(outputs), forward only, \(threads) thread(s)") { _ = head(values) }
    }
  }
  Parallelism.threadCount = 1
  BLAS.smallProductKernels = smallKernels
}
