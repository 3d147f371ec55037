// Gradient checks (see GradientCheck.swift): reductions, shape operations, matrix products,
// softmax and friends, selection and the losses.

import Foundation
import PropertyBased
@testable import Tensor
import Testing
import TestSupport

/// A random non-empty set of axes of a rank-`rank` tensor, each written as a positive or a
/// negative axis, in random order, sometimes with one axis named twice (the reductions treat
/// the list as a set).
private func gradCheckRandomAxes(rank: Int, rng: inout RandomGenerator) -> [Int] {
  var axes = (0..<rank).filter { _ in rng.nextInt(below: 2) == 0 }
  if axes.isEmpty { axes = [rng.nextInt(below: rank)] }
  if rng.nextInt(below: 5) == 0 { axes.append(axes[rng.nextInt(below: axes.count)]) }
  axes.shuffle(using: &rng)
  return axes.map { rng.nextInt(below: 2) == 0 ? $0 : $0 - rank }
}

// MARK: - Reductions

extension GradientTests {
  @Test func reductionsOverRandomAxes() async {
    await propertyCheck(count: gradCheckCount(40), input: GradCheckGen.shape(), GradCheckGen.seed, Gen.bool) { shape, seed, keep in
      var rng = RandomGenerator(seed: seed)
      let axes = gradCheckRandomAxes(rank: shape.count, rng: &rng)
      let x = gradCheckUniform(shape, -2, 2, rng: &rng)
      // max: pairwise gaps ≥ 3h, so no perturbation changes which entry is maximal.
      let distinct = gradCheckDistinct(shape, spacing: 6 * GradCheckTolerance.standard.step, rng: &rng)
      let what = "\(shape) axes \(axes) keepingDims \(keep)"
      gradCheck([x], seed: seed, label: "sum \(what)") { $0[0].sum(alongAxes: axes, keepingDims: keep) }
      gradCheck([x], seed: seed, label: "mean \(what)") { $0[0].mean(alongAxes: axes, keepingDims: keep) }
      gradCheck([x], seed: seed, label: "logSumExp \(what)") { $0[0].logSumExp(alongAxes: axes, keepingDims: keep) }
      gradCheck([x], seed: seed, label: "variance \(what)") { $0[0].variance(alongAxes: axes, keepingDims: keep) }
      gradCheck([distinct], seed: seed, label: "max \(what)") { $0[0].max(alongAxes: axes, keepingDims: keep) }
    }
  }

  @Test func singleAxisAndFullReductions() async {
    await propertyCheck(count: gradCheckCount(20), input: GradCheckGen.shape(), GradCheckGen.seed, Gen.bool) { shape, seed, keep in
      var rng = RandomGenerator(seed: seed)
      let axis = rng.nextInt(below: shape.count) - (rng.nextInt(below: 2) == 0 ? 0 : shape.count)
      let x = gradCheckUniform(shape, -2, 2, rng: &rng)
      let distinct = gradCheckDistinct(shape, spacing: 6 * GradCheckTolerance.standard.step, rng: &rng)
      let what = "\(shape) axis \(axis) keepingDims \(keep)"
      gradCheck([x], seed: seed, label: "sum \(what)") { $0[0].sum(alongAxis: axis, keepingDims: keep) }
      gradCheck([x], seed: seed, label: "mean \(what)") { $0[0].mean(alongAxis: axis, keepingDims: keep) }
      gradCheck([x], seed: seed, label: "logSumExp \(what)") { $0[0].logSumExp(alongAxis: axis, keepingDims: keep) }
      gradCheck([distinct], seed: seed, label: "max \(what)") { $0[0].max(alongAxis: axis, keepingDims: keep) }
      gradCheck([x], seed: seed, label: "sum() \(shape)") { $0[0].sum() }
      gradCheck([x], seed: seed, label: "mean() \(shape)") { $0[0].mean() }
    }
  }

