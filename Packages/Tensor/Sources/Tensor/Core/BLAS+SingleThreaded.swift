import COpenBLAS
import Foundation

extension BLAS {
  /// Runs `body` with OpenBLAS computing each product on one thread, then restores the
  /// previous ``threadCount``. For callers that split rows between their own threads (each
  /// calling BLAS on its share): with OpenBLAS's pool on top of them the cores would be
  /// oversubscribed, which costs 1.4–2× in the inference plans of `Models`.
  ///
  /// The setting is process-wide: overlapping scopes (from several threads) share it, and the
  /// count saved when the first one began is restored when the last one ends. Other BLAS calls
  /// made meanwhile also run on one thread; setting ``threadCount`` inside a scope is undone
  /// when the last scope ends.
  public static func withSingleThreadedProducts<R>(_ body: () throws -> R) rethrows -> R {
    singleThreadedScopes.withLock { $0.enter(current: threadCount) }
    openblas_set_num_threads(1)
    defer {
      if let restored = singleThreadedScopes.withLock({ $0.exit() }) { openblas_set_num_threads(Int32(restored)) }
    }
    return try body()
  }
}

/// The bookkeeping of overlapping ``BLAS/withSingleThreadedProducts(_:)`` scopes: how many are
/// open and the thread count to restore when the last one closes.
struct SingleThreadedScopes {
  private(set) var depth = 0
  private(set) var saved = 1

  /// Opens a scope while OpenBLAS uses `current` threads.
  mutating func enter(current: Int) {
    if depth == 0 { saved = current }
    depth += 1
  }

  /// Closes a scope; returns the thread count to restore when it was the last one.
  mutating func exit() -> Int? {
    precondition(depth > 0, "SingleThreadedScopes: more exits than entries")
    depth -= 1
    return depth == 0 ? saved : nil
  }
}

/// `SingleThreadedScopes` shared by every thread, behind a lock.
private final class LockedScopes: @unchecked Sendable {
  private let lock = NSLock()
  private var scopes = SingleThreadedScopes()

  func withLock<R>(_ body: (inout SingleThreadedScopes) -> R) -> R {
    lock.lock()
    defer { lock.unlock() }
    return body(&scopes)
  }
}

private let singleThreadedScopes = LockedScopes()
