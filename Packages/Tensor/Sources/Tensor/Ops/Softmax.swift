import Foundation

extension Tensor {
  /// Applies a last-axis operation along any axis by moving that axis last and back.
  func alongAxis(_ axis: Int, operation: String, _ body: (Tensor) -> Tensor) -> Tensor {
    let a = normalizedAxis(axis, rank: rank, operation: operation)
    if a == rank - 1 { return body(self) }
    var order = Array(0..<rank)
    order.remove(at: a)
    order.append(a)
    var inverse = [Int](repeating: 0, count: rank)
    for (i, o) in order.enumerated() { inverse[o] = i }
    return body(permuted(order)).permuted(inverse)
  }

  /// Rows of the last axis, as (count, width).
  var lastAxisRows: (rows: Int, width: Int) {
    let width = shape.last ?? 1
    return (width == 0 ? 0 : count / width, width)
  }

  /// softmax(x)ᵢ = e^(xᵢ−m) / Σⱼ e^(xⱼ−m) with m = maxⱼ xⱼ, along `axis`.
  /// ∂/∂x = y ⊙ (g − Σ g ⊙ y).
  public func softmax(alongAxis axis: Int = -1) -> Tensor {
    alongAxis(axis, operation: "softmax") { $0.softmaxLastAxis() }
  }

  /// log softmax(x) = x − logsumexp(x), along `axis`. ∂/∂x = g − softmax(x)·Σ g.
  public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
    alongAxis(axis, operation: "logSoftmax") { $0.logSoftmaxLastAxis() }
  }

  private func softmaxLastAxis() -> Tensor {
    let (rows, width) = lastAxisRows
    let values = makeArray(count: count) { dst in
      scalars.withUnsafeBufferPointer { src in
        for r in 0..<rows {
          let s = src.baseAddress! + r * width
          let d = dst + r * width
          var m = -Float.infinity
          for i in 0..<width { m = Swift.max(m, s[i]) }
          if !m.isFinite { m = 0 }
          var total: Float = 0
          for i in 0..<width {
            let e = Foundation.exp(s[i] - m)
            d[i] = e
            total += e
          }
          let inv = 1 / total
          for i in 0..<width { d[i] *= inv }
        }
      }
    }
    return Tensor.record("softmax", shape: shape, scalars: values, inputs: [self]) { g, _ in
      [Tensor(unchecked: g.shape, makeArray(count: values.count) { dst in
        values.withUnsafeBufferPointer { y in
          g.scalars.withUnsafeBufferPointer { gv in
            for r in 0..<rows {
              var dot: Float = 0
              for i in 0..<width { dot += gv[r * width + i] * y[r * width + i] }
              for i in 0..<width { dst[r * width + i] = y[r * width + i] * (gv[r * width + i] - dot) }
            }
          }
        }
      })]
    }
  }

  private func logSoftmaxLastAxis() -> Tensor {
    let (rows, width) = lastAxisRows
    let values = makeArray(count: count) { dst in
      scalars.withUnsafeBufferPointer { src in
        for r in 0..<rows {
          let s = src.baseAddress! + r * width
          var m = -Float.infinity
          for i in 0..<width { m = Swift.max(m, s[i]) }
          if !m.isFinite { m = 0 }
          var total: Float = 0
          for i in 0..<width { total += Foundation.exp(s[i] - m) }
          let lse = m + Foundation.log(total)
          for i in 0..<width { dst[r * width + i] = s[i] - lse }
        }
      }
    }
    return Tensor.record("log_softmax", shape: shape, scalars: values, inputs: [self]) { g, _ in
      [Tensor(unchecked: g.shape, makeArray(count: values.count) { dst in
        values.withUnsafeBufferPointer { y in
          g.scalars.withUnsafeBufferPointer { gv in
            for r in 0..<rows {
              var total: Float = 0
              for i in 0..<width { total += gv[r * width + i] }
              for i in 0..<width { dst[r * width + i] = gv[r * width + i] - Foundation.exp(y[r * width + i]) * total }
            }
          }
        }
      })]
    }
  }

  /// Sparsemax (Martins & Astudillo 2016): the Euclidean projection of each row onto the
  /// probability simplex, p = max(z − τ, 0) with τ chosen so Σ p = 1. Sort z descending,
  /// k(z) = max{k : 1 + k·z₍ₖ₎ > Σ_{j≤k} z₍ⱼ₎}, τ = (Σ_{j≤k(z)} z₍ⱼ₎ − 1)/k(z).
  /// Unlike softmax it gives exact zeros. On the support S = {p > 0}:
  /// ∂/∂zᵢ = gᵢ − (1/|S|)·Σ_{j∈S} gⱼ, and 0 off the support.
  public func sparsemax(alongAxis axis: Int = -1) -> Tensor {
    alongAxis(axis, operation: "sparsemax") { $0.sparsemaxLastAxis() }
  }

  private func sparsemaxLastAxis() -> Tensor {
    let (rows, width) = lastAxisRows
    var sorted = [Float](repeating: 0, count: width)
    let values = makeArray(count: count) { dst in
      scalars.withUnsafeBufferPointer { src in
        for r in 0..<rows {
          let s = src.baseAddress! + r * width
          for i in 0..<width { sorted[i] = s[i] }
          sorted.sort(by: >)
          var cumulative: Float = 0
          var support = 0
          var supportSum: Float = 0
          for k in 0..<width {
            cumulative += sorted[k]
            if 1 + Float(k + 1) * sorted[k] > cumulative {
              support = k + 1
              supportSum = cumulative
            }
          }
          let tau = (supportSum - 1) / Float(support)
          for i in 0..<width { dst[r * width + i] = Swift.max(s[i] - tau, 0) }
        }
      }
    }
    return Tensor.record("sparsemax", shape: shape, scalars: values, inputs: [self]) { g, _ in
      [Tensor(unchecked: g.shape, makeArray(count: values.count) { dst in
        values.withUnsafeBufferPointer { p in
          g.scalars.withUnsafeBufferPointer { gv in
            for r in 0..<rows {
              var total: Float = 0
              var size = 0
              for i in 0..<width where p[r * width + i] > 0 {
                total += gv[r * width + i]
                size += 1
              }
              let mean = size > 0 ? total / Float(size) : 0
              for i in 0..<width {
                dst[r * width + i] = p[r * width + i] > 0 ? gv[r * width + i] - mean : 0
              }
            }
          }
        }
      })]
    }
  }

  /// A hard top-k mask along the last axis: 1 at the k largest entries of each row (the lower
  /// index wins a tie), 0 elsewhere. The backward pass is the straight-through estimator
  /// (Bengio et al. 2013): the gradient passes to the input unchanged, as if the mask were
  /// the identity, so a selector can be trained through a discrete choice.
  public func topKMask(_ k: Int) -> Tensor {
    let (rows, width) = lastAxisRows
    precondition(k >= 0 && k <= width, "topKMask: k = \(k) must lie in 0...\(width)")
    var order = [Int](repeating: 0, count: width)
    let values = makeArray(count: count) { dst in
      dst.initialize(repeating: 0, count: rows * width)
      scalars.withUnsafeBufferPointer { src in
        for r in 0..<rows {
          let s = src.baseAddress! + r * width
          for i in 0..<width { order[i] = i }
          order.sort { s[$0] > s[$1] || (s[$0] == s[$1] && $0 < $1) }
          for i in order.prefix(k) { dst[r * width + i] = 1 }
        }
      }
    }
    return Tensor.record("topk_mask", shape: shape, scalars: values, inputs: [self]) { g, _ in [g] }
  }
}