  /// Non-contiguous axes of a rank-3 tensor take the permuting path of the reduction.
  @Test(arguments: [[0, 2], [-3, -1], [2, 0]], [false, true])
  func reductionsOverNonContiguousAxes(_ axes: [Int], _ keep: Bool) async {
    await propertyCheck(count: gradCheckCount(6), input: GradCheckGen.shape(rank: 3...3), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let x = gradCheckUniform(shape, -2, 2, rng: &rng)
      let distinct = gradCheckDistinct(shape, spacing: 6 * GradCheckTolerance.standard.step, rng: &rng)
      let what = "\(shape) axes \(axes) keepingDims \(keep)"
      gradCheck([x], seed: seed, label: "sum \(what)") { $0[0].sum(alongAxes: axes, keepingDims: keep) }
      gradCheck([x], seed: seed, label: "mean \(what)") { $0[0].mean(alongAxes: axes, keepingDims: keep) }
      gradCheck([x], seed: seed, label: "logSumExp \(what)") { $0[0].logSumExp(alongAxes: axes, keepingDims: keep) }
      gradCheck([x], seed: seed, label: "variance \(what)") { $0[0].variance(alongAxes: axes, keepingDims: keep) }
      gradCheck([distinct], seed: seed, label: "max \(what)") { $0[0].max(alongAxes: axes, keepingDims: keep) }
    }
  }

  @Test func fullReductionsIncludingRankZero() async {
    await propertyCheck(count: gradCheckCount(15), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let x = gradCheckUniform(shape, -2, 2, rng: &rng)
      gradCheck([x], seed: seed, label: "sum() \(shape)") { $0[0].sum() }
      gradCheck([x], seed: seed, label: "mean() \(shape)") { $0[0].mean() }
      gradCheck([x], seed: seed, label: "sum(alongAxes: []) \(shape)") { $0[0].sum(alongAxes: []) * $0[0] }
    }
  }

  /// Ties of max share the gradient evenly (PyTorch's amax rule); a difference cannot check this.
  @Test func maxSplitsTheGradientAmongTies() {
    var x = Tensor(rows: [[1, 3, 3], [2, 2, 2]])
    x.requiresGrad = true
    x.max(alongAxis: 1).backward(Tensor([1, 6]))
    #expect(x.grad == Tensor(rows: [[0, 0.5, 0.5], [2, 2, 2]]))
  }
}

// MARK: - Shape operations

extension GradientTests {
  @Test func reshapeAndAxisInsertion() async {
    await propertyCheck(count: gradCheckCount(20), input: GradCheckGen.shape(), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let x = gradCheckUniform(shape, -1, 1, rng: &rng)
      let n = x.count
      // A random factorisation of n into up to three extents, one of them possibly −1.
      var target: [Int] = []
      var rest = n
      for _ in 0..<rng.nextInt(below: 3) {
        let divisors = (1...rest).filter { rest % $0 == 0 }
        let d = divisors[rng.nextInt(below: divisors.count)]
        target.append(d)
        rest /= d
      }
      target.append(rest)
      target.shuffle(using: &rng)
      var written = target
      if rng.nextInt(below: 2) == 0 { written[rng.nextInt(below: written.count)] = -1 }
      gradCheck([x], seed: seed, label: "reshaped \(shape) → \(written)") { $0[0].reshaped(written) * $0[0].reshaped(written) }
      let at = rng.nextInt(below: shape.count + 1)
      gradCheck([x], seed: seed, label: "expandingDims \(shape) at \(at)") { t in
        let e = t[0].expandingDims(at: at)
        return e * e.exp()
      }
      if let one = shape.firstIndex(of: 1) {
        gradCheck([x], seed: seed, label: "squeezingDim \(shape) at \(one)") { t in
          t[0].squeezingDim(at: one).sigmoid()
        }
      }
    }
  }

  @Test func permuteAndTranspose() async {
    await propertyCheck(count: gradCheckCount(20), input: GradCheckGen.shape(), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let x = gradCheckUniform(shape, -1, 1, rng: &rng)
      let order = rng.permutation(shape.count)
      // A non-linear function after the permutation, so a wrong inverse permutation cannot
      // cancel out.
      gradCheck([x], seed: seed, label: "permuted \(shape) by \(order)") { $0[0].permuted(order).tanh() }
      let i = rng.nextInt(below: shape.count)
      let j = rng.nextInt(below: shape.count) - shape.count
      gradCheck([x], seed: seed, label: "transposed \(shape) \(i), \(j)") { t in
        let y = t[0].transposed(i, j)
        return y * y
      }
      if shape.count >= 2 {
        gradCheck([x], seed: seed, label: "transposed() \(shape)") { $0[0].transposed().exp() }
      }
    }
  }

