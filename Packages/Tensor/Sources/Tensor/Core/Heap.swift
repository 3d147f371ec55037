import CTensorKernels

/// How much freed memory the C allocator keeps for reuse.
///
/// A training step allocates and frees the same few hundred KB of tensors. With glibc's default
/// trimming, the freed top of the heap goes back to the OS after every step and faults back in
/// at the next: on pc1, 23,000 `brk` calls and 0.6 s of system time in a 1.6 s INN run. The
/// `sann` tool calls ``retainFreedMemory(trimThreshold:topPad:)`` at start-up; a program that
/// trains in its own process can do the same.
public enum Heap {
  /// Keeps up to `trimThreshold` bytes of freed heap and grows the heap `topPad` bytes at a
  /// time (glibc's `M_TRIM_THRESHOLD` and `M_TOP_PAD`). The peak does not change, only what is
  /// kept between steps. Returns false where the allocator has no such settings (not glibc).
  @discardableResult
  public static func retainFreedMemory(trimThreshold: Int = 64 << 20, topPad: Int = 8 << 20) -> Bool {
    precondition(trimThreshold >= 0 && topPad >= 0 && trimThreshold <= Int(Int32.max) && topPad <= Int(Int32.max),
                 "Heap.retainFreedMemory: sizes must lie in 0...\(Int32.max)")
    return sann_retain_freed_heap(trimThreshold, topPad) != 0
  }
}
