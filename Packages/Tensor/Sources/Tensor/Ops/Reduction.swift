import CTensorKernels
import Foundation

extension Tensor {
  /// Sum of all values, as a rank-0 tensor.
  public func sum() -> Tensor { sum(alongAxes: Array(0..<rank), keepingDims: false) }

  /// Mean of all values, as a rank-0 tensor.
  public func mean() -> Tensor { mean(alongAxes: Array(0..<rank), keepingDims: false) }

  /// Sum over one axis.
  public func sum(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
    sum(alongAxes: [axis], keepingDims: keepingDims)
  }

  /// Mean over one axis.
  public func mean(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
    mean(alongAxes: [axis], keepingDims: keepingDims)
  }

  /// Sum over the given axes (negative axes count from the end). ∂/∂x = g broadcast back.
  public func sum(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
    let plan = ReductionPlan(shape: shape, axes: axes, operation: "sum")
    let values = plan.sum(self)
    let inputShape = shape
    return Tensor.record("sum", shape: plan.outputShape(keepingDims: keepingDims), scalars: values, inputs: [self]) { g, _ in
      [Tensor(unchecked: plan.keptShape, g.scalars).broadcast(to: inputShape)]
    }
  }

  /// Mean over the given axes. ∂/∂x = g/n broadcast back.
  public func mean(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
    let plan = ReductionPlan(shape: shape, axes: axes, operation: "mean")
    return sum(alongAxes: axes, keepingDims: keepingDims) / Float(Swift.max(plan.reducedCount, 1))
  }

  /// Maximum over the given axes. The gradient goes to the maximal entries, split evenly among
  /// ties (PyTorch's `amax` rule).
  public func max(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
    let plan = ReductionPlan(shape: shape, axes: axes, operation: "max")
    precondition(plan.reducedCount > 0, "max over an empty axis")
    let values = plan.reduce(self, initial: -.infinity) { Swift.max($0, $1) }
    let xv = detached()
    let kept = Tensor(unchecked: plan.keptShape, values)
    return Tensor.record("max", shape: plan.outputShape(keepingDims: keepingDims), scalars: values, inputs: [self]) { g, _ in
      let (_, isMax) = broadcastValues(xv, kept, operation: "max") { x, m in x == m ? 1 : 0 }
      let mask = Tensor(unchecked: xv.shape, isMax)
      let ties = mask.sum(alongAxes: plan.axes, keepingDims: true)
      return [mask * (Tensor(unchecked: plan.keptShape, g.scalars) / ties)]
    }
  }

  /// Maximum over one axis.
  public func max(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
    max(alongAxes: [axis], keepingDims: keepingDims)
  }

  /// log Σ eˣ over the given axes, computed as m + log Σ e^(x−m) with m the maximum, so it is
  /// finite for any finite input. ∂/∂x = g·softmax(x).
  public func logSumExp(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
    let plan = ReductionPlan(shape: shape, axes: axes, operation: "logSumExp")
    let m = withoutGradient { max(alongAxes: axes, keepingDims: true) }
    let safeMax = Tensor(unchecked: m.shape, m.scalars.map { $0.isFinite ? $0 : 0 })
    let shifted = withoutGradient { (self - safeMax).exp().sum(alongAxes: axes, keepingDims: true) }
    let values = zipValues(shifted.scalars, safeMax.scalars) { s, mx in Foundation.log(s) + mx }
    let xv = detached()
    let lse = Tensor(unchecked: plan.keptShape, values)
    return Tensor.record("logsumexp", shape: plan.outputShape(keepingDims: keepingDims), scalars: values, inputs: [self]) { g, _ in
      [(xv - lse).exp() * Tensor(unchecked: plan.keptShape, g.scalars)]
    }
  }

  /// log Σ eˣ over one axis.
  public func logSumExp(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
    logSumExp(alongAxes: [axis], keepingDims: keepingDims)
  }

  /// Population variance (divisor n) over the given axes, as used by batch and layer norm.
  public func variance(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
    let centered = self - mean(alongAxes: axes, keepingDims: true)
    return (centered * centered).mean(alongAxes: axes, keepingDims: keepingDims)
  }
}

