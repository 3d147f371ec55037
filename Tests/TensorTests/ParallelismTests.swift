// Splitting a training step's operations over two cores (Parallelism): every part runs exactly
// once, split products and kernels give the same bits at one thread and two, and the epoch
// tuner settles on the faster setting. Parallelism.threadCount is process-wide; tests that set
// it to 2 cannot change what other tests compute, since that is exactly what these tests check.

import PropertyBased
@testable import Tensor
import Testing
import Synchronization

/// A count shared by concurrent tasks.
private final class SharedCount: Sendable {
  let value = Atomic<Int>(0)
}

/// Runs `body` with Parallelism.threadCount set to `threads`, restoring 1 afterwards.
private func withThreads<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
  Parallelism.threadCount = threads
  defer { Parallelism.threadCount = 1 }
  return try body()
}

/// A module owning the given parameters as p0, p1, …
private final class Slots: Module {
  var mode = ModuleMode()
  let slots: [Parameter]
  init(_ slots: [Parameter]) { self.slots = slots }
  var ownParameters: [(name: String, parameter: Parameter)] { slots.enumerated().map { ("p\($0.offset)", $0.element) } }
}

@Suite("Two-core splitting")
struct ParallelismTests {
  @Test("runTwoParts runs part 0 and part 1 exactly once each, with one thread or two, and with four callers at once")
  func eachPartOnce() async {
    Parallelism.threadCount = 2
    defer { Parallelism.threadCount = 1 }
    let failures = SharedCount()
    await withTaskGroup(of: Void.self) { group in
      for caller in 0..<4 {
        group.addTask {
          for call in 0..<500 {
            var runs = [0, 0]
            var sums: [Double] = [0, 0]
            runs.withUnsafeMutableBufferPointer { counts in
              sums.withUnsafeMutableBufferPointer { values in
                runTwoParts { part in
                  counts[part] += 1
                  // A little work, so both threads are inside parts at the same time.
                  var s = 0.0
                  for i in 0..<(200 + 50 * ((call + caller) % 7)) { s += Double(i ^ part) }
                  values[part] = s
                }
              }
            }
            if runs != [1, 1] || sums[0] == 0 { failures.value.add(1, ordering: .relaxed) }
          }
        }
      }
    }
    #expect(failures.value.load(ordering: .relaxed) == 0)
  }

  @Test("a layer's two backward products at once: the bits of the two products computed alone, at 1 and 2 threads, any shape")
  func productPairSameBits() async {
    await propertyCheck(count: 60, input: Gen.int(in: 1...130), Gen.int(in: 1...200), Gen.int(in: 1...200), Gen.uint64()) { rows, inputs, outputs, seed in
      var rng = RandomGenerator(seed: seed)
      let g = (0..<(rows * outputs)).map { _ in rng.nextNormal() }
      let w = (0..<(outputs * inputs)).map { _ in rng.nextNormal() }
      let x = (0..<(rows * inputs)).map { _ in rng.nextNormal() }
      let alone = (matrixProduct(g, w, transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs),
                   matrixProduct(g, x, transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows))
      for threads in [1, 2] {
        let pair = withThreads(threads) {
          productPair(ProductSpec(a: g, b: w, transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs),
                      ProductSpec(a: g, b: x, transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows))
        }
        let same = pair.0?.map(\.bitPattern) == alone.0.map(\.bitPattern) && pair.1?.map(\.bitPattern) == alone.1.map(\.bitPattern)
        #expect(same, "\(rows)×\(inputs)→\(outputs) at \(threads) threads")
      }
    }
  }

