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
    let n = Float(x.shape[0])
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
    return y
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
}
