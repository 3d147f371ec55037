import Foundation

/// How a loss combines per-element values, as PyTorch's `reduction` argument.
public enum LossReduction: Sendable {
  case mean, sum, none
}

extension Tensor {
  func reducedLoss(_ reduction: LossReduction) -> Tensor {
    switch reduction {
    case .mean: mean()
    case .sum: sum()
    case .none: self
    }
  }
}

/// Cross-entropy of logits [n, c] against class indices, `F.cross_entropy`:
/// ℓₙ = −log softmax(zₙ)[yₙ] = logsumexp(zₙ) − zₙ[yₙ], computed without overflow.
/// ∂ℓₙ/∂zₙ = softmax(zₙ) − onehot(yₙ).
public func crossEntropy(logits: Tensor, labels: [Int], reduction: LossReduction = .mean) -> Tensor {
  precondition(logits.rank == 2 && logits.shape[0] == labels.count,
    "crossEntropy: logits \(logits.shape) must be [n, classes] with n = \(labels.count) labels")
  let classes = logits.shape[1]
  for y in labels { precondition(y >= 0 && y < classes, "crossEntropy: label \(y) out of range 0..<\(classes)") }
  let logProbabilities = logits.logSoftmax()
  let picked = logProbabilities.gathering(alongAxis: 1, indices: labels, indexShape: [labels.count, 1])
  return (-picked).reshaped([labels.count]).reducedLoss(reduction)
}

/// Binary cross-entropy with logits, `F.binary_cross_entropy_with_logits`:
/// ℓ = max(z, 0) − z·y + log(1 + e^(−|z|)), finite for any finite z. ∂ℓ/∂z = σ(z) − y.
/// `targets` lie in [0, 1] (soft labels allowed) and have the shape of `logits`.
public func binaryCrossEntropy(logits: Tensor, targets: Tensor, reduction: LossReduction = .mean) -> Tensor {
  precondition(logits.shape == targets.shape, "binaryCrossEntropy: logits \(logits.shape) and targets \(targets.shape) differ")
  let z = logits.scalars
  let y = targets.scalars
  let values = zipValues(z, y) { zi, yi in Swift.max(zi, 0) - zi * yi + Foundation.log1p(Foundation.exp(-Swift.abs(zi))) }
  let perElement = Tensor.record("bce_with_logits", shape: logits.shape, scalars: values, inputs: [logits, targets]) { g, needed in
    [
      needed[0] ? Tensor(unchecked: g.shape, makeArray(count: z.count) { d in
        for i in 0..<z.count { d[i] = g.scalars[i] * (stableSigmoid(z[i]) - y[i]) }
      }) : nil,
      needed[1] ? Tensor(unchecked: g.shape, zipValues(g.scalars, z) { gi, zi in -gi * zi }) : nil,
    ]
  }
  return perElement.reducedLoss(reduction)
}

/// Mean squared error, `F.mse_loss`: mean of (prediction − target)².
public func meanSquaredError(predictions: Tensor, targets: Tensor, reduction: LossReduction = .mean) -> Tensor {
  precondition(predictions.shape == targets.shape, "meanSquaredError: predictions \(predictions.shape) and targets \(targets.shape) differ")
  let d = predictions - targets
  return (d * d).reducedLoss(reduction)
}

/// Mean absolute value, the L1 penalty: mean |x| (INN's sparsity term on generated weights).
/// One pass each way: the value is x.abs().mean() up to the order of the Float sum (sixteen
/// lanes, ``absoluteSum(_:)``; a few ulps), the gradient g·(1/N)·sign(x) (0 at 0) — bit for bit
/// x.abs().mean()'s — without the broadcast and the |x| tensor the composed form builds. Only the
/// gradient trains: the value is reported, so trained weights do not depend on the sum's order.
public func meanAbsolute(_ x: Tensor) -> Tensor {
  let count = x.count
  let reciprocal = 1 / Float(Swift.max(count, 1))
  let xv = x.detached()
  let total = x.scalars.withUnsafeBufferPointer(absoluteSum)
  return Tensor.record("mean_abs", shape: [], scalars: [total * reciprocal], inputs: [x]) { g, _ in
    let step = g.scalars[0] * reciprocal
    let values = makeArray(count: count) { dx in
      xv.scalars.withUnsafeBufferPointer { p in
        for i in 0..<count { dx[i] = p[i] > 0 ? step : (p[i] < 0 ? -step : 0) }
      }
    }
    return [Tensor(unchecked: xv.shape, values)]
  }
}

/// Σ|xᵢ| in a fixed order that vectorises: sixteen running sums over the 16-element blocks (lane
/// k takes elements ≡ k mod 16), added pairwise at the end, then the tail in order. The same
/// input gives the same bits on every run; the sequential sum's 12,000-add dependency chain (an
/// INN penalty's) took longer than the products around it.
func absoluteSum(_ p: UnsafeBufferPointer<Float>) -> Float {
  let blocks = p.count / 16
  var lanes = SIMD16<Float>()
  if blocks > 0 {
    let raw = UnsafeRawPointer(p.baseAddress!)
    for b in 0..<blocks {
      let v = raw.loadUnaligned(fromByteOffset: b * 64, as: SIMD16<Float>.self)
      lanes += v.replacing(with: -v, where: v .< 0)
    }
  }
  let eight = lanes.lowHalf + lanes.highHalf
  let four = eight.lowHalf + eight.highHalf
  let two = four.lowHalf + four.highHalf
  var total = two[0] + two[1]
  for i in (blocks * 16)..<p.count { total += Swift.abs(p[i]) }
  return total
}

