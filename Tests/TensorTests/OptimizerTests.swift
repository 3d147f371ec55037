// Optimizer updates against values worked out by hand from PyTorch's documented update rules
// (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW). Every expected number below is a
// literal; the comment above it shows the arithmetic (checked with plain Python floats).
//
// Tolerance: a step is ~10 Float operations on values of magnitude ≤ 3, each with relative
// error ≤ u = 2⁻²⁴ ≈ 6e-8, so three steps stay within ~30·u·3 ≈ 5e-6 of the exact value in the
// worst case; 5e-6 is used. Every formula mistake checked for below (a missing bias
// correction, coupled vs decoupled decay, ε placement, momentum rule) moves the result by
// ≥ 4e-5, so it cannot hide inside the tolerance.

import Foundation
import Testing

@testable import Tensor

private let optTolerance: Float = 5e-6

/// A trainable parameter holding `values`.
private func optParameter(_ values: [Float]) -> Parameter {
  Parameter(Tensor(values))
}

private func optExpect(
  _ p: Parameter, _ expected: [Float], _ label: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(p.value.shape == [expected.count], sourceLocation: sourceLocation)
  for (actual, wanted) in zip(p.value.scalars, expected) {
    #expect(abs(actual - wanted) <= optTolerance, "\(label): \(p.value.scalars) vs expected \(expected)", sourceLocation: sourceLocation)
  }
}

/// Sets the gradient of the loss p² (∂/∂p = 2p) from the current value.
private func optSetQuadraticGradient(_ p: Parameter) {
  p.grad = Tensor(p.value.scalars.map { 2 * $0 })
}

@Suite("Optimizers: SGD")
struct OptimizerSGDTests {
  @Test("a gradient with fewer values than its parameter stops Adam and SGD with a message, before any value is read")
  func gradientCountMismatchStops() async {
    // In a child process each, so the stop fails this test instead of the whole run.
    await #expect(processExitsWith: .failure) {
      let p = Parameter(Tensor.zeros([1000]))
      p.grad = Tensor.zeros([10])
      Adam([p]).step()
    }
    await #expect(processExitsWith: .failure) {
      let p = Parameter(Tensor.zeros([1000]))
      p.grad = Tensor.zeros([10])
      SGD([p], learningRate: 0.1).step()
    }
  }

  @Test("plain SGD: p ← p − η·g")
  func plain() {
    // Loss p², g = 2p, η = 0.1: p ← p − 0.2p = 0.8p.  1 → 0.8 → 0.64 → 0.512.
    let p = optParameter([1])
    let opt = SGD([p], learningRate: 0.1)
    let expected: [Float] = [0.8, 0.64, 0.512]
    for e in expected {
      optSetQuadraticGradient(p)
      opt.step()
      optExpect(p, [e], "plain SGD")
    }
  }

  @Test("SGD with momentum 0.9: the first step's buffer is the gradient itself")
  func momentum() {
    // torch: b₁ = g₁; b_t = μ·b_{t−1} + g_t; p ← p − η·b.  η = 0.1, μ = 0.9, g = 2p, p₀ = 1.
    // t=1: g = 2,    b = 2,                   p = 1 − 0.2    = 0.8
    // t=2: g = 1.6,  b = 0.9·2 + 1.6   = 3.4,  p = 0.8 − 0.34  = 0.46
    // t=3: g = 0.92, b = 0.9·3.4 + 0.92 = 3.98, p = 0.46 − 0.398 = 0.062
    let p = optParameter([1])
    let opt = SGD([p], learningRate: 0.1, momentum: 0.9)
    for e: Float in [0.8, 0.46, 0.062] {
      optSetQuadraticGradient(p)
      opt.step()
      optExpect(p, [e], "momentum SGD")
    }
  }

  @Test("SGD with Nesterov momentum: p ← p − η·(g + μ·b)")
  func nesterov() {
    // η = 0.1, μ = 0.9, g = 2p, p₀ = 1.
    // t=1: g = 2,      b = 2,                       d = 2 + 1.8 = 3.8,              p = 0.62
    // t=2: g = 1.24,   b = 1.8 + 1.24 = 3.04,       d = 1.24 + 2.736 = 3.976,       p = 0.2224
    // t=3: g = 0.4448, b = 2.736 + 0.4448 = 3.1808, d = 0.4448 + 2.86272 = 3.30752, p = −0.108352
    let p = optParameter([1])
    let opt = SGD([p], learningRate: 0.1, momentum: 0.9, nesterov: true)
    for e: Float in [0.62, 0.2224, -0.108352] {
      optSetQuadraticGradient(p)
      opt.step()
      optExpect(p, [e], "Nesterov SGD")
    }
  }

  @Test("SGD weight decay adds λ·p to the gradient (with and without momentum)")
  func weightDecay() {
    // Constant gradient 0.5, λ = 0.1, η = 0.1, p₀ = 1: d = 0.5 + 0.1p.
    // plain:    d = 0.6 → p = 0.94;  d = 0.594 → p = 0.8806;  d = 0.58806 → p = 0.821794
    // momentum: b = 0.6 → p = 0.94;  b = 0.54 + 0.594 = 1.134 → p = 0.8266;
    //           b = 1.0206 + 0.58266 = 1.60326 → p = 0.666274
    let plain = optParameter([1])
    let withMomentum = optParameter([1])
    let opt1 = SGD([plain], learningRate: 0.1, weightDecay: 0.1)
    let opt2 = SGD([withMomentum], learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
    for (e1, e2): (Float, Float) in [(0.94, 0.94), (0.8806, 0.8266), (0.821794, 0.666274)] {
      plain.grad = Tensor([0.5])
      withMomentum.grad = Tensor([0.5])
      opt1.step()
      opt2.step()
      optExpect(plain, [e1], "SGD weight decay")
      optExpect(withMomentum, [e2], "SGD momentum + weight decay")
    }
  }

  @Test("SGD skips parameters without a gradient and zeroGrad clears gradients")
  func skipsMissingGradients() {
    let a = optParameter([1, 2])
    let b = optParameter([3])
    let opt = SGD([a, b], learningRate: 0.5, momentum: 0.9)
    a.grad = Tensor([1, -1])
    opt.step()
    optExpect(a, [0.5, 2.5], "updated parameter")
    optExpect(b, [3], "parameter without gradient")
    // b's first step comes later: its buffer must start at its own gradient (b₁ = g),
    // not be treated as a continuation: p = 3 − 0.5·2 = 2.
    b.grad = Tensor([2])
    a.grad = nil
    opt.step()
    optExpect(b, [2], "first step of a late parameter")
    opt.zeroGrad()
    #expect(a.grad == nil && b.grad == nil)
  }
}

