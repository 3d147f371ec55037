// The C kernels of the training step against the plain loops they replaced (batch norm, INN's
// per-instance linear map, sums over leading axes: the same values bit for bit, forward and
// backward), libxsmm's small products against the plain product and its forward products against
// OpenBLAS's bits, and the heap setting.

import PropertyBased
@testable import Tensor
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Batch-norm kernels")
struct BatchNormKernelTests {
  /// The plain implementation: statistics summed row by row, no fused multiply-adds.
  static func reference(_ x: [Float], n: Int, c: Int, gamma: [Float], beta: [Float], epsilon: Float, g: [Float])
    -> (out: [Float], mean: [Float], variance: [Float], dx: [Float], dGamma: [Float], dBeta: [Float]) {
    let count = Float(n)
    var mean = [Float](repeating: 0, count: c), variance = mean, invStd = mean
    for r in 0..<n { for j in 0..<c { mean[j] += x[r * c + j] } }
    for j in 0..<c { mean[j] /= count }
    for r in 0..<n { for j in 0..<c { let d = x[r * c + j] - mean[j]; variance[j] += d * d } }
    for j in 0..<c { variance[j] /= count; invStd[j] = 1 / (variance[j] + epsilon).squareRoot() }
    var xhat = [Float](repeating: 0, count: n * c), out = xhat
    for r in 0..<n {
      for j in 0..<c {
        let v = (x[r * c + j] - mean[j]) * invStd[j]
        xhat[r * c + j] = v
        out[r * c + j] = v * gamma[j] + beta[j]
      }
    }
    var sumG = [Float](repeating: 0, count: c), sumGX = sumG
    for r in 0..<n { for j in 0..<c { sumG[j] += g[r * c + j]; sumGX[j] += g[r * c + j] * xhat[r * c + j] } }
    let scale = (0..<c).map { gamma[$0] * invStd[$0] / count }
    var dx = [Float](repeating: 0, count: n * c)
    for r in 0..<n {
      for j in 0..<c { dx[r * c + j] = scale[j] * (count * g[r * c + j] - sumG[j] - xhat[r * c + j] * sumGX[j]) }
    }
    return (out, mean, variance, dx, sumGX, sumG)
  }

  @Test("forward, statistics and every gradient equal the plain loops bit for bit")
  func matchesPlainLoops() async {
    await propertyCheck(count: 60, input: Gen.int(in: 1...70), Gen.int(in: 1...40), Gen.uint64()) { n, c, seed in
      var rng = RandomGenerator(seed: seed)
      func values(_ count: Int, _ scale: Float) -> [Float] { (0..<count).map { _ in rng.nextNormal() * scale + rng.nextNormal() } }
      let (xs, gammas, betas, gs) = (values(n * c, 3), values(c, 1), values(c, 1), values(n * c, 1))
      var x = Tensor(shape: [n, c], scalars: xs)
      x.requiresGrad = true
      var gamma = Tensor(shape: [c], scalars: gammas)
      gamma.requiresGrad = true
      var beta = Tensor(shape: [c], scalars: betas)
      beta.requiresGrad = true
      let (y, mean, variance) = Tensor.batchNormTraining(x, weight: gamma, bias: beta, epsilon: 1e-5)
      (y * Tensor(shape: [n, c], scalars: gs)).sum().backward()
      let expected = Self.reference(xs, n: n, c: c, gamma: gammas, beta: betas, epsilon: 1e-5, g: gs)
      #expect(y.scalars == expected.out && mean.scalars == expected.mean && variance.scalars == expected.variance)
      #expect(x.grad?.scalars == expected.dx)
      #expect(gamma.grad?.scalars == expected.dGamma && beta.grad?.scalars == expected.dBeta)
    }
  }
}

@Suite("BatchNorm1d.gelu: GELU(BatchNorm(x)) and GELU(r + BatchNorm(x)) in one operation")
struct BatchNormGELUTests {
  /// Where the residual comes from.
  enum Residual: CaseIterable { case none, separate, input }

