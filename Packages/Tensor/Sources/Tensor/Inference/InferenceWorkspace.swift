/// Scratch matrices for an inference pass: a few float buffers that are allocated once, grown
/// on demand, and reused for every chunk of rows, so a forward pass over millions of rows
/// allocates nothing after its first chunk. Buffers are 64-byte aligned and uninitialised.
///
///     let workspace = InferenceWorkspace(buffers: 2)
///     let h = workspace.buffer(0, count: rows * width)
///
/// Not thread-safe: give each worker thread its own workspace.
public final class InferenceWorkspace {
  private var storage: [UnsafeMutableRawPointer?]
  private var typed: [UnsafeMutablePointer<Float>?]
  private var capacities: [Int]

  /// A workspace with `count` buffers, all empty until first requested.
  public init(buffers count: Int) {
    storage = Array(repeating: nil, count: count)
    typed = Array(repeating: nil, count: count)
    capacities = Array(repeating: 0, count: count)
  }

  /// Buffer `index` with room for at least `count` values. The pointer stays valid until the
  /// same buffer is requested with a larger count or the workspace is released; contents are
  /// kept only while the buffer does not grow.
  public func buffer(_ index: Int, count: Int) -> UnsafeMutablePointer<Float> {
    precondition(storage.indices.contains(index), "InferenceWorkspace: buffer \(index) of \(storage.count)")
    if capacities[index] < count || storage[index] == nil {
      storage[index]?.deallocate()
      let capacity = Swift.max(count, 1)
      let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride, alignment: 64)
      storage[index] = raw
      typed[index] = raw.bindMemory(to: Float.self, capacity: capacity)
      capacities[index] = capacity
    }
    return typed[index]!
  }

  deinit {
    for pointer in storage { pointer?.deallocate() }
  }
}