  @Test func sliceAlongRandomAxis() async {
    await propertyCheck(count: gradCheckCount(25), input: GradCheckGen.shape(), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let x = gradCheckUniform(shape, -1, 1, rng: &rng)
      let axis = rng.nextInt(below: shape.count)
      let lower = rng.nextInt(below: shape[axis])
      let upper = lower + 1 + rng.nextInt(below: shape[axis] - lower)
      let written = rng.nextInt(below: 2) == 0 ? axis : axis - shape.count
      gradCheck([x], seed: seed, label: "slice \(shape) \(lower)..<\(upper) axis \(written)") { t in
        t[0].slice(lower..<upper, alongAxis: written).exp()
      }
    }
  }

  @Test func gatheringRowsWithRepeatedIndices() async {
    await propertyCheck(count: gradCheckCount(25), input: GradCheckGen.shape(), GradCheckGen.seed, Gen.int(in: 1...8)) { shape, seed, count in
      var rng = RandomGenerator(seed: seed)
      let x = gradCheckUniform(shape, -1, 1, rng: &rng)
      var indices = (0..<count).map { _ in rng.nextInt(below: shape[0]) }
      if count >= 2 { indices[count - 1] = indices[0] }  // at least one repeat
      gradCheck([x], seed: seed, label: "gatheringRows \(shape) \(indices)") { t in
        let g = t[0].gatheringRows(indices)
        return g * g
      }
    }
  }

  @Test func concatenatingAlongRandomAxis() async {
    await propertyCheck(
      count: gradCheckCount(25), input: GradCheckGen.shape(), GradCheckGen.seed, Gen.int(in: 1...3).array(of: 1...3)
    ) { shape, seed, extents in
      var rng = RandomGenerator(seed: seed)
      let axis = rng.nextInt(below: shape.count)
      let parts = extents.map { e -> Tensor in
        var s = shape
        s[axis] = e
        return gradCheckUniform(s, -1, 1, rng: &rng)
      }
      let written = rng.nextInt(below: 2) == 0 ? axis : axis - shape.count
      gradCheck(parts, seed: seed, label: "concatenating \(parts.map(\.shape)) axis \(written)") { t in
        // Each part is also used elsewhere, so the slice of the gradient must land on the right part.
        Tensor.concatenating(t, alongAxis: written).tanh() + Tensor.concatenating(t.map { $0 * $0 }, alongAxis: written)
      }
    }
  }

  @Test func broadcastTo() async {
    await propertyCheck(count: gradCheckCount(25), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let source = gradCheckBroadcastPartner(of: shape, rng: &rng)
      let x = gradCheckUniform(source, -1, 1, rng: &rng)
      gradCheck([x], seed: seed, label: "broadcast \(source) → \(shape)") { t in
        t[0].broadcast(to: shape).sigmoid()
      }
    }
  }
}

// MARK: - Matrix products

extension GradientTests {
  @Test func matmul2D() async {
    await propertyCheck(count: gradCheckCount(20), input: GradCheckGen.shape(rank: 3...3), GradCheckGen.seed) { mkn, seed in
      let (m, k, n) = (mkn[0], mkn[1], mkn[2])
      var rng = RandomGenerator(seed: seed)
      let a = gradCheckUniform([m, k], -1, 1, rng: &rng)
      let b = gradCheckUniform([k, n], -1, 1, rng: &rng)
      gradCheck([a, b], seed: seed, label: "matmul [\(m),\(k)]·[\(k),\(n)]") { $0[0].matmul($0[1]) }
      // The same matrix on both sides.
      let s = gradCheckUniform([m, m], -1, 1, rng: &rng)
      gradCheck([s], seed: seed, label: "matmul S·S") { $0[0].matmul($0[0]) }
    }
  }

