extension Tensor {
  /// `torch.gather`: picks entries along `axis` by integer indices. `indices` (row-major, with
  /// shape `indexShape` of the same rank as `self`) gives for every output position the
  /// coordinate along `axis`; the other coordinates are the output position's own, so
  /// `indexShape[d] ≤ shape[d]` for d ≠ axis. For a 2-D tensor and axis 1:
  /// out[i][j] = self[i][indices[i][j]]. The gradient is scatter-added back (indices may repeat).
  public func gathering(alongAxis axis: Int, indices: [Int], indexShape: [Int]) -> Tensor {
    let a = normalizedAxis(axis, rank: rank, operation: "gathering")
    precondition(indexShape.count == rank, "gathering: index shape \(indexShape) must have rank \(rank)")
    precondition(indexShape.reduce(1, *) == indices.count, "gathering: \(indices.count) indices do not fill shape \(indexShape)")
    for d in 0..<rank where d != a {
      precondition(indexShape[d] <= shape[d], "gathering: index extent \(indexShape[d]) exceeds \(shape[d]) on axis \(d)")
    }
    let extent = shape[a]
    for i in indices { precondition(i >= 0 && i < extent, "gathering: index \(i) out of range 0..<\(extent) along axis \(axis)") }
    let sourceOffsets = Self.gatherOffsets(shape: shape, axis: a, indices: indices, indexShape: indexShape)
    let values = makeArray(count: indices.count) { dst in
      scalars.withUnsafeBufferPointer { src in
        for (o, s) in sourceOffsets.enumerated() { dst[o] = src[s] }
      }
    }
    let inputShape = shape
    let total = count
    return Tensor.record("gather", shape: indexShape, scalars: values, inputs: [self]) { g, _ in
      var full = [Float](repeating: 0, count: total)
      full.withUnsafeMutableBufferPointer { dst in
        g.scalars.withUnsafeBufferPointer { gv in
          for (o, s) in sourceOffsets.enumerated() { dst[s] += gv[o] }
        }
      }
      return [Tensor(unchecked: inputShape, full)]
    }
  }

  /// The flat source offset of every gathered element.
  private static func gatherOffsets(shape: [Int], axis: Int, indices: [Int], indexShape: [Int]) -> [Int] {
    let strides = contiguousStrides(shape)
    var offsets = [Int](repeating: 0, count: indices.count)
    var position = [Int](repeating: 0, count: indexShape.count)
    for o in 0..<indices.count {
      var offset = 0
      for d in 0..<shape.count { offset += (d == axis ? indices[o] : position[d]) * strides[d] }
      offsets[o] = offset
      var d = indexShape.count - 1
      while d >= 0 {
        position[d] += 1
        if position[d] < indexShape[d] { break }
        position[d] = 0
        d -= 1
      }
    }
    return offsets
  }

  /// Element-wise choice, `torch.where`: `a` where `condition` is non-zero, else `b`; all three
  /// broadcast together. Gradients go to the branch that was chosen.
  public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    let abShape = Broadcasting.checkedShape(a.shape, b.shape, operation: "where")
    let outShape = Broadcasting.checkedShape(condition.shape, abShape, operation: "where")
    let mask = condition.detached().broadcast(to: outShape).scalars
    let av = withoutGradient { a.broadcast(to: outShape) }.scalars
    let bv = withoutGradient { b.broadcast(to: outShape) }.scalars
    let values = makeArray(count: mask.count) { dst in
      for i in 0..<mask.count { dst[i] = mask[i] != 0 ? av[i] : bv[i] }
    }
    return record("where", shape: outShape, scalars: values, inputs: [a, b]) { g, needed in
      [
        needed[0] ? Tensor(unchecked: outShape, zipValues(g.scalars, mask) { gi, m in m != 0 ? gi : 0 }).reduced(toShape: a.shape) : nil,
        needed[1] ? Tensor(unchecked: outShape, zipValues(g.scalars, mask) { gi, m in m != 0 ? 0 : gi }).reduced(toShape: b.shape) : nil,
      ]
    }
  }

  /// `value` where `mask` is non-zero, `self` elsewhere (`torch.masked_fill`); the mask
  /// broadcasts to `self`. The gradient flows to the entries that were kept.
  public func maskedFill(_ mask: Tensor, with value: Float) -> Tensor {
    Tensor.where(mask, Tensor(scalar: value), self)
  }
}
