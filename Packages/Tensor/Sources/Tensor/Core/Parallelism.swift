import CTensorKernels

/// Two cores for one training step: each layer's two backward products (∂x and ∂W) run at the
/// same time, GELU is cut in two halves, ``Adam``'s update runs on the helper thread while the
/// next forward pass starts (a parameter's values wait for their own update), and a forward
/// product that goes through libxsmm is cut into two column blocks of at least 19 columns near
/// the middle, each of which libxsmm sums as it does a whole product. The helper spins between
/// parts (so a 10 µs part is not delayed by a wake-up) and sleeps after 2 ms without work.
/// Other forward products and BatchNorm stay on the calling thread: cutting an OpenBLAS product
/// changes which kernel computes each part, and with it the rounding.
///
/// Off by default (``threadCount`` 1). `sann train` chooses per epoch with a
/// ``ThreadCountTuner`` (README, Performance). Where it is on, set ``BLAS/threadCount`` to 1 as
/// well, or OpenBLAS's own threads compete with the parts.
///
/// Every value is computed exactly as on one thread, whichever thread computes it: results do
/// not depend on this setting (the tests compare the bits).
public enum Parallelism {
  /// 1 (every operation on the calling thread) or 2; larger values mean 2.
  public static var threadCount: Int {
    get { Int(sann_thread_count()) }
    set {
      precondition(newValue >= 1, "Parallelism.threadCount must be at least 1, got \(newValue)")
      sann_set_thread_count(Int32(Swift.min(newValue, 2)))
    }
  }

  /// Whether operations are split now.
  static var isOn: Bool { sann_thread_count() > 1 }

  /// Runs `body` over the work items 0..<count: in two ranges at once (the first holding the
  /// extra item of an odd count) when the thread count is 2 and there are at least two items,
  /// else over all of them on the calling thread. For items that are computed the same way
  /// whichever range holds them, such as the fixed-size row chunks of an evaluation, so the
  /// results do not depend on the thread count; `body` must only write what belongs to its
  /// items, and use scratch space of its own.
  public static func forEachHalf(of count: Int, _ body: (Range<Int>) -> Void) {
    guard isOn, count >= 2 else {
      body(0..<count)
      return
    }
    let cut = (count + 1) / 2
    runTwoParts { part in body(part == 0 ? 0..<cut : cut..<count) }
  }
}

/// Runs `body(0)` and `body(1)`, concurrently when ``Parallelism`` is on (see
/// `sann_run_two_parts`); returns when both are done.
func runTwoParts(_ body: (Int) -> Void) {
  withoutActuallyEscaping(body) { escapable in
    var closure = escapable
    withUnsafeMutablePointer(to: &closure) { pointer in
      sann_run_two_parts({ context, part in
        context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(part))
      }, pointer)
    }
  }
}

/// Where to cut `extent` in two: near the middle, on a multiple of 8 (whole vector registers for
/// the kernels), so both parts are non-empty when `extent` ≥ 16.
@inline(__always)
func splitPoint(_ extent: Int) -> Int {
  Swift.min(Swift.max((extent / 2 + 4) / 8 * 8, 8), extent - 1)
}

/// Applies `body` to the ranges 0..<count, in two parts when ``Parallelism`` is on and `count`
/// reaches `minimum` (element-wise kernels whose parts cost less than waking a core do not pay).
@inline(__always)
func forEachPart(count: Int, minimum: Int, _ body: (Range<Int>) -> Void) {
  guard Parallelism.isOn, count >= Swift.max(minimum, 16) else {
    body(0..<count)
    return
  }
  let cut = splitPoint(count)
  runTwoParts { part in body(part == 0 ? 0..<cut : cut..<count) }
}

