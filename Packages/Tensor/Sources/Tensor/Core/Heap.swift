import CTensorKernels

/// How much freed memory the C allocator keeps for reuse.
///
/// A training step allocates and frees the same few hundred KB of tensors. With glibc's default
/// trimming, the freed top of the heap goes back to the OS after every step and faults back in
/// at the next: on pc1, 23,000 `brk` calls and 0.6 s of system time in a 1.6 s INN run. The
/// same holds for blocks of 128 KB and more (NAM's activations, rows × features × units):
/// glibc maps each from the OS and unmaps it when freed, and fixes that size at 128 KB once the
/// trim threshold is set. On qsar-biodeg a NAM run spent a third of its time in the kernel
/// faulting such pages in. The `sann` tool calls
/// ``retainFreedMemory(trimThreshold:topPad:mapThreshold:)`` at start-up; a program that trains
/// in its own process can do the same.
public enum Heap {
  /// Keeps up to `trimThreshold` bytes of freed heap, grows the heap `topPad` bytes at a time,
  /// and takes blocks below `mapThreshold` bytes from the heap rather than mapping each from the
  /// OS (glibc's `M_TRIM_THRESHOLD`, `M_TOP_PAD` and `M_MMAP_THRESHOLD`; `mapThreshold` is
  /// bounded by the maximum mallopt(3) documents on 64-bit systems, 32 MiB, and 0 maps every
  /// block). What is kept between steps changes, the peak little (README, Performance).
  /// Returns false where the allocator has no such settings (not glibc) or refuses one; the
  /// settings before the refused one then stay applied.
  @discardableResult
  public static func retainFreedMemory(trimThreshold: Int = 64 << 20, topPad: Int = 8 << 20, mapThreshold: Int = 32 << 20) -> Bool {
    precondition(trimThreshold >= 0 && topPad >= 0 && trimThreshold <= Int(Int32.max) && topPad <= Int(Int32.max),
                 "Heap.retainFreedMemory: sizes must lie in 0...\(Int32.max)")
    precondition((0...(32 << 20)).contains(mapThreshold),
                 "Heap.retainFreedMemory: mapThreshold must lie in 0...\(32 << 20) (mallopt's documented largest), got \(mapThreshold)")
    return sann_retain_freed_heap(trimThreshold, topPad, mapThreshold) != 0
  }
}
