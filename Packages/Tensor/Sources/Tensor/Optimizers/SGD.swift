/// Stochastic gradient descent with momentum, `torch.optim.SGD` (dampening 0):
///
///   g ← ∇ + λ·p;  b ← μ·b + g (b = g on the first step);  p ← p − η·(nesterov ? g + μ·b : b)
public final class SGD: Optimizer {
  public let parameters: [Parameter]
  public var learningRate: Float
  public let momentum: Float
  public let weightDecay: Float
  public let nesterov: Bool
  private var buffers: [[Float]]
  private var started: [Bool]

  public init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
    precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0, "SGD: learning rate, momentum and weight decay must be non-negative")
    self.parameters = parameters
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.nesterov = nesterov
    buffers = Array(repeating: [], count: parameters.count)
    started = Array(repeating: false, count: parameters.count)
  }

  public func step() {
    let (lr, mu, wd, nesterov) = (learningRate, momentum, weightDecay, self.nesterov)
    for (i, p) in parameters.enumerated() {
      let first = !started[i]
      let updated = p.update(state: &buffers[i]) { v, g, b, n in
        for j in 0..<n {
          let d = g[j] + wd * v[j]
          if mu == 0 {
            v[j] -= lr * d
          } else {
            b[j] = first ? d : mu * b[j] + d
            v[j] -= lr * (nesterov ? d + mu * b[j] : b[j])
          }
        }
      }
      if updated { started[i] = true }
    }
  }
}
