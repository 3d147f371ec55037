extension Tensor {
  /// The same values with a new shape of equal size; one extent may be −1 (inferred).
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var target = newShape
    if let inferred = newShape.firstIndex(of: -1) {
      precondition(newShape.filter { $0 == -1 }.count == 1, "reshaped: only one extent may be -1, got \(newShape)")
      let known = newShape.filter { $0 != -1 }.reduce(1, *)
      precondition(known > 0 && count % known == 0, "reshaped: cannot infer -1 in \(newShape) for \(count) values")
      target[inferred] = count / known
    }
    precondition(
      target.allSatisfy { $0 >= 0 } && target.reduce(1, *) == count,
      "reshaped: shape \(shape) (\(count) values) cannot become \(newShape)")
    let inputShape = shape
    return Tensor.record("reshape", shape: target, scalars: scalars, inputs: [self]) { g, _ in
      [Tensor(unchecked: inputShape, g.scalars)]
    }
  }

  /// Inserts an axis of extent 1 at `axis`.
  public func expandingDims(at axis: Int) -> Tensor {
    let a = axis < 0 ? axis + rank + 1 : axis
    precondition(a >= 0 && a <= rank, "expandingDims: axis \(axis) out of range for rank \(rank)")
    var s = shape
    s.insert(1, at: a)
    return reshaped(s)
  }

  /// Removes an axis of extent 1.
  public func squeezingDim(at axis: Int) -> Tensor {
    let a = normalizedAxis(axis, rank: rank, operation: "squeezingDim")
    precondition(shape[a] == 1, "squeezingDim: axis \(axis) has extent \(shape[a]), not 1")
    var s = shape
    s.remove(at: a)
    return reshaped(s)
  }

  /// Reorders the axes: result axis i is input axis `order[i]` (like `torch.permute`).
  public func permuted(_ order: [Int]) -> Tensor {
    precondition(order.count == rank && Set(order) == Set(0..<rank), "permuted: \(order) is not a permutation of the \(rank) axes")
    if order == Array(0..<rank) { return self }
    let outShape = order.map { shape[$0] }
    let inStrides = contiguousStrides(shape)
    let permutedStrides = order.map { inStrides[$0] }
    let values = makeArray(count: count) { dst in
      scalars.withUnsafeBufferPointer { src in
        gatherStrided(src.baseAddress!, dst, shape: outShape, strides: permutedStrides)
      }
    }
    var inverse = [Int](repeating: 0, count: rank)
    for (i, o) in order.enumerated() { inverse[o] = i }
    return Tensor.record("permute", shape: outShape, scalars: values, inputs: [self]) { g, _ in
      [g.permuted(inverse)]
    }
  }

  /// Swaps two axes (the last two by default), like `torch.transpose`.
  public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
    let i = normalizedAxis(a, rank: rank, operation: "transposed")
    let j = normalizedAxis(b, rank: rank, operation: "transposed")
    var order = Array(0..<rank)
    order.swapAt(i, j)
    return permuted(order)
  }

  /// The entries `range` along `axis` (a contiguous slice, copied).
  public func slice(_ range: Range<Int>, alongAxis axis: Int = 0) -> Tensor {
    let a = normalizedAxis(axis, rank: rank, operation: "slice")
    precondition(range.lowerBound >= 0 && range.upperBound <= shape[a], "slice: range \(range) out of bounds 0..<\(shape[a]) on axis \(axis)")
    let outer = shape[..<a].reduce(1, *)
    let inner = shape[(a + 1)...].reduce(1, *)
    let extent = shape[a]
    var outShape = shape
    outShape[a] = range.count
    let chunk = range.count * inner
    let values = makeArray(count: outer * chunk) { dst in
      scalars.withUnsafeBufferPointer { src in
        for o in 0..<outer {
          (dst + o * chunk).update(from: src.baseAddress! + (o * extent + range.lowerBound) * inner, count: chunk)
        }
      }
    }
    let inputShape = shape
    return Tensor.record("slice", shape: outShape, scalars: values, inputs: [self]) { g, _ in
      let full = makeArray(count: outer * extent * inner) { dst in
        dst.initialize(repeating: 0, count: outer * extent * inner)
        g.scalars.withUnsafeBufferPointer { src in
          for o in 0..<outer {
            (dst + (o * extent + range.lowerBound) * inner).update(from: src.baseAddress! + o * chunk, count: chunk)
          }
        }
      }
      return [Tensor(unchecked: inputShape, full)]
    }
  }

  /// The rows (entries along axis 0) at `indices`, in that order; indices may repeat. This is
  /// how mini-batches are drawn. The gradient is scatter-added back.
  public func gatheringRows(_ indices: [Int]) -> Tensor {
    precondition(rank >= 1, "gatheringRows needs a tensor of rank ≥ 1")
    let rows = shape[0]
    let width = rows == 0 ? 0 : count / rows
    for i in indices { precondition(i >= 0 && i < rows, "gatheringRows: row \(i) out of range 0..<\(rows)") }
    var outShape = shape
    outShape[0] = indices.count
    let values = makeArray(count: indices.count * width) { dst in
      scalars.withUnsafeBufferPointer { src in
        for (k, i) in indices.enumerated() {
          (dst + k * width).update(from: src.baseAddress! + i * width, count: width)
        }
      }
    }
    let inputShape = shape
    return Tensor.record("gather_rows", shape: outShape, scalars: values, inputs: [self]) { g, _ in
      var full = [Float](repeating: 0, count: rows * width)
      full.withUnsafeMutableBufferPointer { dst in
        g.scalars.withUnsafeBufferPointer { src in
          for (k, i) in indices.enumerated() {
            for j in 0..<width { dst[i * width + j] += src[k * width + j] }
          }
        }
      }
      return [Tensor(unchecked: inputShape, full)]
    }
  }

  /// Joins tensors along `axis`; all other extents must agree.
  public static func concatenating(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "concatenating needs at least one tensor")
    let first = tensors[0]
    let a = normalizedAxis(axis, rank: first.rank, operation: "concatenating")
    for t in tensors {
      precondition(
        t.rank == first.rank && (0..<first.rank).allSatisfy { $0 == a || t.shape[$0] == first.shape[$0] },
        "concatenating: shape \(t.shape) does not match \(first.shape) outside axis \(axis)")
    }
    let outer = first.shape[..<a].reduce(1, *)
    let inner = first.shape[(a + 1)...].reduce(1, *)
    let extents = tensors.map { $0.shape[a] }
    let total = extents.reduce(0, +)
    var outShape = first.shape
    outShape[a] = total
    let values = makeArray(count: outer * total * inner) { dst in
      var start = 0
      for (t, extent) in zip(tensors, extents) {
        let chunk = extent * inner
        t.scalars.withUnsafeBufferPointer { src in
          for o in 0..<outer {
            (dst + (o * total + start) * inner).update(from: src.baseAddress! + o * chunk, count: chunk)
          }
        }
        start += extent
      }
    }
    return record("concat", shape: outShape, scalars: values, inputs: tensors) { g, needed in
      var start = 0
      return zip(extents, needed).map { extent, need in
        defer { start += extent }
        return need ? g.slice(start..<(start + extent), alongAxis: a) : nil
      }
    }
  }
}

/// Copies a strided view of `src` (shape `shape`, element strides `strides`) into contiguous `dst`.
func gatherStrided(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, shape: [Int], strides: [Int]) {
  let rank = shape.count
  let total = shape.reduce(1, *)
  if total == 0 { return }
  if rank == 0 {
    dst[0] = src[0]
    return
  }
  let inner = shape[rank - 1]
  let innerStride = strides[rank - 1]
  var index = [Int](repeating: 0, count: rank)
  var offset = 0
  var o = 0
  while o < total {
    for i in 0..<inner { dst[o + i] = src[offset + i * innerStride] }
    o += inner
    var axis = rank - 2
    while axis >= 0 {
      index[axis] += 1
      offset += strides[axis]
      if index[axis] < shape[axis] { break }
      offset -= strides[axis] * shape[axis]
      index[axis] = 0
      axis -= 1
    }
  }
}