@Suite("Optimizers: Adam and AdamW")
struct OptimizerAdamTests {
  // A known gradient sequence for a two-element parameter p₀ = [1, −2], with a sign change so
  // that the moments do not simply cancel: g₁ = [1, 0.3], g₂ = [−0.5, 0.3], g₃ = [0.25, −1].
  private let gradients: [[Float]] = [[1, 0.3], [-0.5, 0.3], [0.25, -1]]

  private func run(_ opt: Adam, _ p: Parameter, expected: [[Float]], _ label: String) {
    for (t, (g, e)) in zip(gradients, expected).enumerated() {
      p.grad = Tensor(g)
      opt.step()
      optExpect(p, e, "\(label), step \(t + 1)")
    }
  }

  @Test("Adam with a constant gradient moves by η per step (bias-corrected moments)")
  func constantGradient() {
    // g = 0.5 always: m̂ = 0.5 and v̂ = 0.25 exactly after bias correction, so each step is
    // η·0.5/(0.5 + 1e-8) = 0.1·(1 − 2e-8): 1 → 0.9 → 0.8 → 0.7.
    // (Without bias correction, step 1 would be 0.1·0.05/√0.00025 ≈ 0.316, giving p ≈ 0.684.)
    let p = optParameter([1])
    let opt = Adam([p], learningRate: 0.1)
    for e: Float in [0.9, 0.8, 0.7] {
      p.grad = Tensor([0.5])
      opt.step()
      optExpect(p, [e], "Adam constant gradient")
    }
  }

  @Test("Adam (torch.optim.Adam) with coupled weight decay: g ← ∇ + λ·p")
  func adamCoupledWeightDecay() {
    // η = 0.1, β = (0.9, 0.999), ε = 1e-8, λ = 0.1. Per element, at step t:
    //   g = ∇ + λp;  m = 0.9m + 0.1g;  v = 0.999v + 0.001g²;
    //   p ← p − (η/(1 − 0.9ᵗ))·m / (√v/√(1 − 0.999ᵗ) + ε)
    // element 0: t=1 g = 1.1, m̂ = 1.1, v̂ = 1.21 → p = 1 − 0.1·1.1/1.1 = 0.9000000009
    //            t=2 g = −0.5 + 0.09 = −0.41, m = 0.099 − 0.041 = 0.058,
    //                v = 0.0012088 + 0.0001681 = 0.0013769·… → p = 0.8632183548
    //            t=3 g = 0.25 + 0.0863218 = 0.3363218 → p = 0.8182785085
    // element 1: t=1 g = 0.3 − 0.2 = 0.1 → p = −2.0999999900
    //            t=2 g = 0.3 − 0.21 = 0.09 → p = −2.1995877519
    //            t=3 g = −1 − 0.2199588 = −1.2199588 → p = −2.1445225962
    let p = optParameter([1, -2])
    let opt = Adam([p], learningRate: 0.1, weightDecay: 0.1)
    run(opt, p, expected: [[0.9000000009, -2.0999999900], [0.8632183548, -2.1995877519], [0.8182785085, -2.1445225962]],
      "Adam coupled decay")
  }