  /// The operation's output, then the loss's ∂x, ∂γ, ∂β, the running statistics and ∂r (for a
  /// separate residual r), as bit patterns. The loss uses x or r twice more (·0.5 and ·0.25), as
  /// a residual block's input also feeds its first layer, so their gradients are sums of three
  /// in the tape's order; with `Residual.input` the residual is x itself. Only the tensors in
  /// `gradients` (0 x, 1 r) ask for gradients.
  private static func run(fused: Bool, threads: Int, _ xs: [Float], n: Int, c: Int, gamma: [Float], beta: [Float],
                          residual kind: Residual, rs: [Float], g: [Float], gradients: Set<Int>) -> [[UInt32]] {
    Parallelism.threadCount = threads
    defer { Parallelism.threadCount = 1 }
    let norm = BatchNorm1d(c)
    norm.weight.value = Tensor(shape: [c], scalars: gamma)
    norm.bias.value = Tensor(shape: [c], scalars: beta)
    norm.train()
    var x = Tensor(shape: [n, c], scalars: xs)
    x.requiresGrad = gradients.contains(0)
    var separate = Tensor(shape: [n, c], scalars: rs)
    separate.requiresGrad = gradients.contains(1)
    let r: Tensor? = kind == .none ? nil : kind == .input ? x : separate
    let out: Tensor
    switch (fused, r) {
    case (true, nil): out = norm.gelu(x)
    case (false, nil): out = norm(x).gelu()
    case (true, let r?): out = norm.gelu(x, adding: r)
    case (false, let r?): out = (r + norm(x)).gelu()
    }
    let reused = r ?? x
    let loss = ((out + reused * 0.5 + reused * 0.25) * Tensor(shape: [n, c], scalars: g)).sum()
    loss.backward()
    var results = [out.scalars, norm.weight.grad!.scalars, norm.bias.grad!.scalars, norm.runningMean.value.scalars,
                   norm.runningVar.value.scalars]
    if gradients.contains(0) { results.append(x.grad!.scalars) }
    if gradients.contains(1) && kind == .separate { results.append(separate.grad!.scalars) }
    return results.map { $0.map(\.bitPattern) }
  }

  @Test("output, every gradient and the running statistics: the bits of BatchNorm1d, the sum and GELU in turn, at 1 and 2 threads")
  func sameBitsAsSeparateOperations() async {
    // Up to 150 rows × 200 columns: both sides of the two-core threshold (64 × 64 values), odd
    // row counts, and γ, β wide enough to put GELU's inputs in its tails.
    let cases = zip(Gen.int(in: 0..<Residual.allCases.count), Gen.int(in: 1...3))
    await propertyCheck(count: 80, input: Gen.int(in: 2...150), Gen.int(in: 1...200), Gen.float(in: 0...6), cases, Gen.uint64()) {
      n, c, spread, choice, seed in
      let (kind, gradients) = (Residual.allCases[choice.0], [Set([0]), Set([1]), Set([0, 1])][choice.1 - 1])
      var rng = RandomGenerator(seed: seed)
      func values(_ count: Int, _ scale: Float) -> [Float] { (0..<count).map { _ in rng.nextNormal() * scale + rng.nextNormal() } }
      let (xs, gamma, beta, g, rs) = (values(n * c, 3), values(c, spread), values(c, spread), values(n * c, 1), values(n * c, 2))
      let composed = Self.run(fused: false, threads: 1, xs, n: n, c: c, gamma: gamma, beta: beta, residual: kind, rs: rs, g: g,
                              gradients: gradients)
      for threads in [1, 2] {
        let fused = Self.run(fused: true, threads: threads, xs, n: n, c: c, gamma: gamma, beta: beta, residual: kind, rs: rs, g: g,
                             gradients: gradients)
        let names = ["output", "∂γ", "∂β", "running mean", "running variance", gradients.contains(0) ? "∂x" : "∂r", "∂r"]
        #expect(fused.count == composed.count)
        for (index, name) in names.prefix(composed.count).enumerated() {
          #expect(fused[index] == composed[index], "\(name), \(n) × \(c), residual \(kind), gradients of \(gradients.sorted()), \(threads) thread(s)")
        }
      }
    }
  }

