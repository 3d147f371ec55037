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

  /// Applies one update to every parameter that has a gradient.
  ///
  /// With ``Parallelism/threadCount`` 2 the update runs on the helper thread, parameter by
  /// parameter in the order given, and `step()` returns at once: the next forward pass starts
  /// while later parameters are still being updated, and reading a parameter's ``Parameter/value``
  /// waits for its own update. The values are the same as on one thread.
  public func step() {
    finishPendingStep()
    let (lr, b1, b2, eps, wd) = (learningRate, beta1, beta2, epsilon, weightDecay)
    var items: [sann_adam_item] = []
    var gradients: [[Float]] = []
    for (i, p) in parameters.enumerated() {
      guard let grad = p.grad else { continue }
      let n = p.shape.reduce(1, *)
      precondition(grad.count == n, "Adam: parameter \(i) has \(n) values but a gradient of \(grad.count) (shape \(grad.shape) for \(p.shape))")
      if firstMoments[i].count != n {
        firstMoments[i] = [Float](repeating: 0, count: n)
        secondMoments[i] = [Float](repeating: 0, count: n)
      }
      steps[i] += 1
      let t = Float(steps[i])
      // The moments stay where they are until the step is done: only step() touches them, and it
      // first waits for the previous step (finishPendingStep).
      let m = firstMoments[i].withUnsafeMutableBufferPointer { $0.baseAddress }
      let v = secondMoments[i].withUnsafeMutableBufferPointer { $0.baseAddress }
      gradients.append(grad.scalars)
      items.append(sann_adam_item(
        value: p.valuesForDetachedUpdate(), grad: gradients[gradients.count - 1].withUnsafeBufferPointer { $0.baseAddress },
        m: m, v: v, count: n,
        step_size: lr / (1 - Foundation.pow(b1, t)),
        inverse_correction2_root: 1 / (1 - Foundation.pow(b2, t)).squareRoot(),
        coupled_decay: weightDecayStyle == .coupled ? wd : 0,
        shrink: weightDecayStyle == .decoupled ? 1 - lr * wd : 1,
        pending: p.pendingUpdate))
    }
    guard !items.isEmpty else { return }
    // A count, not a flag: a parameter listed twice is updated twice, in order, as on one thread.
    for item in items { item.pending.pointee += 1 }
    let step = PendingStep(items: items, gradients: gradients, parameters: parameters, beta1: b1, beta2: b2, epsilon: eps)
    if sann_adam_start(step.job) != 0 { pending = step }
  }

  /// The step still running on the helper thread, if any.
  private var pending: PendingStep?

  /// Waits until the helper thread has updated every parameter of the pending step.
  private func finishPendingStep() {
    guard let step = pending else { return }
    for p in step.parameters { p.awaitUpdate() }
    pending = nil
  }

  deinit { finishPendingStep() }
}

/// A detached Adam step and what its C job points into: the job and its items, and the gradient
/// arrays (the values and moments are kept by their parameters and the optimizer).
private final class PendingStep {
  let job: UnsafeMutablePointer<sann_adam_job>
  let items: UnsafeMutableBufferPointer<sann_adam_item>
  let gradients: [[Float]]
  let parameters: [Parameter]

  init(items: [sann_adam_item], gradients: [[Float]], parameters: [Parameter], beta1: Float, beta2: Float, epsilon: Float) {
    self.items = .allocate(capacity: items.count)
    _ = self.items.initialize(from: items)
    self.gradients = gradients
    self.parameters = parameters
    job = .allocate(capacity: 1)
    job.initialize(to: sann_adam_job(items: UnsafePointer(self.items.baseAddress), count: items.count,
                                     beta1: beta1, beta2: beta2, epsilon: epsilon))
  }

  deinit {
    job.deallocate()
    items.deallocate()
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

