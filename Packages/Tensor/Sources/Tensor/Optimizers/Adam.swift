import CTensorKernels
import Foundation

/// Adam (Kingma & Ba 2015) as `torch.optim.Adam`, with *coupled* L2 weight decay, and AdamW
/// (Loshchilov & Hutter 2019) as `torch.optim.AdamW`, with *decoupled* decay. At step t:
///
///   Adam:  g ← ∇ + λ·p
///   AdamW: p ← p·(1 − η·λ)
///   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
///   p ← p − η·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)
///
/// Defaults β = (0.9, 0.999), ε = 1e-8; weight decay 0 for Adam and 0.01 for AdamW, as in PyTorch.
public final class Adam: Optimizer {
  public enum WeightDecayStyle: Sendable {
    /// L2 added to the gradient (`torch.optim.Adam`).
    case coupled
    /// Applied to the parameter directly (`torch.optim.AdamW`).
    case decoupled
  }

  public let parameters: [Parameter]
  public var learningRate: Float
  public let beta1: Float
  public let beta2: Float
  public let epsilon: Float
  public let weightDecay: Float
  public let weightDecayStyle: WeightDecayStyle
  private var firstMoments: [[Float]]
  private var secondMoments: [[Float]]
  private var steps: [Int]

  public init(
    _ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
    epsilon: Float = 1e-8, weightDecay: Float = 0, weightDecayStyle: WeightDecayStyle = .coupled
  ) {
    precondition(learningRate >= 0 && epsilon >= 0 && weightDecay >= 0, "Adam: learning rate, epsilon and weight decay must be non-negative")
    precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas must lie in [0, 1)")
    self.parameters = parameters
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.weightDecayStyle = weightDecayStyle
    firstMoments = Array(repeating: [], count: parameters.count)
    secondMoments = Array(repeating: [], count: parameters.count)
    steps = Array(repeating: 0, count: parameters.count)
  }

  public func step() {
    let (lr, b1, b2, eps, wd) = (learningRate, beta1, beta2, epsilon, weightDecay)
    for (i, p) in parameters.enumerated() {
      guard let grad = p.grad else { continue }
      let n = p.value.count
      if firstMoments[i].count != n {
        firstMoments[i] = [Float](repeating: 0, count: n)
        secondMoments[i] = [Float](repeating: 0, count: n)
      }
      steps[i] += 1
      let t = Float(steps[i])
      let stepSize = lr / (1 - Foundation.pow(b1, t))
      let inverseCorrection2Root = 1 / (1 - Foundation.pow(b2, t)).squareRoot()
      let decay = weightDecayStyle == .coupled ? wd : 0
      let shrink = weightDecayStyle == .decoupled ? 1 - lr * wd : 1
      p.value.withUnsafeMutableBufferPointer { v in
        grad.withUnsafeBufferPointer { g in
          firstMoments[i].withUnsafeMutableBufferPointer { m in
            secondMoments[i].withUnsafeMutableBufferPointer { s in
              forEachPart(count: n, minimum: 8192) { r in
                let i = r.lowerBound
                sann_adam_update(v.baseAddress! + i, g.baseAddress! + i, m.baseAddress! + i, s.baseAddress! + i, r.count,
                                 b1, b2, stepSize, inverseCorrection2Root, eps, decay, shrink)
              }
            }
          }
        }
      }
    }
  }
}

/// AdamW: ``Adam`` with decoupled weight decay (default 0.01), `torch.optim.AdamW`.
public func AdamW(
  _ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
  epsilon: Float = 1e-8, weightDecay: Float = 0.01
) -> Adam {
  Adam(parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
       weightDecay: weightDecay, weightDecayStyle: .decoupled)
}

