import Foundation
import CTensorKernels

/// Batch normalisation over the batch axis of [n, features] inputs, `torch.nn.BatchNorm1d`
/// (Ioffe & Szegedy 2015):
///
///   y = (x − μ_B)/√(σ²_B + ε) · γ + β
///
/// In training, μ_B and σ²_B (biased) are the batch statistics and the running statistics are
/// updated as r ← (1 − momentum)·r + momentum·s, with the *unbiased* batch variance for the
/// running variance (PyTorch's semantics); in evaluation the running statistics are used.
/// Defaults: momentum 0.1, ε = 1e-5, γ = 1, β = 0. Buffers are named `running_mean`,
/// `running_var` and `num_batches_tracked`, as in PyTorch state dicts.
public final class BatchNorm1d: Layer {
  public let weight: Parameter
  public let bias: Parameter
  public let runningMean: Parameter
  public let runningVar: Parameter
  public let batchesTracked: Parameter
  public let momentum: Float
  public let epsilon: Float
  public var mode = ModuleMode()

  public init(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
    precondition(features > 0, "BatchNorm1d(\(features)): features must be positive")
    weight = Parameter(.ones([features]))
    bias = Parameter(.zeros([features]))
    runningMean = Parameter(.zeros([features]), trainable: false)
    runningVar = Parameter(.ones([features]), trainable: false)
    batchesTracked = Parameter(.zeros([]), trainable: false)
    self.momentum = momentum
    self.epsilon = epsilon
  }

  public var features: Int { weight.shape[0] }

  public var ownParameters: [(name: String, parameter: Parameter)] {
    [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar),
     ("num_batches_tracked", batchesTracked)]
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    precondition(x.rank == 2 && x.shape[1] == features, "BatchNorm1d(\(features)): input must be [n, \(features)], got \(x.shape)")
    guard isTraining else {
      let scale = weight.value / (runningVar.value.detached() + epsilon).sqrt()
      return (x - runningMean.value.detached()) * scale + bias.value
    }
    precondition(x.shape[0] > 1, "BatchNorm1d: training needs more than one row per batch, got \(x.shape[0]) (drop the last incomplete batch or call eval())")
    let (y, mean, variance) = Tensor.batchNormTraining(x, weight: weight.value, bias: bias.value, epsilon: epsilon)
    updateRunningStatistics(mean: mean, variance: variance, rows: x.shape[0])
    return y
  }

  /// `self(x).gelu()`, or `(residual + self(x)).gelu()` (a residual block's end; `residual` has
  /// x's shape), with the same values and gradients, in one operation while training: one pass
  /// over the batch instead of two or three each way, and neither the batch norm's output
  /// x̂·γ + β nor its sum with the residual kept (see `Tensor.batchNormGELUTraining`).
  public func gelu(_ x: Tensor, adding residual: Tensor? = nil) -> Tensor {
    precondition(x.rank == 2 && x.shape[1] == features, "BatchNorm1d(\(features)): input must be [n, \(features)], got \(x.shape)")
    if let residual {
      precondition(residual.shape == x.shape, "BatchNorm1d.gelu: the residual must have the input's shape \(x.shape), got \(residual.shape)")
    }
    guard isTraining else { return residual.map { ($0 + self(x)).gelu() } ?? self(x).gelu() }
    precondition(x.shape[0] > 1, "BatchNorm1d: training needs more than one row per batch, got \(x.shape[0]) (drop the last incomplete batch or call eval())")
    let (y, mean, variance) = Tensor.batchNormGELUTraining(x, weight: weight.value, bias: bias.value, residual: residual, epsilon: epsilon)
    updateRunningStatistics(mean: mean, variance: variance, rows: x.shape[0])
    return y
  }

  /// Moves the running statistics towards a training batch's mean and biased variance (the
  /// running variance takes the unbiased one), and counts the batch.
  private func updateRunningStatistics(mean: Tensor, variance: Tensor, rows: Int) {
    let n = Float(rows)
    let m = momentum
    // r·(1 − m) + s·m̃ per feature, each product rounded before the sum, as the tensor
    // expression `r * (1 - m) + s * m̃` computes it, in one loop instead of three tensor
    // operations (seven small ones per layer and step cost more than the normalisation).
    func update(_ slot: Parameter, _ statistic: Tensor, weight: Float) {
      let keep = 1 - m
      guard slot.shape == statistic.shape else {
        // A buffer of another shape, set by hand: the tensor expression itself, which
        // broadcasts a single value and stops with a clear message for anything else.
        withoutGradient { slot.value = slot.value * keep + statistic * weight }
        return
      }
      // In place (through `value`'s modify accessor, so an array shared with a saved state is
      // copied first).
      slot.value.scalars.withUnsafeMutableBufferPointer { r in
        statistic.scalars.withUnsafeBufferPointer { s in
          for j in 0..<r.count {
            let kept = r[j] * keep
            let added = s[j] * weight
            r[j] = kept + added
          }
        }
      }
    }
    update(runningMean, mean, weight: m)
    update(runningVar, variance, weight: m * n / (n - 1))
    if batchesTracked.shape == [] {
      batchesTracked.value.scalars[0] += 1
    } else {
      withoutGradient { batchesTracked.value = batchesTracked.value + 1 }
    }
  }
}

