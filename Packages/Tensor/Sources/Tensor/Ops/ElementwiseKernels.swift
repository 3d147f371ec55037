/// Loops shared by the element-wise operations. Each is written over raw buffers so the
/// compiler can vectorise it once the closure is inlined.

/// `f` applied to every value.
@inline(__always)
func mapValues(_ x: [Float], _ f: (Float) -> Float) -> [Float] {
  makeArray(count: x.count) { dst in
    x.withUnsafeBufferPointer { src in
      for i in 0..<src.count { dst[i] = f(src[i]) }
    }
  }
}

/// `f` applied pairwise to two arrays of equal length.
@inline(__always)
func zipValues(_ x: [Float], _ y: [Float], _ f: (Float, Float) -> Float) -> [Float] {
  precondition(x.count == y.count)
  return makeArray(count: x.count) { dst in
    x.withUnsafeBufferPointer { a in
      y.withUnsafeBufferPointer { b in
        for i in 0..<a.count { dst[i] = f(a[i], b[i]) }
      }
    }
  }
}

/// `f` applied to `a` and `b` broadcast against each other; returns the result shape and values.
@inline(__always)
func broadcastValues(
  _ a: Tensor, _ b: Tensor, operation: String, _ f: (Float, Float) -> Float
) -> (shape: [Int], values: [Float]) {
  if a.shape == b.shape {
    return (a.shape, zipValues(a.scalars, b.scalars, f))
  }
  let outShape = Broadcasting.checkedShape(a.shape, b.shape, operation: operation)
  if b.count == 1 && outShape == a.shape {
    let s = b.scalars[0]
    return (outShape, mapValues(a.scalars) { f($0, s) })
  }
  if a.count == 1 && outShape == b.shape {
    let s = a.scalars[0]
    return (outShape, mapValues(b.scalars) { f(s, $0) })
  }
  let rank = outShape.count
  let stridesA = Broadcasting.strides(of: a.shape, broadcastTo: rank)
  let stridesB = Broadcasting.strides(of: b.shape, broadcastTo: rank)
  let inner = outShape[rank - 1]
  let innerA = stridesA[rank - 1]
  let innerB = stridesB[rank - 1]
  let total = outShape.reduce(1, *)
  let values = makeArray(count: total) { dst in
    a.scalars.withUnsafeBufferPointer { pa in
      b.scalars.withUnsafeBufferPointer { pb in
        let outer = inner == 0 ? 0 : total / inner
        var index = [Int](repeating: 0, count: rank)
        var offA = 0
        var offB = 0
        for row in 0..<outer {
          let d = dst + row * inner
          if innerA == 1 && innerB == 1 {
            for i in 0..<inner { d[i] = f(pa[offA + i], pb[offB + i]) }
          } else if innerA == 1 {
            let y = pb[offB]
            for i in 0..<inner { d[i] = f(pa[offA + i], y) }
          } else if innerB == 1 {
            let x = pa[offA]
            for i in 0..<inner { d[i] = f(x, pb[offB + i]) }
          } else {
            let v = f(pa[offA], pb[offB])
            for i in 0..<inner { d[i] = v }
          }
          // Advance the odometer over the outer axes.
          var axis = rank - 2
          while axis >= 0 {
            index[axis] += 1
            offA += stridesA[axis]
            offB += stridesB[axis]
            if index[axis] < outShape[axis] { break }
            offA -= stridesA[axis] * outShape[axis]
            offB -= stridesB[axis] * outShape[axis]
            index[axis] = 0
            axis -= 1
          }
        }
      }
    }
  }
  return (outShape, values)
}