  @Test func matmulBatched3D() async {
    await propertyCheck(count: gradCheckCount(20), input: GradCheckGen.shape(rank: 4...4, extent: 1...4), GradCheckGen.seed) { bmkn, seed in
      let (batch, m, k, n) = (bmkn[0], bmkn[1], bmkn[2], bmkn[3])
      var rng = RandomGenerator(seed: seed)
      let a = gradCheckUniform([batch, m, k], -1, 1, rng: &rng)
      let b = gradCheckUniform([batch, k, n], -1, 1, rng: &rng)
      let shared = gradCheckUniform([k, n], -1, 1, rng: &rng)
      gradCheck([a, b], seed: seed, label: "matmul \(a.shape)·\(b.shape)") { $0[0].matmul($0[1]) }
      gradCheck([a, shared], seed: seed, label: "matmul \(a.shape)·\(shared.shape)") { $0[0].matmul($0[1]) }
    }
  }

  @Test func linearWithAndWithoutBias() async {
    await propertyCheck(count: gradCheckCount(20), input: GradCheckGen.shape(rank: 3...3), GradCheckGen.seed) { nio, seed in
      let (n, i, o) = (nio[0], nio[1], nio[2])
      var rng = RandomGenerator(seed: seed)
      let x = gradCheckUniform([n, i], -1, 1, rng: &rng)
      let w = gradCheckUniform([o, i], -1, 1, rng: &rng)
      let b = gradCheckUniform([o], -1, 1, rng: &rng)
      gradCheck([x, w, b], seed: seed, label: "linear [\(n),\(i)] W[\(o),\(i)] + b") {
        Tensor.linear($0[0], weight: $0[1], bias: $0[2])
      }
      gradCheck([x, w], seed: seed, label: "linear [\(n),\(i)] W[\(o),\(i)]") {
        Tensor.linear($0[0], weight: $0[1], bias: nil)
      }
      // Only some inputs require a gradient.
      gradCheck([x, w, b], wrt: [2], seed: seed, label: "linear, bias only") {
        Tensor.linear($0[0], weight: $0[1], bias: $0[2])
      }
      gradCheck([x, w, b], wrt: [0], seed: seed, label: "linear, input only") {
        Tensor.linear($0[0], weight: $0[1], bias: $0[2])
      }
    }
  }

  @Test func perInstanceLinear() async {
    await propertyCheck(count: gradCheckCount(20), input: GradCheckGen.shape(rank: 3...3), GradCheckGen.seed) { njk, seed in
      let (n, j, k) = (njk[0], njk[1], njk[2])
      var rng = RandomGenerator(seed: seed)
      let x = gradCheckUniform([n, j], -1, 1, rng: &rng)
      let w = gradCheckUniform([n, j, k], -1, 1, rng: &rng)
      gradCheck([x, w], seed: seed, label: "perInstanceLinear [\(n),\(j)]·[\(n),\(j),\(k)]") {
        Tensor.perInstanceLinear($0[0], weights: $0[1])
      }
    }
  }
}

// MARK: - Softmax, sparsemax, top-k

extension GradientTests {
  @Test func softmaxAndLogSoftmaxAlongRandomAxis() async {
    await propertyCheck(count: gradCheckCount(30), input: GradCheckGen.shape(), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let x = gradCheckUniform(shape, -3, 3, rng: &rng)
      let axis = rng.nextInt(below: shape.count) - (rng.nextInt(below: 2) == 0 ? 0 : shape.count)
      gradCheck([x], seed: seed, label: "softmax \(shape) axis \(axis)") { $0[0].softmax(alongAxis: axis) }
      gradCheck([x], seed: seed, label: "logSoftmax \(shape) axis \(axis)") { $0[0].logSoftmax(alongAxis: axis) }
    }
  }