extension Tensor {
  /// Fused batch-norm forward and backward for x [n, c] with batch statistics. Returns the
  /// output and the batch mean and biased variance (for the running statistics).
  /// With x̂ = (x − μ)·s, s = 1/√(σ² + ε): ∂/∂β = Σₙ g, ∂/∂γ = Σₙ g·x̂,
  /// ∂/∂x = γ·s/n · (n·g − Σₙ g − x̂·Σₙ g·x̂).
  static func batchNormTraining(_ x: Tensor, weight: Tensor, bias: Tensor, epsilon: Float) -> (Tensor, Tensor, Tensor) {
    let (n, c) = (x.shape[0], x.shape[1])
    let count = Float(n)
    var mean = [Float](repeating: 0, count: c)
    var variance = [Float](repeating: 0, count: c)
    var invStd = [Float](repeating: 0, count: c)
    // x̂ (kept for the backward pass) and the output are written whole by the kernel: not
    // zero-filled first.
    var values: [Float] = []
    let normalized = makeArray(count: n * c) { h in
      values = makeArray(count: n * c) { out in
        x.scalars.withUnsafeBufferPointer { xb in
          weight.scalars.withUnsafeBufferPointer { gamma in
            bias.scalars.withUnsafeBufferPointer { beta in
              mean.withUnsafeMutableBufferPointer { mu in
                variance.withUnsafeMutableBufferPointer { va in
                  invStd.withUnsafeMutableBufferPointer { s in
                    sann_batch_norm_forward(xb.baseAddress!, n, c, gamma.baseAddress!, beta.baseAddress!, epsilon,
                                            mu.baseAddress!, va.baseAddress!, s.baseAddress!, h, out)
                  }
                }
              }
            }
          }
        }
      }
    }
    let gammaValues = weight.scalars
    let y = record("batch_norm", shape: [n, c], scalars: values, inputs: [x, weight, bias]) { g, needed in
      var sumG = [Float](repeating: 0, count: c)
      var sumGX = [Float](repeating: 0, count: c)
      let scale = needed[0] ? (0..<c).map { gammaValues[$0] * invStd[$0] / count } : []
      var dx: [Float]? = nil
      g.scalars.withUnsafeBufferPointer { gb in
        normalized.withUnsafeBufferPointer { xb in
          sumG.withUnsafeMutableBufferPointer { sg in
            sumGX.withUnsafeMutableBufferPointer { sgx in
              scale.withUnsafeBufferPointer { sc in
                if needed[0] {
                  dx = makeArray(count: n * c) { d in
                    sann_batch_norm_backward(gb.baseAddress!, xb.baseAddress!, n, c, sc.baseAddress!, sg.baseAddress!, sgx.baseAddress!, d)
                  }
                } else if n * c > 0 {
                  sann_batch_norm_backward(gb.baseAddress!, xb.baseAddress!, n, c, sc.baseAddress, sg.baseAddress!, sgx.baseAddress!, nil)
                }
              }
            }
          }
        }
      }
      return [dx.map { Tensor(unchecked: [n, c], $0) }, needed[1] ? Tensor(unchecked: [c], sumGX) : nil,
              needed[2] ? Tensor(unchecked: [c], sumG) : nil]
    }
    return (y, Tensor(unchecked: [c], mean), Tensor(unchecked: [c], variance))
  }