  @Test("in evaluation it is BatchNorm1d, the sum and GELU with the running statistics")
  func evaluation() {
    var rng = RandomGenerator(seed: 4)
    let norm = BatchNorm1d(5)
    norm.runningMean.value = Tensor(shape: [5], scalars: (0..<5).map { _ in rng.nextNormal() })
    norm.runningVar.value = Tensor(shape: [5], scalars: (0..<5).map { _ in 1 + rng.nextUniform() })
    norm.eval()
    let x = Tensor.randomNormal([3, 5], using: &rng), r = Tensor.randomNormal([3, 5], using: &rng)
    #expect(norm.gelu(x).scalars == norm(x).gelu().scalars)
    #expect(norm.gelu(x, adding: r).scalars == (r + norm(x)).gelu().scalars)
  }
}

@Suite("Heap settings")
struct HeapTests {
  @Test("retaining freed memory is accepted by glibc (what sann sets at start-up), and sizes out of range are not asked")
  func retain() {
    #if canImport(Glibc)
    #expect(Heap.retainFreedMemory())
    #expect(Heap.retainFreedMemory(trimThreshold: 0, topPad: 0))
    #expect(Heap.retainFreedMemory())
    #endif
  }

  #if canImport(Glibc)
  @Test("a freed 24 MiB array's memory is reused without faulting its pages in again (glibc maps blocks from 128 KB on from the OS unless told otherwise)")
  func largeBlocksStayOnTheHeap() async {
    // In a process of its own: in this one, blocks freed by earlier tests may already hold the
    // space, and the array would come from them whatever the setting.
    await #expect(processExitsWith: .success) {
      guard Heap.retainFreedMemory() else { exit(2) }
      func minorFaults() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD: this thread only
        return usage.ru_minflt
      }
      let count = 6 << 20  // 24 MiB of floats: 6,144 pages
      var total: Float = 0
      let before = minorFaults()
      for round in 0..<5 {
        let values = [Float](repeating: Float(round), count: count)  // every page written
        total += values[count - 1]
      }
      // The first array faults its 6,144 pages in; five mapped afresh would fault about 30,700.
      exit(total == 10 && minorFaults() - before < 12_000 ? 0 : 1)
    }
  }
  #endif
}

@Suite("Small products through libxsmm")
struct SmallProductTests {
  /// A·B or Aᵀ·B in Double, the plain triple loop.
  static func reference(_ a: [Float], _ b: [Float], transposeA: Bool, m: Int, n: Int, k: Int) -> [Double] {
    (0..<(m * n)).map { i in
      let (r, c) = (i / n, i % n)
      return (0..<k).reduce(0.0) { $0 + Double(transposeA ? a[$1 * m + r] : a[r * k + $1]) * Double(b[$1 * n + c]) }
    }
  }

  @Test("A·B and Aᵀ·B (the backward products) agree with the plain product, any small shape, and with OpenBLAS beyond the limit")
  func agreesWithPlainProduct() async {
    await propertyCheck(count: 80, input: Gen.int(in: 1...150), Gen.int(in: 1...150), Gen.int(in: 1...140), Gen.uint64()) { m, n, k, seed in
      var rng = RandomGenerator(seed: seed)
      let transposeA = seed % 2 == 0
      let a = (0..<(m * k)).map { _ in rng.nextNormal() }
      let b = (0..<(k * n)).map { _ in rng.nextNormal() }
      // libxsmm directly (matrixProduct uses it only with one OpenBLAS thread, and tests run
      // with the default), then through matrixProduct, whichever library it picks.
      var c = [Float](repeating: .nan, count: m * n)
      let viaXSMM = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
        smallProduct(pa.baseAddress!, pb.baseAddress!, transposeA: transposeA, m: m, n: n, k: k, into: pc.baseAddress!)
      } } }
      #expect(viaXSMM, "libxsmm has no kernel for \(m)×\(n)×\(k)")
      let expected = Self.reference(a, b, transposeA: transposeA, m: m, n: n, k: k)
      let scale = Double(k).squareRoot()
      for i in 0..<(m * n) { #expect(Swift.abs(Double(c[i]) - expected[i]) <= 1e-5 * scale * (1 + Swift.abs(expected[i])), "\(m)×\(n)×\(k) at \(i)") }
      c = matrixProduct(a, b, transposeA: transposeA, transposeB: false, m: m, n: n, k: k)
      for i in 0..<(m * n) { #expect(Swift.abs(Double(c[i]) - expected[i]) <= 1e-5 * scale * (1 + Swift.abs(expected[i])), "\(m)×\(n)×\(k) at \(i)") }
    }
    // Beyond the limit OpenBLAS computes it; the same formula holds.
    var rng = RandomGenerator(seed: 9)
    let (m, n, k) = (200, 300, 260)
    let a = (0..<(m * k)).map { _ in rng.nextNormal() }, b = (0..<(k * n)).map { _ in rng.nextNormal() }
    let c = matrixProduct(a, b, transposeA: false, transposeB: false, m: m, n: n, k: k)
    let expected = Self.reference(a, b, transposeA: false, m: m, n: n, k: k)
    #expect(zip(c, expected).allSatisfy { Swift.abs(Double($0) - $1) <= 1e-4 * (1 + Swift.abs($1)) })
  }
}