  @Test("linear and matmul gradients: the same bits at 1 and 2 threads, and equal to gᵀ·x and g·W")
  func layerGradientsSameBits() async {
    await propertyCheck(count: 30, input: Gen.int(in: 1...100), Gen.int(in: 1...160), Gen.int(in: 1...160), Gen.uint64()) { rows, inputs, outputs, seed in
      var rng = RandomGenerator(seed: seed)
      let xs = (0..<(rows * inputs)).map { _ in rng.nextNormal() }, ws = (0..<(outputs * inputs)).map { _ in rng.nextNormal() }
      let gs = (0..<(rows * outputs)).map { _ in rng.nextNormal() }
      func gradients(threads: Int) -> [[Float]] {
        withThreads(threads) {
          var x = Tensor(shape: [rows, inputs], scalars: xs), w = Tensor(shape: [outputs, inputs], scalars: ws)
          x.requiresGrad = true
          w.requiresGrad = true
          (Tensor.linear(x, weight: w, bias: nil) * Tensor(shape: [rows, outputs], scalars: gs)).sum().backward()
          var a = Tensor(shape: [rows, inputs], scalars: xs), b = Tensor(shape: [inputs, outputs], scalars: ws)
          a.requiresGrad = true
          b.requiresGrad = true
          (a.matmul(b) * Tensor(shape: [rows, outputs], scalars: gs)).sum().backward()
          return [x.grad!.scalars, w.grad!.scalars, a.grad!.scalars, b.grad!.scalars]
        }
      }
      let one = gradients(threads: 1), two = gradients(threads: 2)
      let same = zip(one, two).allSatisfy { $0.map(\.bitPattern) == $1.map(\.bitPattern) }
      #expect(same, "\(rows)×\(inputs)→\(outputs)")
      // ∂W = gᵀ·x, checked against the plain sum in Double.
      var worst = 0.0
      for i in 0..<(outputs * inputs) {
        var sum = 0.0
        for r in 0..<rows { sum += Double(gs[r * outputs + i / inputs]) * Double(xs[r * inputs + i % inputs]) }
        worst = Swift.max(worst, Swift.abs(Double(one[1][i]) - sum) / (1 + Swift.abs(sum)))
      }
      #expect(worst <= 1e-4 * Double(rows).squareRoot(), "\(rows)×\(inputs)→\(outputs): relative error \(worst)")
    }
  }

  @Test("GELU forward and backward and an Adam step: the same bits at 1 and 2 threads")
  func kernelsSameBits() async {
    await propertyCheck(count: 12, input: Gen.int(in: 1...20_000), Gen.uint64()) { count, seed in
      var rng = RandomGenerator(seed: seed)
      let values = (0..<count).map { _ in 3 * rng.nextNormal() }
      let upstream = (0..<count).map { _ in rng.nextNormal() }
      func run(threads: Int) -> (y: [Float], dx: [Float], p: [Float]) {
        withThreads(threads) {
          var x = Tensor(shape: [count], scalars: values)
          x.requiresGrad = true
          let y = x.gelu()
          (y * Tensor(shape: [count], scalars: upstream)).sum().backward()
          let parameter = Parameter(Tensor(shape: [count], scalars: values))
          parameter.grad = Tensor(shape: [count], scalars: upstream)
          let adam = Adam([parameter], learningRate: 0.01, weightDecay: 0.01)
          adam.step()
          adam.step()
          return (y.scalars, x.grad!.scalars, parameter.value.scalars)
        }
      }
      let one = run(threads: 1), two = run(threads: 2)
      #expect(one.y.map(\.bitPattern) == two.y.map(\.bitPattern))
      #expect(one.dx.map(\.bitPattern) == two.dx.map(\.bitPattern))
      #expect(one.p.map(\.bitPattern) == two.p.map(\.bitPattern))
    }
  }

