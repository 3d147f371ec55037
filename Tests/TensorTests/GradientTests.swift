// Gradient checks of the autodiff tape against central finite differences (see
// GradientCheck.swift for the method and the tolerance argument). This file: the checker's own
// sanity, autodiff semantics, arithmetic with broadcasting and the element-wise functions.
// Reductions, shape ops, matmul, softmax-like ops, selection and losses are in
// GradientTestsOps.swift; layers in GradientTestsLayers.swift.

import Foundation
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("Gradient checks") struct GradientTests {}

// MARK: - The checker itself

extension GradientTests {
  /// A correct gradient passes, and the typical mistakes a backward function makes (a missing
  /// factor 2, a sign error, a broadcast axis not summed) are rejected by the tolerance.
  @Test func checkerAcceptsCorrectAndRejectsWrongGradients() {
    var rng = RandomGenerator(seed: 11)
    let x = gradCheckUniform([3, 4], -1, 1, rng: &rng)
    let b = gradCheckUniform([4], -1, 1, rng: &rng)
    let report = gradCheck([x, b], seed: 5, label: "x * b") { $0[0] * $0[1] }
    #expect(report.passed)
    let gradB = report.analytic[1]!.scalars
    let numericB = report.numeric[1]
    func rejected(_ analytic: [Float]) -> Bool {
      !gradCheckCompare(slot: "b", shape: [4], analytic: analytic, numeric: numericB, tolerance: .standard)
        .mismatches.isEmpty
    }
    #expect(!rejected(gradB))
    #expect(rejected(gradB.map { 2 * $0 }))
    #expect(rejected(gradB.map { -$0 }))
    // Broadcast axis 0 not summed: only the first row's contribution.
    let r = gradCheckUpstream([3, 4], seed: 5)
    #expect(rejected((0..<4).map { r.scalars[$0] * x.scalars[$0] }))

    // A tape that misses a path (the second factor is detached) is caught end to end.
    let broken = gradCheck([x], seed: 5, recordIssues: false) { $0[0] * $0[0].detached() }
    #expect(!broken.passed)
  }

  /// `y.backward(R)` is the gradient of L = Σ y·R, i.e. the same as `(y * R).sum().backward()`.
  @Test func backwardWithUpstreamEqualsSumOfProduct() async {
    await propertyCheck(count: gradCheckCount(20), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      var x = gradCheckUniform(shape, -1, 1, rng: &rng)
      x.requiresGrad = true
      let r = gradCheckUpstream(shape, seed: seed)
      let y = x.tanh() * x
      y.backward(r)
      let viaSeed = x.grad!
      x.grad = nil
      (y * r).sum().backward()
      let viaSum = x.grad!
      for (a, b) in zip(viaSeed.scalars, viaSum.scalars) {
        #expect(Swift.abs(a - b) <= 1e-6 * Swift.max(1, Swift.abs(a)))
      }
    }
  }
}

// MARK: - Autodiff semantics

extension GradientTests {
  @Test func gradientsAccumulateOverBackwardCalls() {
    var x = Tensor([1, -2, 3])
    x.requiresGrad = true
    let y = (x * x).sum()
    y.backward()
    #expect(x.grad == Tensor([2, -4, 6]))
    y.backward()
    #expect(x.grad == Tensor([4, -8, 12]))
    // A second, different graph adds too.
    (x * 3).sum().backward()
    #expect(x.grad == Tensor([7, -5, 15]))
    // Clearing starts over.
    x.grad = nil
    (x * 3).sum().backward()
    #expect(x.grad == Tensor([3, 3, 3]))
  }

  /// Gradients in flight are kept on the tape's nodes during a backward pass: a later pass
  /// through part of the same graph must find none of them left behind.
  @Test func backwardLeavesNothingOnSharedNodes() {
    var x = Tensor([1, -2, 3])
    x.requiresGrad = true
    let a = x * 2
    let b = a * a + a
    (b * b).sum().backward()  // d/dx of (4x² + 2x)² = 2(4x² + 2x)(8x + 2)
    #expect(x.grad == Tensor([120, -336, 2184]))
    x.grad = nil
    b.sum().backward()  // 8x + 2, through the nodes the first pass went through
    #expect(x.grad == Tensor([10, -14, 26]))
    x.grad = nil
    (a * 3).sum().backward()
    #expect(x.grad == Tensor([6, 6, 6]))
  }

  @Test func parameterGradientsAccumulate() {
    let p = Parameter(Tensor([0.5, -1]))
    let x = Tensor([2, 3])
    (p.value * x).sum().backward()
    (p.value * x).sum().backward()
    #expect(p.grad == Tensor([4, 6]))
  }