@Suite("Per-instance linear and leading-axis sum kernels")
struct StepKernelTests {
  @Test("perInstanceLinear: values and both gradients equal the plain loops bit for bit, any n, j, k (empty extents give zeros; k = 1, 2…8, 9…16 and more take different kernels)")
  func perInstanceLinear() async {
    await propertyCheck(count: 120, input: Gen.int(in: 0...40), Gen.int(in: 0...30), Gen.int(in: 0...20), Gen.uint64()) { n, j, k, seed in
      var rng = RandomGenerator(seed: seed)
      let xs = (0..<(n * j)).map { _ in rng.nextNormal() }, ws = (0..<(n * j * k)).map { _ in rng.nextNormal() }
      let gs = (0..<(n * k)).map { _ in rng.nextNormal() }
      var x = Tensor(shape: [n, j], scalars: xs)
      x.requiresGrad = true
      var w = Tensor(shape: [n, j, k], scalars: ws)
      w.requiresGrad = true
      let y = Tensor.perInstanceLinear(x, weights: w)
      (y * Tensor(shape: [n, k], scalars: gs)).sum().backward()
      var out = [Float](repeating: 0, count: n * k), dx = [Float](repeating: 0, count: n * j), dw = [Float](repeating: 0, count: n * j * k)
      for r in 0..<n {
        for col in 0..<j {
          var s: Float = 0
          for c in 0..<k {
            out[r * k + c] += xs[r * j + col] * ws[(r * j + col) * k + c]
            s += ws[(r * j + col) * k + c] * gs[r * k + c]
            dw[(r * j + col) * k + c] = xs[r * j + col] * gs[r * k + c]
          }
          dx[r * j + col] = s
        }
      }
      #expect(y.scalars == out && y.shape == [n, k])
      #expect(x.grad?.scalars ?? [] == dx && w.grad?.scalars ?? [] == dw)
    }
  }

  @Test("sums over leading and middle axes equal the generic fold bit for bit")
  func leadingSums() async {
    await propertyCheck(count: 60, input: Gen.int(in: 1...5), Gen.int(in: 0...40), Gen.int(in: 1...50), Gen.uint64()) { a, b, c, seed in
      var rng = RandomGenerator(seed: seed)
      let t = Tensor(shape: [a, b, c], scalars: (0..<(a * b * c)).map { _ in rng.nextNormal() * 10 })
      for axes in [[0], [1], [0, 1]] {
        let plan = ReductionPlan(shape: t.shape, axes: axes, operation: "sum")
        #expect(t.sum(alongAxes: axes).scalars == plan.reduce(t, initial: 0) { $0 + $1 }, "axes \(axes)")
      }
    }
  }
}