  @Test("Adam's step on the helper thread: every read, write and state dict right after step() sees the values one thread computes; parameters of any size, one listed twice, the optimizer dropped mid-step")
  func detachedAdamStep() async {
    await propertyCheck(count: 10, input: Gen.int(in: 0...20_000).array(of: 1...5), Gen.uint64()) { sizes, seed in
      func run(threads: Int) -> [[UInt32]] {
        withThreads(threads) {
          var rng = RandomGenerator(seed: seed)
          let parameters = sizes.map { n in Parameter(Tensor(shape: [n], scalars: (0..<n).map { _ in rng.nextNormal() })) }
          // The first parameter twice: updated twice per step, in order, as on one thread.
          let listed = [parameters[0]] + parameters
          var seen: [[UInt32]] = []
          var adam: Adam? = Adam(listed, learningRate: 0.01, weightDecay: 0.01, weightDecayStyle: .decoupled)
          for step in 0..<4 {
            adam!.zeroGrad()
            for p in parameters { p.grad = Tensor(shape: p.shape, scalars: (0..<p.shape[0]).map { _ in rng.nextNormal() }) }
            adam!.step()
            switch step {
            case 0: seen += parameters.map { $0.value.scalars.map(\.bitPattern) }
            case 1:
              // A write right after the step lands after the update, not under it.
              parameters.last!.value = parameters.last!.value * 0.5
            case 2:
              let state = Slots(parameters).stateDict()
              seen += parameters.indices.map { state["p\($0)"]!.scalars.map(\.bitPattern) }
            default: adam = nil  // the optimizer goes while its step may still run
            }
          }
          return seen + parameters.map { $0.value.scalars.map(\.bitPattern) }
        }
      }
      #expect(run(threads: 1) == run(threads: 2))
    }
  }