  @Test func gradientsWithRespectToInputs() {
    var x = Tensor(rows: [[1, 2], [3, 4]])
    x.requiresGrad = true
    let w = Tensor(rows: [[1, -1], [0.5, 2]])  // a constant: no gradient
    let y = x.matmul(w).sum()
    y.backward()
    // d/dx Σ (xW) = 1·Wᵀ: row sums of W for every row of x.
    #expect(x.grad == Tensor(rows: [[0, 2.5], [0, 2.5]]))
    #expect(w.grad == nil)
    #expect(!w.requiresGrad)
  }

  @Test func withoutGradientRecordsNothing() {
    var x = Tensor([1, 2, 3])
    x.requiresGrad = true
    let p = Parameter(Tensor([1, 1, 1]))
    let (y, z, inner) = withoutGradient {
      (
        (x * x).exp().sum(), p.value * x + 1,
        withGradient { (x * 2).sum() }
      )
    }
    #expect(!y.requiresGrad)
    #expect(!z.requiresGrad)
    #expect(x.requiresGrad)  // the leaf itself is unchanged
    #expect(inner.requiresGrad)  // withGradient switches recording back on
    inner.backward()
    #expect(x.grad == Tensor([2, 2, 2]))
    #expect(GradientRecording.isEnabled)
  }

  @Test func detachedStopsGradients() {
    var x = Tensor([1, -2, 3])
    x.requiresGrad = true
    let d = x.detached()
    #expect(!d.requiresGrad)
    #expect(d == x)
    // Through the detached factor nothing flows: d/dx (x · stop(x)) = x, not 2x.
    (x * x.detached()).sum().backward()
    #expect(x.grad == Tensor([1, -2, 3]))
  }

  @Test func tensorUsedTwiceGetsTheSumOfBothPaths() async {
    var x = Tensor([0.5, -1.5, 2])
    x.requiresGrad = true
    (x * x + x).sum().backward()  // 2x + 1
    #expect(x.grad == Tensor([2, -2, 5]))

    // Random diamonds: a = f(x) feeds two branches that meet again.
    await propertyCheck(count: gradCheckCount(15), input: GradCheckGen.shape(), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let x = gradCheckUniform(shape, -1, 1, rng: &rng)
      gradCheck([x], seed: seed, label: "diamond") { t in
        let a = t[0] * 1.5
        return a.tanh() * a + a.exp() - t[0] / (t[0] * t[0] + 1)
      }
      let other = gradCheckUniform(shape, -1, 1, rng: &rng)
      gradCheck([x, other], seed: seed, label: "shared operands") { t in
        let s = t[0] + t[1]
        return s * s * t[0] - (t[1] * s).sigmoid()
      }
    }
  }

  /// The topological sort is iterative, so a long chain back-propagates without overflowing
  /// the stack, and every link is counted once.
  @Test func longChainBackpropagates() {
    var x = Tensor(scalar: 1)
    x.requiresGrad = true
    var y = x
    for _ in 0..<3000 { y = y + x * 0.5 }
    y.backward()
    #expect(x.grad == Tensor(scalar: 1501))
  }

  /// Mutating a tensor's storage after it was used does not change the recorded backward pass.
  @Test func mutatingAnOperandAfterwardsDoesNotCorruptBackward() {
    var x = Tensor([1, 2])
    x.requiresGrad = true
    var w = Tensor([3, 4])
    let y = (x * w).sum()
    w.withUnsafeMutableBufferPointer { $0[0] = 100 }
    y.backward()
    #expect(x.grad == Tensor([3, 4]))
  }
}

// MARK: - Arithmetic with broadcasting

extension GradientTests {
  @Test func binaryOperatorsWithRandomBroadcasting() async {
    await propertyCheck(count: gradCheckCount(40), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed, Gen.bool) { shape, seed, swap in
      var rng = RandomGenerator(seed: seed)
      let partner = gradCheckBroadcastPartner(of: shape, rng: &rng)
      let (sa, sb) = swap ? (partner, shape) : (shape, partner)
      let a = gradCheckUniform(sa, -1, 1, rng: &rng)
      let b = gradCheckUniform(sb, -1, 1, rng: &rng)
      // Divisors |d| ∈ [0.8, 2]: (1/d)''' = −6/d⁴ stays ≤ 15.
      let d = gradCheckMagnitude(sb, 0.8, 2, rng: &rng)
      let shapes = "\(sa) ∘ \(sb)"
      gradCheck([a, b], seed: seed, label: "+ \(shapes)") { $0[0] + $0[1] }
      gradCheck([a, b], seed: seed, label: "- \(shapes)") { $0[0] - $0[1] }
      gradCheck([a, b], seed: seed, label: "* \(shapes)") { $0[0] * $0[1] }
      gradCheck([a, d], seed: seed, label: "/ \(shapes)") { $0[0] / $0[1] }
    }
  }