  /// GELU(batchNorm(x)), or GELU(residual + batchNorm(x)), with batch statistics in one
  /// operation: the values and gradients of `batchNormTraining`, the sum and `gelu()` in turn,
  /// bit for bit (the kernels keep each rounding; `sann_batch_norm_gelu_rows`). Kept for the
  /// backward pass: x̂ and Φ(u), not u = residual + x̂·γ + β, which it recomputes from x̂ (and
  /// the residual, which the block keeps anyway). With ``Parallelism`` on, the passes over the
  /// rows run in two halves; the sums over rows stay in row order.
  static func batchNormGELUTraining(_ x: Tensor, weight: Tensor, bias: Tensor, residual: Tensor? = nil,
                                    epsilon: Float) -> (Tensor, Tensor, Tensor) {
    let (n, c) = (x.shape[0], x.shape[1])
    if let residual {
      precondition(residual.shape == x.shape, "BatchNorm1d.gelu: the residual must have the input's shape \(x.shape), got \(residual.shape)")
    }
    let count = Float(n)
    var mean = [Float](repeating: 0, count: c)
    var variance = [Float](repeating: 0, count: c)
    var invStd = [Float](repeating: 0, count: c)
    let gammaValues = weight.scalars, betaValues = bias.scalars, residualValues = residual?.scalars
    // The row passes split over two cores from GELU's threshold on (64 × 64 values).
    let rowPartMinimum = Swift.max(1, geluPartMinimum / c)
    x.scalars.withUnsafeBufferPointer { xb in
      sann_batch_norm_statistics(xb.baseAddress!, n, c, epsilon, &mean, &variance, &invStd)
    }
    /// `body` with the pointers every pass reads: γ, β and the residual's values (or nil).
    func withConstants<R>(_ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?) -> R) -> R {
      gammaValues.withUnsafeBufferPointer { gamma in
        betaValues.withUnsafeBufferPointer { beta in
          guard let residualValues else { return body(gamma.baseAddress!, beta.baseAddress!, nil) }
          return residualValues.withUnsafeBufferPointer { body(gamma.baseAddress!, beta.baseAddress!, $0.baseAddress!) }
        }
      }
    }
    var normalized: [Float] = [], cdf: [Float] = []
    let values = makeArray(count: n * c) { out in
      normalized = makeArray(count: n * c) { h in
        cdf = makeArray(count: n * c) { phi in
          x.scalars.withUnsafeBufferPointer { xb in
            mean.withUnsafeBufferPointer { mu in
              invStd.withUnsafeBufferPointer { s in
                withConstants { gamma, beta, residual in
                  forEachPart(count: n, minimum: rowPartMinimum) { rows in
                    let i = rows.lowerBound * c
                    sann_batch_norm_gelu_rows(xb.baseAddress! + i, residual.map { $0 + i }, rows.count, c, mu.baseAddress!,
                                              s.baseAddress!, gamma, beta, h + i, phi + i, out + i)
                  }
                }
              }
            }
          }
        }
      }
    }
    // The residual first, as in the composed `residual + batchNorm(x)`: the tape then reaches the
    // inputs, and adds up the gradients of a tensor used several times, in the same order.
    let inputs = residual.map { [$0, x, weight, bias] } ?? [x, weight, bias]
    let y = record(residual == nil ? "batch_norm_gelu" : "batch_norm_residual_gelu", shape: [n, c], scalars: values,
                   inputs: inputs) { g, needed in
      let first = residual == nil ? 0 : 1
      let (needX, needGamma, needBeta) = (needed[first], needed[first + 1], needed[first + 2])
      var sumG = [Float](repeating: 0, count: c)
      var sumGX = [Float](repeating: 0, count: c)
      let scale = needX ? (0..<c).map { gammaValues[$0] * invStd[$0] / count } : []
      // ∂/∂u (the residual's gradient) and its sums over the rows, in row order: with two parts
      // the calling thread sums the first part's rows as it goes and the second's after. Without
      // a residual ∂/∂u's buffer becomes ∂/∂x.
      let split = Parallelism.isOn && n >= Swift.max(rowPartMinimum, 16)
      let cut = split ? splitPoint(n) : n
      var dx: [Float]? = nil
      let du = makeArray(count: n * c) { d in
        g.scalars.withUnsafeBufferPointer { gb in
          normalized.withUnsafeBufferPointer { xb in
            cdf.withUnsafeBufferPointer { phi in
              withConstants { gamma, beta, residual in
                sumG.withUnsafeMutableBufferPointer { sg in
                  sumGX.withUnsafeMutableBufferPointer { sgx in
                    func rows(_ first: Int, _ count: Int, summed: Bool) {
                      let i = first * c
                      sann_batch_norm_gelu_backward_rows(gb.baseAddress! + i, xb.baseAddress! + i, phi.baseAddress! + i,
                                                         residual.map { $0 + i }, count, c, gamma, beta, d + i,
                                                         summed ? sg.baseAddress! : nil, summed ? sgx.baseAddress! : nil)
                    }
                    if split {
                      runTwoParts { part in part == 0 ? rows(0, cut, summed: true) : rows(cut, n - cut, summed: false) }
                      sann_batch_norm_backward(d + cut * c, xb.baseAddress! + cut * c, n - cut, c, nil, sg.baseAddress!, sgx.baseAddress!, nil)
                    } else {
                      rows(0, n, summed: true)
                    }
                    guard needX else { return }
                    scale.withUnsafeBufferPointer { sc in
                      func normalize(into target: UnsafeMutablePointer<Float>) {
                        sann_batch_norm_dx_rows(d, xb.baseAddress!, n, c, n, sc.baseAddress!, sg.baseAddress!, sgx.baseAddress!, target)
                      }
                      if residual == nil {
                        normalize(into: d)
                      } else {
                        dx = makeArray(count: n * c) { normalize(into: $0) }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
      let dxTensor = needX ? Tensor(unchecked: [n, c], residual == nil ? du : dx!) : nil
      let gradients = [dxTensor, needGamma ? Tensor(unchecked: [c], sumGX) : nil, needBeta ? Tensor(unchecked: [c], sumG) : nil]
      return residual == nil ? gradients : [needed[0] ? Tensor(unchecked: [n, c], du) : nil] + gradients
    }
    return (y, Tensor(unchecked: [c], mean), Tensor(unchecked: [c], variance))
  }
}