/// How a reduction over a set of axes walks the input: the input is viewed as
/// [outer, reduced, inner] when the axes are contiguous, and permuted to that form otherwise.
struct ReductionPlan {
  let shape: [Int]
  let axes: [Int]
  /// The output shape with the reduced axes kept as extent 1.
  let keptShape: [Int]
  let reducedCount: Int

  init(shape: [Int], axes: [Int], operation: String) {
    // A rank-0 tensor has no axis to reduce: axis 0 or −1 names the value itself, which the
    // reduction returns, as PyTorch's `torch.tensor(5.).sum(dim=0)` does.
    if shape.isEmpty, let bad = axes.first(where: { $0 != 0 && $0 != -1 }) {
      preconditionFailure("\(operation): axis \(bad) out of range for rank 0 (0 and −1 name the value itself)")
    }
    // Sorted without duplicates; without a Set, since most reductions name one or two axes
    // and a step of training makes several (a linear layer's bias gradient is one).
    var normalized = shape.isEmpty ? [] : axes.map { normalizedAxis($0, rank: shape.count, operation: operation) }
    if normalized.count > 1 {
      normalized.sort()
      var unique = [normalized[0]]
      for a in normalized.dropFirst() where a != unique[unique.count - 1] { unique.append(a) }
      normalized = unique
    }
    self.shape = shape
    self.axes = normalized
    var kept = shape
    for a in normalized { kept[a] = 1 }
    self.keptShape = kept
    self.reducedCount = normalized.reduce(1) { $0 * shape[$1] }
  }

  func outputShape(keepingDims: Bool) -> [Int] {
    if keepingDims { return keptShape }
    var result: [Int] = []
    result.reserveCapacity(shape.count)
    for (axis, extent) in shape.enumerated() where !axes.contains(axis) { result.append(extent) }
    return result
  }

  /// Folds the reduced values of each output position with `combine`, starting at `initial`.
  @inline(__always)
  /// The sums: ``reduce(_:initial:_:)`` with 0 and +, over middle or leading axes in the C
  /// kernel (the same fold, vectorised across the kept inner axis).
  func sum(_ x: Tensor) -> [Float] {
    guard !axes.isEmpty, axes.last! - axes.first! + 1 == axes.count, axes.last! < shape.count - 1 else {
      return reduce(x, initial: 0) { $0 + $1 }
    }
    let outer = shape[..<axes.first!].reduce(1, *)
    let reduced = shape[axes.first!...axes.last!].reduce(1, *)
    let inner = shape[(axes.last! + 1)...].reduce(1, *)
    return makeArray(count: outer * inner) { dst in
      x.scalars.withUnsafeBufferPointer { src in
        if let base = src.baseAddress { sann_sum_middle_axis(base, outer, reduced, inner, dst) } else { dst.initialize(repeating: 0, count: outer * inner) }
      }
    }
  }

  func reduce(_ x: Tensor, initial: Float, _ combine: (Float, Float) -> Float) -> [Float] {
    if axes.isEmpty { return x.scalars }
    let isContiguous = axes.last! - axes.first! + 1 == axes.count
    var source = x
    var lo = axes.first!
    var hi = axes.last!
    if !isContiguous {
      let kept = (0..<shape.count).filter { !axes.contains($0) }
      source = withoutGradient { x.permuted(kept + axes) }
      lo = kept.count
      hi = shape.count - 1
    }
    let dims = source.shape
    let outer = dims[..<lo].reduce(1, *)
    let reduced = dims[lo...hi].reduce(1, *)
    let inner = dims[(hi + 1)...].reduce(1, *)
    return makeArray(count: outer * inner) { dst in
      source.scalars.withUnsafeBufferPointer { src in
        // Reducing the trailing axes (a full reduction, a sum over the last axis): one running
        // value per output, the same fold in the same order as below, without the inner loop.
        if inner == 1 {
          for o in 0..<outer {
            let s = src.baseAddress! + o * reduced
            var value = initial
            for r in 0..<reduced { value = combine(value, s[r]) }
            dst[o] = value
          }
          return
        }
        for o in 0..<outer {
          let d = dst + o * inner
          for i in 0..<inner { d[i] = initial }
          for r in 0..<reduced {
            let s = src.baseAddress! + (o * reduced + r) * inner
            for i in 0..<inner { d[i] = combine(d[i], s[i]) }
          }
        }
      }
    }
  }
}