  /// Sparsemax is piecewise linear; on a neighbourhood where the support S is stable its
  /// Jacobian is I − 11ᵀ/|S| on S (0 elsewhere). Lines are drawn until every value is ≥ 3h from
  /// the threshold τ (a perturbation moves zᵢ − τ by at most h(1 + 1/|S|) ≤ 2h), so the central
  /// difference measures that Jacobian exactly (up to rounding).
  @Test func sparsemaxWhereTheSupportIsStable() async {
    await propertyCheck(count: gradCheckCount(30), input: GradCheckGen.shape(), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let axis = rng.nextInt(below: shape.count)
      let margin = 3 * GradCheckTolerance.standard.step
      var values = [Float](repeating: 0, count: shape.reduce(1, *))
      var supports: [Int] = []
      for line in gradCheckLines(shape: shape, axis: axis) {
        var z: [Float] = []
        for _ in 0..<1000 {
          // Small spread so that supports of several entries are common.
          z = line.map { _ in -0.6 + 1.2 * rng.nextUniform() }
          let tau = gradCheckSparsemaxReference(z).tau
          if z.allSatisfy({ Swift.abs($0 - tau) >= margin }) { break }
        }
        for (offset, v) in zip(line, z) { values[offset] = v }
        supports.append(gradCheckSparsemaxReference(z).p.filter { $0 > 0 }.count)
      }
      let x = Tensor(shape: shape, scalars: values)
      // The forward values agree with the reference projection.
      let p = x.sparsemax(alongAxis: axis)
      for line in gradCheckLines(shape: shape, axis: axis) {
        let expected = gradCheckSparsemaxReference(line.map { values[$0] }).p
        for (offset, e) in zip(line, expected) { #expect(Swift.abs(p.scalars[offset] - e) <= 1e-5) }
      }
      let written = rng.nextInt(below: 2) == 0 ? axis : axis - shape.count
      gradCheck([x], seed: seed, label: "sparsemax \(shape) axis \(written), supports \(supports)") {
        $0[0].sparsemax(alongAxis: written)
      }
    }
  }

  /// The straight-through estimator: the gradient is the upstream gradient, bit for bit.
  @Test func topKMaskPassesTheGradientStraightThrough() async {
    await propertyCheck(count: gradCheckCount(25), input: GradCheckGen.shape(), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let width = shape.last!
      let k = rng.nextInt(below: width + 1)
      var x = gradCheckDistinct(shape, spacing: 0.1, rng: &rng)
      x.requiresGrad = true
      let mask = x.topKMask(k)
      let r = gradCheckUpstream(shape, seed: seed)
      mask.backward(r)
      #expect(x.grad == r, "topKMask(\(k)) on \(shape)")
      // The forward is the mask of the k largest per row.
      for line in gradCheckLines(shape: shape, axis: -1) {
        let ranked = line.sorted { x.scalars[$0] > x.scalars[$1] }
        for (rank, offset) in ranked.enumerated() { #expect(mask.scalars[offset] == (rank < k ? 1 : 0)) }
      }
      // Inside an expression the mask acts as the identity for the backward pass:
      // d/dx Σ R·mask(x)·x = R·mask + R·x.
      x.grad = nil
      (x.topKMask(k) * x).backward(r)
      let expected = withoutGradient { r * mask + r * x }
      #expect(x.grad == expected)
    }
  }

  @Test func topKMaskBreaksTiesTowardsTheLowerIndex() {
    let mask = Tensor(rows: [[1, 2, 2, 0], [5, 5, 5, 5]]).topKMask(2)
    #expect(mask == Tensor(rows: [[0, 1, 1, 0], [1, 1, 0, 0]]))
  }
}

// MARK: - Selection

extension GradientTests {
  @Test func gatheringAlongAxisWithRepeats() async {
    await propertyCheck(count: gradCheckCount(30), input: GradCheckGen.shape(), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let axis = rng.nextInt(below: shape.count)
      var indexShape = shape.enumerated().map { d, extent in d == axis ? 1 + rng.nextInt(below: 5) : 1 + rng.nextInt(below: extent) }
      if rng.nextInt(below: 4) == 0 {  // one pick per line
        indexShape = shape
        indexShape[axis] = 1
      }
      let indices = (0..<indexShape.reduce(1, *)).map { _ in rng.nextInt(below: shape[axis]) }
      let x = gradCheckUniform(shape, -1, 1, rng: &rng)
      let written = rng.nextInt(below: 2) == 0 ? axis : axis - shape.count
      gradCheck([x], seed: seed, label: "gathering \(shape) axis \(written) index shape \(indexShape) \(indices)") { t in
        let g = t[0].gathering(alongAxis: written, indices: indices, indexShape: indexShape)
        return g * g + g
      }
    }
  }

  @Test func whereWithBroadcasting() async {
    await propertyCheck(count: gradCheckCount(30), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let sc = gradCheckBroadcastPartner(of: shape, rng: &rng)
      let sa = gradCheckBroadcastPartner(of: shape, rng: &rng)
      let sb = rng.nextInt(below: 2) == 0 ? shape : gradCheckBroadcastPartner(of: shape, rng: &rng)
      let choices: [Float] = [0, 1, -2, 0.5]
      let condition = Tensor(shape: sc, scalars: (0..<sc.reduce(1, *)).map { _ in choices[rng.nextInt(below: 4)] })
      let a = gradCheckUniform(sa, -1, 1, rng: &rng)
      let b = gradCheckUniform(sb, -1, 1, rng: &rng)
      gradCheck([a, b], seed: seed, label: "where \(sc) ? \(sa) : \(sb)") { t in
        Tensor.where(condition, t[0], t[1]) * Tensor.where(condition, t[1], t[0])
      }
      gradCheck([a], seed: seed, label: "where \(sc) ? \(sa) : constant") { t in
        Tensor.where(condition, t[0].exp(), Tensor(scalar: 3))
      }
    }
  }

  @Test func maskedFillWithBroadcastMask() async {
    await propertyCheck(count: gradCheckCount(25), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed, Gen.float(in: -3...3)) { shape, seed, value in
      var rng = RandomGenerator(seed: seed)
      let sm = gradCheckBroadcastPartner(of: shape, rng: &rng)
      let mask = Tensor(shape: sm, scalars: (0..<sm.reduce(1, *)).map { _ in Float(rng.nextInt(below: 2)) })
      let x = gradCheckUniform(shape, -1, 1, rng: &rng)
      gradCheck([x], seed: seed, label: "maskedFill \(shape) mask \(sm)") { t in
        t[0].maskedFill(mask, with: value).tanh()
      }
    }
  }
}

// MARK: - Losses

extension GradientTests {
  static let reductions: [LossReduction] = [.mean, .sum, .none]

  @Test func crossEntropyGradientForLogits() async {
    await propertyCheck(count: gradCheckCount(25), input: GradCheckGen.shape(rank: 2...2), GradCheckGen.seed) { nc, seed in
      var rng = RandomGenerator(seed: seed)
      let (n, c) = (nc[0], nc[1])
      let labels = (0..<n).map { _ in rng.nextInt(below: c) }
      let logits = gradCheckUniform([n, c], -3, 3, rng: &rng)
      for reduction in Self.reductions {
        gradCheck([logits], seed: seed, label: "crossEntropy \(nc) \(labels) \(reduction)") {
          crossEntropy(logits: $0[0], labels: labels, reduction: reduction)
        }
      }
    }
  }

  /// ℓ = softplus(z) − z·y: gradients σ(z) − y for the logits and −z for the targets.
  @Test func binaryCrossEntropyGradientsForLogitsAndTargets() async {
    await propertyCheck(count: gradCheckCount(25), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let logits = gradCheckUniform(shape, -4, 4, rng: &rng)
      let targets = gradCheckUniform(shape, 0, 1, rng: &rng)
      for reduction in Self.reductions {
        gradCheck([logits, targets], seed: seed, label: "binaryCrossEntropy \(shape) \(reduction)") {
          binaryCrossEntropy(logits: $0[0], targets: $0[1], reduction: reduction)
        }
      }
      // Hard labels, logits only.
      let hard = Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(rng.nextInt(below: 2)) })
      gradCheck([logits, hard], wrt: [0], seed: seed, label: "binaryCrossEntropy hard labels \(shape)") {
        binaryCrossEntropy(logits: $0[0], targets: $0[1])
      }
    }
  }