@Suite("Forward products through libxsmm")
struct AffineColumnsTests {
  /// y = x·Wᵀ + b as OpenBLAS computes it for `Tensor.linear` without libxsmm: C prefilled
  /// with the bias (zeros without one), then β = 1.
  static func openBLASAffine(_ x: [Float], _ w: [Float], _ bias: [Float]?, rows: Int, inputs: Int, outputs: Int) -> [Float] {
    var c = [Float](repeating: 0, count: rows * outputs)
    if let bias { for r in 0..<rows { for j in 0..<outputs { c[r * outputs + j] = bias[j] } } }
    x.withUnsafeBufferPointer { px in
      w.withUnsafeBufferPointer { pw in
        c.withUnsafeMutableBufferPointer { pc in
          sgemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs, px.baseAddress!, pw.baseAddress!, beta: 1, pc.baseAddress!)
        }
      }
    }
    return c
  }

  /// C = X·Wᵀ (+ b) through affineThroughColumns.
  static func columnsAffine(_ x: [Float], _ w: [Float], _ bias: [Float]?, rows: Int, inputs: Int, outputs: Int) -> ([Float], Bool) {
    var c = [Float](repeating: .nan, count: rows * outputs)
    let done = c.withUnsafeMutableBufferPointer { pc in
      affineThroughColumns(Tensor(shape: [rows, inputs], scalars: x), weight: Tensor(shape: [outputs, inputs], scalars: w),
                           bias: bias.map { Tensor(shape: [outputs], scalars: $0) }, rows: rows, inputs: inputs, outputs: outputs,
                           into: pc.baseAddress!)
    }
    return (c, done)
  }

  @Test("the rule sends 64–128 rows, 19 or more outputs and 1–256 inputs to libxsmm, and only where OpenBLAS runs the kernels it was checked against")
  func ruleBounds() {
    let on = BLAS.smallProductKernels && openBLASSumsInOrder
    #expect(affineColumnsApply(rows: 64, inputs: 128, outputs: 128) == on)
    #expect(affineColumnsApply(rows: 128, inputs: 256, outputs: 19) == on)
    for (rows, inputs, outputs) in [(63, 128, 128), (129, 128, 128), (64, 128, 18), (64, 257, 128), (64, 321, 19), (64, 0, 128), (128, 256, 257)] {
      #expect(!affineColumnsApply(rows: rows, inputs: inputs, outputs: outputs), "\(rows)×\(inputs)→\(outputs)")
    }
  }

  @Test("x·Wᵀ + b by transposed column blocks through libxsmm: OpenBLAS's bits on every shape the rule sends there, with and without a bias, whole and in two blocks on two threads (where OpenBLAS's kernels sum in another order, the rule sends nothing there)")
  func sameBitsAsOpenBLAS() async {
    guard openBLASSumsInOrder else {
      #expect(!affineColumnsApply(rows: 64, inputs: 128, outputs: 128))
      return
    }
    await propertyCheck(count: 80, input: Gen.int(in: 64...128), Gen.int(in: 19...1100), Gen.int(in: 1...256), Gen.bool, Gen.uint64()) { rows, outputs, wanted, withBias, seed in
      let inputs = Swift.max(1, Swift.min(wanted, smallProductLimit / (rows * outputs)))
      #expect(affineColumnsApply(rows: rows, inputs: inputs, outputs: outputs) == BLAS.smallProductKernels)
      var rng = RandomGenerator(seed: seed)
      let x = (0..<(rows * inputs)).map { _ in rng.nextNormal() }
      let w = (0..<(outputs * inputs)).map { _ in rng.nextNormal() * 0.2 }
      let bias = withBias ? (0..<outputs).map { _ in rng.nextNormal() } : nil
      let expected = Self.openBLASAffine(x, w, bias, rows: rows, inputs: inputs, outputs: outputs)
      for threads in [1, 2] {
        Parallelism.threadCount = threads
        defer { Parallelism.threadCount = 1 }
        let (c, done) = Self.columnsAffine(x, w, bias, rows: rows, inputs: inputs, outputs: outputs)
        #expect(done, "libxsmm has a kernel for \(rows)×\(inputs)→\(outputs)")
        let same = c.map(\.bitPattern) == expected.map(\.bitPattern)
        #expect(same, "\(rows)×\(inputs)→\(outputs), bias \(withBias), \(threads) threads")
      }
    }
  }

  @Test("without a bias a sum that underflowed to −0 comes out +0, as OpenBLAS adding it to zeros gives")
  func underflowWithoutBias() {
    let (rows, inputs, outputs) = (64, 1, 19)
    // (−1e-30)·(1e-30) rounds to −0.
    let x = [Float](repeating: -1e-30, count: rows * inputs), w = [Float](repeating: 1e-30, count: outputs * inputs)
    let (c, _) = Self.columnsAffine(x, w, nil, rows: rows, inputs: inputs, outputs: outputs)
    let expected = Self.openBLASAffine(x, w, nil, rows: rows, inputs: inputs, outputs: outputs)
    #expect(c.map(\.bitPattern) == expected.map(\.bitPattern) && c.allSatisfy { $0 == 0 && $0.sign == .plus })
  }
}