/// Chooses ``Parallelism/threadCount`` for a repeated piece of work, such as a training epoch,
/// by timing it: on a shared or busy machine a second core can be slower than none (the helper
/// thread waits for a core, or competes with the caller's), and results do not depend on the
/// choice, so it can follow the measurements.
///
/// The first round warms up on 1 thread; the next four time 2 threads twice and then 1 twice.
/// A setting's cost is the fastest of its latest rounds: the running setting's last three, a
/// re-timed one's two. So a machine's hiccup, which only ever slows a round, does not move the
/// choice, and neither does the first round after a switch, which pays for moving the work to
/// the other core. From then on every round runs the cheaper setting, and now and then two
/// rounds re-time the other: after `probeInterval` rounds at first, twice as long after each
/// re-timing that did not win (so a setting that keeps losing costs a few rounds per run), and
/// `probeInterval` again after a switch. When the running setting's last three rounds were all
/// slower than the other's cost, both are timed afresh, two rounds each, before choosing: the
/// whole machine may have slowed, not only the running setting. Call ``roundEnded(seconds:)``
/// after each round.
public final class ThreadCountTuner {
  public let probeInterval: Int
  /// How many of the running setting's latest rounds its cost is the minimum of.
  static let window = 3
  /// How many rounds re-time the other setting.
  static let probeRounds = 2
  private var rounds = 0
  /// Each setting's latest timed rounds (at most `window`), in seconds.
  private var samples: [Int: [Double]] = [1: [], 2: []]
  private var running = 1
  /// The settings of the next rounds when they are not the running one: a comparison of both,
  /// or a re-timing of the other.
  private var planned: [Int] = []
  /// Whether the planned rounds re-time the other setting (not a comparison of both).
  private var plannedIsProbe = false
  private var current = 1
  private var currentWasPlanned = false
  private var gap: Int
  private var untilProbe = 0

  /// Sets ``Parallelism/threadCount`` to 1 for the first round.
  public init(probeInterval: Int = 8) {
    precondition(probeInterval >= 1, "ThreadCountTuner: probeInterval must be at least 1, got \(probeInterval)")
    self.probeInterval = probeInterval
    gap = probeInterval
    Parallelism.threadCount = current
  }

  /// The thread count it set for the next round.
  public var threadCount: Int { current }

  /// A setting's cost: the fastest of its latest rounds (infinity before it is timed).
  private func cost(_ threads: Int) -> Double { samples[threads]!.min() ?? .infinity }

  /// The setting that has been cheaper so far (1 before both are timed).
  public var best: Int { cost(2) < cost(1) ? 2 : 1 }

  /// Records the round just run and sets the thread count for the next one.
  public func roundEnded(seconds elapsed: Double) {
    rounds += 1
    if rounds == 1 {
      // The warm-up round is not timed; the comparison follows.
      planned = Array(repeating: 2, count: Self.probeRounds) + Array(repeating: 1, count: Self.probeRounds)
    } else {
      if elapsed.isFinite, elapsed >= 0 {
        samples[current]!.append(elapsed)
        if samples[current]!.count > Self.window { samples[current]!.removeFirst() }
      }
      let other = 3 - running
      if currentWasPlanned {
        if planned.isEmpty {
          // A comparison or a re-timing just ended: keep the cheaper, and back off when the
          // other setting lost a re-timing.
          if best != running {
            running = best
            gap = probeInterval
          } else if plannedIsProbe {
            gap *= 2
          }
          untilProbe = gap
        }
      } else if samples[running]!.count == Self.window && cost(running) > cost(other) {
        // The running setting's last rounds were all slower than the other's last timing, which
        // may be old: time both afresh.
        samples = [1: [], 2: []]
        planned = Array(repeating: other, count: Self.probeRounds) + Array(repeating: running, count: Self.probeRounds)
        plannedIsProbe = false
      } else {
        untilProbe -= 1
        if untilProbe <= 0 {
          samples[other] = []
          planned = Array(repeating: other, count: Self.probeRounds)
          plannedIsProbe = true
        }
      }
    }
    currentWasPlanned = !planned.isEmpty
    current = planned.isEmpty ? running : planned.removeFirst()
    Parallelism.threadCount = current
  }
}
