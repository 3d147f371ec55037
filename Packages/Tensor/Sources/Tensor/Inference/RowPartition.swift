import Dispatch

/// Contiguous row ranges for data-parallel inference: rows 0..<count split into at most
/// `parts` ranges whose sizes differ by at most one, none of them empty.
///
///     RowPartition.ranges(count: 10, parts: 3)   // [0..<4, 4..<7, 7..<10]
public enum RowPartition {
  /// The ranges; fewer than `parts` when there are fewer rows than parts, none when count is 0.
  public static func ranges(count: Int, parts: Int) -> [Range<Int>] {
    precondition(count >= 0 && parts > 0, "RowPartition: count \(count) must be ≥ 0 and parts \(parts) > 0")
    let p = Swift.min(parts, count)
    guard p > 0 else { return [] }
    let (quotient, remainder) = count.quotientAndRemainder(dividingBy: p)
    var start = 0
    return (0..<p).map { i in
      let end = start + quotient + (i < remainder ? 1 : 0)
      defer { start = end }
      return start..<end
    }
  }

  /// Runs `body(worker, range)` for each range of ``ranges(count:parts:)``, concurrently on
  /// up to `workers` threads (inline when there is one range), and returns when all are done.
  ///
  /// `body` is called concurrently with disjoint ranges: it must only write state that belongs
  /// to its range (its rows of an output buffer, its own scratch space).
  public static func concurrentForEach(count: Int, workers: Int, _ body: (Int, Range<Int>) -> Void) {
    let parts = ranges(count: count, parts: workers)
    if parts.count == 1 { return body(0, parts[0]) }
    withoutActuallyEscaping(body) { body in
      let shared = ConcurrentBody(body: body)
      DispatchQueue.concurrentPerform(iterations: parts.count) { shared.body($0, parts[$0]) }
    }
  }
}

/// A closure that ``RowPartition/concurrentForEach(count:workers:_:)`` calls from several
/// threads, on disjoint ranges, as its contract requires.
private struct ConcurrentBody: @unchecked Sendable {
  let body: (Int, Range<Int>) -> Void
}