  @Test func meanSquaredErrorAndMeanAbsolute() async {
    await propertyCheck(count: gradCheckCount(25), input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let predictions = gradCheckUniform(shape, -2, 2, rng: &rng)
      let targets = gradCheckUniform(shape, -2, 2, rng: &rng)
      for reduction in Self.reductions {
        gradCheck([predictions, targets], seed: seed, label: "meanSquaredError \(shape) \(reduction)") {
          meanSquaredError(predictions: $0[0], targets: $0[1], reduction: reduction)
        }
      }
      let x = gradCheckUniform(shape, -2, 2, awayFrom: [0], margin: 3 * GradCheckTolerance.standard.step, rng: &rng)
      gradCheck([x], seed: seed, label: "meanAbsolute \(shape)") { meanAbsolute($0[0]) }
    }
  }

  @Test("the fused meanAbsolute gives x.abs().mean()'s gradient bit for bit and its value to Float rounding, zeros included")
  func meanAbsoluteMatchesComposition() async {
    await propertyCheck(count: 40, input: GradCheckGen.shape(rank: 0...3), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      var values = gradCheckUniform(shape, -3, 3, rng: &rng).scalars
      for i in values.indices where rng.nextUniform() < 0.2 { values[i] = 0 }
      func run(_ f: (Tensor) -> Tensor) -> (Float, [Float]) {
        var x = Tensor(shape: shape, scalars: values)
        x.requiresGrad = true
        let y = f(x) * 0.37
        y.backward()
        return (y.item, x.grad?.scalars ?? [])
      }
      let fused = run { meanAbsolute($0) }
      let composed = run { $0.abs().mean() }
      // The value's sum runs in sixteen lanes: within a few ulps of the sequential sum of |x|.
      let scale = values.reduce(0) { $0 + Swift.abs($1) } * 0.37 / Float(Swift.max(values.count, 1))
      #expect(Swift.abs(fused.0 - composed.0) <= 8 * scale.ulp + Float.leastNormalMagnitude, "\(shape): \(fused.0) vs \(composed.0)")
      #expect(fused.1.map(\.bitPattern) == composed.1.map(\.bitPattern), "\(shape)")
    }
  }