  static let broadcastCases: [([Int], [Int])] = [
    ([3, 4], [4]), ([4], [3, 4]), ([3, 1], [1, 4]), ([1, 4], [3, 1]), ([2, 3, 4], [3, 1]),
    ([3, 1], [2, 3, 4]), ([2, 1, 4], [3, 1]), ([2, 3, 4], []), ([], [2, 3]), ([1], [2, 3]),
    ([2, 3], [2, 3]), ([2, 1, 1], [1, 3, 4]),
  ]

  @Test(arguments: broadcastCases)
  func binaryOperatorsWithListedBroadcasts(_ sa: [Int], _ sb: [Int]) async {
    await propertyCheck(count: gradCheckCount(4), input: GradCheckGen.seed) { seed in
      var rng = RandomGenerator(seed: seed)
      let a = gradCheckUniform(sa, -1, 1, rng: &rng)
      let b = gradCheckUniform(sb, -1, 1, rng: &rng)
      let da = gradCheckMagnitude(sa, 0.8, 2, rng: &rng)
      let db = gradCheckMagnitude(sb, 0.8, 2, rng: &rng)
      gradCheck([a, b], seed: seed, label: "+") { $0[0] + $0[1] }
      gradCheck([a, b], seed: seed, label: "-") { $0[0] - $0[1] }
      gradCheck([a, b], seed: seed, label: "*") { $0[0] * $0[1] }
      gradCheck([a, db], seed: seed, label: "a / b") { $0[0] / $0[1] }
      gradCheck([da, b], seed: seed, label: "b / a") { $0[1] / $0[0] }
      gradCheck([a, b], seed: seed, label: "a·b − a + b") { t in t[0] * t[1] - t[0] + t[1] }
    }
  }

  @Test func compoundAssignmentOperators() async {
    await propertyCheck(count: gradCheckCount(15), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let partner = gradCheckBroadcastPartner(of: shape, rng: &rng)
      let a = gradCheckUniform(shape, -1, 1, rng: &rng)
      let b = gradCheckMagnitude(partner, 0.8, 2, rng: &rng)
      gradCheck([a, b], seed: seed, label: "compound \(shape) \(partner)") { t in
        var y = t[0]
        y += t[1]
        y *= t[1]
        y -= t[1]
        y /= t[1]
        y *= 1.5
        return y
      }
    }
  }

  @Test func scalarOperators() async {
    await propertyCheck(count: gradCheckCount(20), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed, Gen.float(in: -2...2)) { shape, seed, s in
      var rng = RandomGenerator(seed: seed)
      let a = gradCheckUniform(shape, -1, 1, rng: &rng)
      let d = gradCheckMagnitude(shape, 0.8, 2, rng: &rng)
      let nonzero: Float = Swift.abs(s) < 0.5 ? s + 1 : s
      gradCheck([a], seed: seed, label: "a + s") { $0[0] + s }
      gradCheck([a], seed: seed, label: "s + a") { s + $0[0] }
      gradCheck([a], seed: seed, label: "a - s") { $0[0] - s }
      gradCheck([a], seed: seed, label: "s - a") { s - $0[0] }
      gradCheck([a], seed: seed, label: "a * s") { $0[0] * s }
      gradCheck([a], seed: seed, label: "s * a") { s * $0[0] }
      gradCheck([a], seed: seed, label: "a / s") { $0[0] / nonzero }
      gradCheck([d], seed: seed, label: "s / a") { s / $0[0] }
      gradCheck([a], seed: seed, label: "-a") { -$0[0] }
    }
  }

  /// aᵇ for tensors, both broadcast: ∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a. Bases in [0.7, 2] and
  /// exponents in [−1.5, 2] keep the third derivatives ≤ ~70.
  @Test func tensorPowerWithBroadcasting() async {
    await propertyCheck(count: gradCheckCount(30), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed, Gen.bool) { shape, seed, swap in
      var rng = RandomGenerator(seed: seed)
      let partner = gradCheckBroadcastPartner(of: shape, rng: &rng)
      let (sa, sb) = swap ? (partner, shape) : (shape, partner)
      let base = gradCheckUniform(sa, 0.7, 2, rng: &rng)
      let exponent = gradCheckUniform(sb, -1.5, 2, rng: &rng)
      gradCheck([base, exponent], seed: seed, label: "pow \(sa) ^ \(sb)") { $0[0].pow($0[1]) }
    }
  }

