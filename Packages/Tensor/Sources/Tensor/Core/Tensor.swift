/// An n-dimensional array of `Float` values with reverse-mode automatic differentiation.
///
/// Storage is contiguous and row-major (the last axis varies fastest) and copy-on-write:
/// copying a `Tensor` is O(1) and the values are duplicated only when one copy is mutated.
/// A rank-0 tensor (`shape == []`) holds one scalar.
///
/// Every operation records itself on the autodiff tape when one of its inputs requires a
/// gradient and gradient recording is enabled (see ``withoutGradient(_:)``), in the
/// define-by-run style of PyTorch autograd:
///
/// ```swift
/// var w = Tensor([1, 2, 3]); w.requiresGrad = true
/// let loss = (w * w).sum()
/// loss.backward()          // w.grad == [2, 4, 6]
/// ```
public struct Tensor {
  /// The extent of each axis.
  public internal(set) var shape: [Int]
  /// The values, row-major.
  public internal(set) var scalars: [Float]
  /// The autodiff node: non-nil exactly when this tensor requires a gradient.
  var node: GradNode?

  /// Creates a tensor of the given shape from row-major values.
  ///
  /// - Precondition: `scalars.count` equals the product of `shape`, and no extent is negative.
  public init(shape: [Int], scalars: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative extent")
    precondition(
      shape.reduce(1, *) == scalars.count,
      "Tensor shape \(shape) needs \(shape.reduce(1, *)) values, got \(scalars.count)")
    self.shape = shape
    self.scalars = scalars
    self.node = nil
  }

  /// Creates a rank-1 tensor from values.
  public init(_ scalars: [Float]) {
    self.init(shape: [scalars.count], scalars: scalars)
  }

  /// Creates a rank-2 tensor from rows of equal length.
  public init(rows: [[Float]]) {
    let width = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == width }, "Tensor(rows:) needs rows of equal length")
    self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
  }

  /// Creates a rank-0 tensor holding one value.
  public init(scalar: Float) {
    self.init(shape: [], scalars: [scalar])
  }

  /// Internal initialiser that skips validation on hot paths.
  @inline(__always)
  init(unchecked shape: [Int], _ scalars: [Float]) {
    self.shape = shape
    self.scalars = scalars
    self.node = nil
  }

  /// The number of axes.
  public var rank: Int { shape.count }

  /// The total number of values.
  public var count: Int { scalars.count }

  /// The single value of a tensor with one element.
  public var item: Float {
    precondition(scalars.count == 1, "item needs a tensor with one value, shape is \(shape)")
    return scalars[0]
  }

  /// The value at a multi-index, e.g. `t[1, 2]`.
  public subscript(_ index: Int...) -> Float {
    scalars[flatIndex(index)]
  }

  /// The row-major offset of a multi-index.
  public func flatIndex(_ index: [Int]) -> Int {
    precondition(index.count == rank, "index \(index) has \(index.count) axes, tensor has \(rank)")
    var offset = 0
    for (axis, i) in index.enumerated() {
      precondition(i >= 0 && i < shape[axis], "index \(i) out of range 0..<\(shape[axis]) on axis \(axis)")
      offset = offset * shape[axis] + i
    }
    return offset
  }

  /// Calls `body` with the values, without copying.
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    try scalars.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with mutable access to the values, in place.
  ///
  /// The autodiff tape keeps its own copy of any values it needs (copy-on-write), so mutating a
  /// tensor that was used in a recorded computation does not corrupt a later `backward()`.
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeMutableBufferPointer(body)
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
    let more = scalars.count > 8 ? ", …" : ""
    let grad = node != nil ? ", requiresGrad" : ""
    return "Tensor(shape: \(shape), [\(preview)\(more)]\(grad))"
  }
}

extension Tensor: Equatable {
  /// Two tensors are equal when their shapes and values are equal (autodiff state is ignored).
  public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
    lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
  }
}

/// Allocates an array of `count` values and lets `body` initialise every one of them.
@inline(__always)
func makeArray(count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
  [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
    if count > 0 { body(buffer.baseAddress!) }
    initialized = count
  }
}