  @Test("absoluteSum agrees with the sum of |x| in Double, over lengths around the 16-lane blocks, NaN and ±0 included")
  func absoluteSumAgreesWithDouble() async {
    await propertyCheck(count: 60, input: Gen.int(in: 0...200), GradCheckGen.seed) { count, seed in
      var rng = RandomGenerator(seed: seed)
      var values = (0..<count).map { _ in rng.nextUniform() * 8 - 4 }
      for i in values.indices where rng.nextUniform() < 0.1 { values[i] = rng.nextUniform() < 0.5 ? 0 : -0.0 }
      let exact = values.reduce(0.0) { $0 + Double(Swift.abs($1)) }
      let total = values.withUnsafeBufferPointer(absoluteSum)
      #expect(Swift.abs(Double(total) - exact) <= Double(count) * 1e-6 * Swift.max(exact, 1), "\(count): \(total) vs \(exact)")
      #expect(total == values.withUnsafeBufferPointer(absoluteSum), "the same input, the same bits")
      if count > 0 {
        values[Int(rng.nextUniform() * Float(count)) % count] = .nan
        #expect(values.withUnsafeBufferPointer(absoluteSum).isNaN)
      }
    }
  }
}

// MARK: - Larger shapes

extension GradientTests {
  /// A few draws with extents up to 9 (up to 729 elements), past the sizes of the other checks.
  @Test func largerShapes() async {
    await propertyCheck(count: gradCheckCount(3), input: GradCheckGen.shape(rank: 2...3, extent: 6...9), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let partner = gradCheckBroadcastPartner(of: shape, rng: &rng)
      let a = gradCheckUniform(shape, -1, 1, rng: &rng)
      let b = gradCheckMagnitude(partner, 0.8, 2, rng: &rng)
      gradCheck([a, b], seed: seed, label: "a·b + a/b \(shape) ∘ \(partner)") { t in t[0] * t[1] + t[0] / t[1] }
      let axes = gradCheckRandomAxes(rank: shape.count, rng: &rng)
      gradCheck([a], seed: seed, label: "logSumExp + variance \(shape) axes \(axes)") { t in
        t[0].logSumExp(alongAxes: axes) + t[0].variance(alongAxes: axes)
      }
      let axis = rng.nextInt(below: shape.count)
      gradCheck([a], seed: seed, label: "softmax \(shape) axis \(axis)") { $0[0].softmax(alongAxis: axis) }
      let m = gradCheckUniform([shape[0], shape[1]], -1, 1, rng: &rng)
      let w = gradCheckUniform([shape[1], shape.last!], -1, 1, rng: &rng)
      gradCheck([m, w], seed: seed, label: "matmul \(m.shape)·\(w.shape)") { $0[0].matmul($0[1]) }
    }
  }
}