  @Test("AdamW (torch.optim.AdamW) decays decoupled: p ← p·(1 − η·λ) before the Adam step")
  func adamWDecoupledWeightDecay() {
    // η = 0.1, λ = 0.1: p ← 0.99p, then the Adam step on the raw gradient.
    // element 0: t=1 0.99 − 0.1·1/(1 + 1e-8) = 0.890000001
    //            t=2 0.8811 − … = 0.8544662974;  t=3 → 0.8118787201
    // element 1: t=1 −1.98 − 0.1 = −2.0799999967 (the step is 0.1·0.3/(0.3 + 1e-8))
    //            t=2 → −2.1591999934;  t=3 → −2.1089654369
    let p = optParameter([1, -2])
    let opt = AdamW([p], learningRate: 0.1, weightDecay: 0.1)
    #expect(opt.weightDecayStyle == .decoupled)
    run(opt, p, expected: [[0.890000001, -2.0799999967], [0.8544662974, -2.1591999934], [0.8118787201, -2.1089654369]],
      "AdamW")
  }

  @Test("Adam without weight decay on the same gradients")
  func adamPlain() {
    // element 0: 0.900000001, 0.8733662974, 0.8393233831
    // element 1: −2.0999999967, −2.1999999933, −2.1713574368
    let p = optParameter([1, -2])
    let opt = Adam([p], learningRate: 0.1)
    run(opt, p, expected: [[0.900000001, -2.0999999967], [0.8733662974, -2.1999999933], [0.8393233831, -2.1713574368]],
      "Adam")
  }

  @Test("Adam adds ε outside the square root of the bias-corrected v̂")
  func adamEpsilonPlacement() {
    // ε = 0.1 makes the placement visible. t=1, element 0: m̂ = 1, √v̂ = 1:
    //   torch: 1 − 0.1·1/(1 + 0.1) = 0.9090909091   (inside the root it would be 1 − 0.1/√1.1 = 0.9046537…)
    // element 1: 0.3/(0.3 + 0.1) = 0.75 → −2.075.
    // t=2 → [0.8854482413, −2.15]; t=3 → [0.8558775873, −2.1252950791]
    let p = optParameter([1, -2])
    let opt = Adam([p], learningRate: 0.1, epsilon: 0.1)
    run(opt, p, expected: [[0.9090909091, -2.075], [0.8854482413, -2.15], [0.8558775873, -2.1252950791]],
      "Adam ε = 0.1")
  }

  @Test("Adam counts steps per parameter: a parameter first updated at step 2 gets step-1 bias correction")
  func adamPerParameterStepCount() {
    // torch keeps state['step'] per parameter and skips parameters whose grad is None.
    // b gets its first gradient (0.5) on the optimizer's second step: its update must be the
    // first-step one, η·0.5/(0.5 + ε) = 0.1 → 3 − 0.1 = 2.9. Had the step count been shared
    // (t = 2 for b), the bias corrections would give
    // 3 − 0.1·(0.05/0.19)/(√(0.00025/0.001999) + ε) ≈ 2.9256.
    let a = optParameter([1])
    let b = optParameter([3])
    let opt = Adam([a, b], learningRate: 0.1)
    a.grad = Tensor([0.5])
    opt.step()
    optExpect(b, [3], "Adam, parameter without gradient")
    b.grad = Tensor([0.5])
    opt.step()
    optExpect(a, [0.8], "Adam, parameter with two steps")
    optExpect(b, [2.9], "Adam, parameter with its first step")
  }

  @Test("learning rate changes between steps take effect immediately")
  func learningRateIsRead() {
    let p = optParameter([1])
    let opt = Adam([p], learningRate: 0.1)
    p.grad = Tensor([0.5])
    opt.step()
    opt.learningRate = 0.01
    opt.step()
    // 1 − 0.1 − 0.01 (constant gradient: each step moves by the current η).
    optExpect(p, [0.89], "Adam after a learning rate change")
  }
}