@Suite("NAM's ExU unit in one operation")
struct ExUKernelTests {
  @Test("Tensor.exu: the values and the gradients of x, bias and the weights under exp() equal ((x − b)·eʷ).clamped(0, 1) composed of tape operations, bit for bit, with products landing on the clamp's bounds and signed zeros")
  func sameBitsAsComposedOperations() async {
    await propertyCheck(count: 120, input: Gen.int(in: 1...4), Gen.int(in: 0...9), Gen.int(in: 0...20), Gen.bool, Gen.uint64()) { d, n, h, inputGradient, seed in
      var rng = RandomGenerator(seed: seed)
      // Values from a small set as well as normal draws: differences of exactly 0 and ±0,
      // products of exactly 0 and 1 (0.5 · e^{ln 2}), and entries of g that are 0.
      let special: [Float] = [-1, -0.5, -0.0, 0, 0.25, 0.5, 1, 2]
      func draw() -> Float { rng.nextUniform() < 0.5 ? special[rng.nextInt(below: special.count)] : rng.nextNormal() }
      let xs = (0..<(d * n)).map { _ in draw() }, bs = (0..<(d * h)).map { _ in draw() }
      let ws = (0..<(d * h)).map { _ in rng.nextUniform() < 0.3 ? Float(0.6931472) : rng.nextNormal() * 0.5 }
      let gs = (0..<(d * n * h)).map { _ in rng.nextUniform() < 0.2 ? 0 : rng.nextNormal() }
      func run(_ body: (Tensor, Tensor, Tensor) -> Tensor) -> (values: [UInt32], dx: [UInt32]?, db: [UInt32], dw: [UInt32]) {
        var x = Tensor(shape: [d, n, 1], scalars: xs), b = Tensor(shape: [d, 1, h], scalars: bs), w = Tensor(shape: [d, 1, h], scalars: ws)
        x.requiresGrad = inputGradient
        b.requiresGrad = true
        w.requiresGrad = true
        let y = body(x, b, w)
        y.backward(Tensor(shape: [d, n, h], scalars: gs))
        return (y.scalars.map(\.bitPattern), x.grad?.scalars.map(\.bitPattern), b.grad?.scalars.map(\.bitPattern) ?? [],
                w.grad?.scalars.map(\.bitPattern) ?? [])
      }
      let fused = run { x, b, w in Tensor.exu(x, bias: b, scale: w.exp()) }
      let composed = run { x, b, w in ((x - b) * w.exp()).clamped(min: 0, max: 1) }
      #expect(fused.values == composed.values, "values, \(d)×\(n)×\(h)")
      #expect(fused.dx == composed.dx, "∂x, \(d)×\(n)×\(h)")
      #expect(fused.db == composed.db, "∂bias, \(d)×\(n)×\(h)")
      #expect(fused.dw == composed.dw, "∂w, \(d)×\(n)×\(h)")
    }
  }

  @Test("shapes other than x [d, n, 1] with bias and scale [d, 1, h] stop with a message")
  func wrongShapes() async {
    await #expect(processExitsWith: .failure) {
      _ = Tensor.exu(Tensor.zeros([2, 3, 1]), bias: Tensor.zeros([2, 1, 4]), scale: Tensor.zeros([2, 1, 5]))
    }
    await #expect(processExitsWith: .failure) {
      _ = Tensor.exu(Tensor.zeros([2, 3]), bias: Tensor.zeros([2, 1, 4]), scale: Tensor.zeros([2, 1, 4]))
    }
  }
}