  @Test("forEachHalf hands every work item to exactly one range, the first holding the extra item, at 1 and 2 threads")
  func forEachHalfCoversOnce() {
    for threads in [1, 2] {
      for count in 0...9 {
        let seen = SharedCount()
        let ranges = Mutex<[Range<Int>]>([])
        withThreads(threads) {
          Parallelism.forEachHalf(of: count) { r in
            ranges.withLock { $0.append(r) }
            seen.value.add(r.count, ordering: .relaxed)
          }
        }
        let all = ranges.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(seen.value.load(ordering: .relaxed) == count)
        #expect(all.flatMap { Array($0) } == Array(0..<count))
        if threads == 2 && count >= 2 { #expect(all.map(\.count) == [(count + 1) / 2, count / 2]) }
      }
    }
  }

  @Test("empty extents: [3,0]·[0,4] and a linear layer without inputs give zeros and zero gradients at 1 and 2 threads")
  func emptyExtents() {
    for threads in [1, 2] {
      withThreads(threads) {
        var a = Tensor.zeros([3, 0]), b = Tensor.zeros([0, 4])
        a.requiresGrad = true
        b.requiresGrad = true
        let y = a.matmul(b)
        #expect(y.shape == [3, 4] && y.scalars.allSatisfy { $0 == 0 })
        y.sum().backward()
        #expect(a.grad?.shape == [3, 0] && b.grad?.shape == [0, 4])
        var x = Tensor.zeros([5, 0]), w = Tensor.zeros([2, 0])
        x.requiresGrad = true
        w.requiresGrad = true
        let z = Tensor.linear(x, weight: w, bias: Tensor(shape: [2], scalars: [1, -1]))
        #expect(z.scalars == [1, -1, 1, -1, 1, -1, 1, -1, 1, -1])
        z.sum().backward()
        #expect(x.grad?.shape == [5, 0] && w.grad?.shape == [2, 0])
      }
    }
  }

  @Test("threadCount accepts 1 and 2, and larger values mean 2")
  func threadCountRange() {
    withThreads(5) { #expect(Parallelism.threadCount == 2) }
    #expect(Parallelism.threadCount == 1)
  }
}

@Suite("Thread-count tuner")
struct ThreadCountTunerTests {
  /// The thread count of each of `rounds` rounds when a round on t threads takes cost(round, t).
  static func schedule(rounds: Int, probeInterval: Int = 8, cost: (Int, Int) -> Double) -> [Int] {
    defer { Parallelism.threadCount = 1 }
    let tuner = ThreadCountTuner(probeInterval: probeInterval)
    var used: [Int] = []
    for round in 1...rounds {
      // The tuner's own record: other tests may set the process-wide count meanwhile.
      let threads = tuner.threadCount
      used.append(threads)
      tuner.roundEnded(seconds: cost(round, threads))
    }
    return used
  }

  @Test("it warms up on 1, times 2 twice then 1 twice, keeps the faster, and re-times the slower ever more rarely")
  func settlesOnFaster() {
    let twoFaster = Self.schedule(rounds: 100) { _, t in t == 2 ? 1.0 : 1.6 }
    #expect(Array(twoFaster.prefix(5)) == [1, 2, 2, 1, 1])
    let probes = twoFaster.indices.dropFirst(5).filter { twoFaster[$0] == 1 }
    // Two rounds 8 rounds after the comparison, then 16 and 32 rounds after each lost re-timing:
    // rounds 14–15, 32–33 and 66–67 (1-based).
    #expect(probes.map { $0 + 1 } == [14, 15, 32, 33, 66, 67], "\(probes)")
    let oneFaster = Self.schedule(rounds: 100) { _, t in t == 1 ? 1.0 : 1.6 }
    #expect(oneFaster.dropFirst(5).filter { $0 == 2 }.count == 6)
    #expect(oneFaster.suffix(30).allSatisfy { $0 == 1 })
  }

  @Test("when the faster setting turns slow mid-run it times both afresh after three slow rounds and switches; when the slower turns fast, it switches at the next re-timing")
  func followsChange() {
    // Rounds 1–19: 2 threads cost 1.0 and 1 thread 1.5; from round 20 on 2 threads cost 3.0.
    let slower = Self.schedule(rounds: 60) { round, t in round < 20 ? (t == 2 ? 1.0 : 1.5) : (t == 2 ? 3.0 : 1.5) }
    // Rounds 20–22 slow on 2, then 1 twice and 2 twice afresh (23–26), then 1 from round 27,
    // with 2 re-timed in rounds 35–36 and 53–54.
    #expect(Array(slower[19...26]) == [2, 2, 2, 1, 1, 2, 2, 1], "\(slower)")
    #expect(slower.indices.dropFirst(26).filter { slower[$0] == 2 }.map { $0 + 1 } == [35, 36, 53, 54], "\(slower)")
    // Rounds 1–14: 1 thread costs 1.0 and 2 threads 1.5; from round 15 on 2 threads cost 0.5. The
    // re-timing of rounds 14–15 finds it.
    let faster = Self.schedule(rounds: 60) { round, t in t == 1 ? 1.0 : (round < 15 ? 1.5 : 0.5) }
    #expect(faster[5..<13].allSatisfy { $0 == 1 } && faster[13...15].allSatisfy { $0 == 2 }, "\(faster)")
    #expect(faster.indices.dropFirst(15).filter { faster[$0] == 1 }.map { $0 + 1 } == [24, 25, 42, 43], "\(faster)")
  }

  @Test("three slow rounds of the whole machine cost two rounds on the slower setting, not a switch")
  func machineWideSlowdown() {
    // 2 threads cost 1.0, 1 thread 1.3; rounds 20–22 take twice as long whatever runs.
    let slowdown = Self.schedule(rounds: 60) { round, t in ((20...22).contains(round) ? 2.0 : 1.0) * (t == 2 ? 1.0 : 1.3) }
    #expect(Array(slowdown[19...26]) == [2, 2, 2, 1, 1, 2, 2, 2], "\(slowdown)")
    // Afterwards 1 thread only in the re-timing 16 rounds later (rounds 43–44).
    #expect(slowdown.indices.dropFirst(26).filter { slowdown[$0] == 1 }.map { $0 + 1 } == [43, 44], "\(slowdown)")
  }

  @Test("a hiccup (one or two slow rounds) and the first round after each switch, which pays for moving the work, do not change the choice")
  func ignoresHiccups() {
    // 2 threads cost 1.0, 1 thread 1.3; rounds 40 and 41 take 5.0 whatever runs.
    let hiccup = Self.schedule(rounds: 100) { round, t in (40...41).contains(round) ? 5.0 : (t == 2 ? 1.0 : 1.3) }
    let quiet = Self.schedule(rounds: 100) { _, t in t == 2 ? 1.0 : 1.3 }
    #expect(hiccup == quiet)
    // Every round on the other setting than the round before costs 1.0 more.
    var last = 1
    let switching = Self.schedule(rounds: 100) { _, t in
      defer { last = t }
      return (t == 2 ? 1.0 : 1.3) + (t == last ? 0 : 1.0)
    }
    #expect(switching == quiet, "\(switching)")
  }
}
