/// NumPy/PyTorch broadcasting: shapes are aligned at their last axis; two extents are
/// compatible when equal or when one of them is 1 (or missing), and the result takes the larger.
enum Broadcasting {
  /// The broadcast shape of `a` and `b`, or `nil` when they are incompatible.
  static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      if x == y || y == 1 {
        result[i] = x
      } else if x == 1 {
        result[i] = y
      } else {
        return nil
      }
    }
    return result
  }

  /// The broadcast shape, or a precondition failure naming the operation and both shapes.
  static func checkedShape(_ a: [Int], _ b: [Int], operation: String) -> [Int] {
    guard let result = shape(a, b) else {
      preconditionFailure("\(operation): shapes \(a) and \(b) cannot be broadcast together")
    }
    return result
  }

  /// Strides of `shape` read as a tensor of rank `outRank` whose size-1 (and missing leading)
  /// axes repeat: those axes get stride 0.
  static func strides(of shape: [Int], broadcastTo outRank: Int) -> [Int] {
    var strides = [Int](repeating: 0, count: outRank)
    var running = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      let axis = outRank - shape.count + i
      strides[axis] = shape[i] == 1 ? 0 : running
      running *= shape[i]
    }
    return strides
  }
}

/// Row-major strides of a shape.
func contiguousStrides(_ shape: [Int]) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  var running = 1
  for i in stride(from: shape.count - 1, through: 0, by: -1) {
    strides[i] = running
    running *= shape[i]
  }
  return strides
}

/// Normalises a possibly negative axis against a rank, Python style (-1 is the last axis).
func normalizedAxis(_ axis: Int, rank: Int, operation: String) -> Int {
  let a = axis < 0 ? axis + rank : axis
  precondition(a >= 0 && a < max(rank, 1), "\(operation): axis \(axis) out of range for rank \(rank)")
  return a
}

extension Tensor {
  /// Sums `self` down to `target`, the inverse of broadcasting `target` up to `self.shape`:
  /// leading axes are summed away and axes where `target` has extent 1 are summed with keepDims.
  func reduced(toShape target: [Int]) -> Tensor {
    if shape == target { return self }
    let lead = rank - target.count
    var axes: [Int] = Array(0..<lead)
    for (i, extent) in target.enumerated() where extent == 1 && shape[lead + i] != 1 {
      axes.append(lead + i)
    }
    var summed = axes.isEmpty ? self : sum(alongAxes: axes, keepingDims: true)
    summed.shape = target
    return summed
  }

  /// Materialises `self` broadcast to `target` (a copy with repeated values).
  public func broadcast(to target: [Int]) -> Tensor {
    if shape == target { return self }
    let out = Broadcasting.checkedShape(shape, target, operation: "broadcast")
    precondition(out == target, "broadcast: shape \(shape) cannot be broadcast to \(target)")
    let count = target.reduce(1, *)
    // The shape's values repeated over leading axes only ([k] or [1, k] to [n, k], one value to
    // any shape): whole blocks copied, no per-element index arithmetic. A gradient of a sum or a
    // mean arrives this way.
    let block = scalars.count
    let core = Array(shape.drop { $0 == 1 })
    let leadingOnly = block > 0 && Array(target.suffix(core.count)) == core
    let values = makeArray(count: count) { dst in
      scalars.withUnsafeBufferPointer { src in
        if block == 1 {
          dst.initialize(repeating: src[0], count: count)
        } else if leadingOnly {
          for start in stride(from: 0, to: count, by: block) { (dst + start).initialize(from: src.baseAddress!, count: block) }
        } else {
          forEachBroadcastOffset(outShape: target, inputs: [shape]) { o, offsets in
            dst[o] = src[offsets[0]]
          }
        }
      }
    }
    let inputShape = shape
    return Tensor.record("broadcast", shape: target, scalars: values, inputs: [self]) { g, _ in
      [g.reduced(toShape: inputShape)]
    }
  }
}

/// Visits every element of a broadcast result in row-major order, with the matching offset
/// into each input (an odometer over the output indices).
@inline(__always)
func forEachBroadcastOffset(outShape: [Int], inputs: [[Int]], _ body: (Int, [Int]) -> Void) {
  let rank = outShape.count
  let strides = inputs.map { Broadcasting.strides(of: $0, broadcastTo: rank) }
  let total = outShape.reduce(1, *)
  if total == 0 { return }
  var index = [Int](repeating: 0, count: rank)
  var offsets = [Int](repeating: 0, count: inputs.count)
  for o in 0..<total {
    body(o, offsets)
    var axis = rank - 1
    while axis >= 0 {
      index[axis] += 1
      for k in 0..<inputs.count { offsets[k] += strides[k][axis] }
      if index[axis] < outShape[axis] { break }
      for k in 0..<inputs.count { offsets[k] -= strides[k][axis] * outShape[axis] }
      index[axis] = 0
      axis -= 1
    }
  }
}