  @Test(arguments: [Float(2), 3, 1, 0.5, 1.5, -1, -0.5, 2.5])
  func scalarPower(_ p: Float) async {
    await propertyCheck(count: gradCheckCount(10), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      // Integer powers also on negative bases; the others on [0.7, 2].
      let x = p == p.rounded() ? gradCheckMagnitude(shape, 0.7, 2, rng: &rng) : gradCheckUniform(shape, 0.7, 2, rng: &rng)
      gradCheck([x], seed: seed, label: "pow(\(p)) \(shape)") { $0[0].pow(p) }
    }
  }
}

// MARK: - Element-wise functions

/// The element-wise functions under test, each with a domain where it is smooth and tame.
enum GradCheckUnary: String, CaseIterable, Sendable {
  case negation, exp, log, sqrt, abs, tanh, sigmoid, relu, gelu, softplus, softplusLarge, softplusLowThreshold
  case clamped, clampedBelow, clampedAbove, squared

  func apply(_ x: Tensor) -> Tensor {
    switch self {
    case .negation: -x
    case .exp: x.exp()
    case .log: x.log()
    case .sqrt: x.sqrt()
    case .abs: x.abs()
    case .tanh: x.tanh()
    case .sigmoid: x.sigmoid()
    case .relu: x.relu()
    case .gelu: x.gelu()
    case .softplus, .softplusLarge: x.softplus()
    case .softplusLowThreshold: x.softplus(threshold: 1)
    case .clamped: x.clamped(min: -0.5, max: 0.7)
    case .clampedBelow: x.clamped(min: 0.25)
    case .clampedAbove: x.clamped(max: -0.25)
    case .squared: x.squared()
    }
  }

  /// Inputs: a smooth domain, with the kinks (and discontinuities) kept 3h away.
  func input(_ shape: [Int], rng: inout RandomGenerator) -> Tensor {
    let margin: Float = 3 * GradCheckTolerance.standard.step
    switch self {
    case .negation, .squared: return gradCheckUniform(shape, -2, 2, rng: &rng)
    case .exp: return gradCheckUniform(shape, -2, 2, rng: &rng)
    case .log, .sqrt: return gradCheckUniform(shape, 0.5, 3, rng: &rng)
    case .abs, .relu: return gradCheckUniform(shape, -2, 2, awayFrom: [0], margin: margin, rng: &rng)
    case .tanh, .gelu: return gradCheckUniform(shape, -3, 3, rng: &rng)
    case .sigmoid, .softplus: return gradCheckUniform(shape, -4, 4, rng: &rng)
    // Around the default threshold 20 the jump is e^−20 ≈ 2e-9: invisible to the difference.
    case .softplusLarge: return gradCheckUniform(shape, 15, 25, rng: &rng)
    case .softplusLowThreshold: return gradCheckUniform(shape, -2, 3, awayFrom: [1], margin: margin, rng: &rng)
    case .clamped: return gradCheckUniform(shape, -1.5, 1.5, awayFrom: [-0.5, 0.7], margin: margin, rng: &rng)
    case .clampedBelow: return gradCheckUniform(shape, -1, 1, awayFrom: [0.25], margin: margin, rng: &rng)
    case .clampedAbove: return gradCheckUniform(shape, -1, 1, awayFrom: [-0.25], margin: margin, rng: &rng)
    }
  }
}

extension GradientTests {
  @Test(arguments: GradCheckUnary.allCases)
  func elementwiseFunctions(_ op: GradCheckUnary) async {
    await propertyCheck(count: gradCheckCount(12), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let x = op.input(shape, rng: &rng)
      gradCheck([x], seed: seed, label: "\(op) \(shape)") { op.apply($0[0]) }
    }
  }

  /// The documented conventions at the kinks, where a finite difference cannot decide:
  /// abs′(0) = 0, relu′(0) = 0, clamp passes the gradient on the closed interval.
  @Test func conventionsAtKinks() {
    var x = Tensor([0, -1, 1, -0.5, 0.7])
    x.requiresGrad = true
    x.abs().backward(Tensor([1, 1, 1, 1, 1]))
    #expect(x.grad == Tensor([0, -1, 1, -1, 1]))
    x.grad = nil
    x.relu().backward(Tensor([1, 1, 1, 1, 1]))
    #expect(x.grad == Tensor([0, 0, 1, 0, 1]))
    x.grad = nil
    x.clamped(min: -0.5, max: 0.7).backward(Tensor([1, 1, 1, 1, 1]))
    #expect(x.grad == Tensor([1, 0, 0, 1, 1]))
  }
}
