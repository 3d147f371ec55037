// Invariants of the Tensor operations, checked as properties over random shapes and values
// against references computed independently here (plain loops, in Double where it matters).
//
// Random values come from the library's own seeded generator with a seed drawn by the property
// checker, so a failing case is reproduced by its seed (printed on failure) and the shapes shrink.

import Foundation
import PropertyBased
import Testing

@testable import Tensor

// MARK: - Helpers (file-private, prefixed `inv` to stay clear of other test files)

/// Unit roundoff of Float32 arithmetic, u = 2⁻²⁴: one correctly rounded operation has relative
/// error at most u.
private let invUnitRoundoff = Double(Float.ulpOfOne) / 2

private func invUniform(_ shape: [Int], seed: UInt64, _ low: Float = -1, _ high: Float = 1) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  return Tensor.randomUniform(shape, low: low, high: high, using: &rng)
}

/// Row-major strides of a shape.
private func invStrides(_ shape: [Int]) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  var running = 1
  for i in stride(from: shape.count - 1, through: 0, by: -1) {
    strides[i] = running
    running *= shape[i]
  }
  return strides
}

/// The multi-index of a row-major offset.
private func invUnravel(_ offset: Int, _ shape: [Int]) -> [Int] {
  var index = [Int](repeating: 0, count: shape.count)
  var rest = offset
  for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
    index[axis] = rest % shape[axis]
    rest /= shape[axis]
  }
  return index
}

/// The row-major offset of a multi-index.
private func invOffset(_ index: [Int], _ shape: [Int]) -> Int {
  zip(index, invStrides(shape)).reduce(0) { $0 + $1.0 * $1.1 }
}

/// A random shape of the given rank with extents in `extents`.
private func invShape(rank: Int, extents: ClosedRange<Int>, rng: inout RandomGenerator) -> [Int] {
  (0..<rank).map { _ in extents.lowerBound + rng.nextInt(below: extents.count) }
}

/// Euclidean projection of z onto the probability simplex, computed in Double by bisection on
/// the threshold τ: Σ max(zᵢ − τ, 0) is continuous and decreasing in τ, equal to ≥ 1 at
/// τ = max z − 1 and to 0 at τ = max z, so 200 halvings pin τ to far below Float precision.
/// (Independent of the sort-based closed form the library uses.)
private func invSimplexProjection(_ z: [Double]) -> (p: [Double], tau: Double) {
  let top = z.max()!
  var lo = top - 1
  var hi = top
  for _ in 0..<200 {
    let mid = (lo + hi) / 2
    let mass = z.reduce(0) { $0 + max($1 - mid, 0) }
    if mass > 1 { lo = mid } else { hi = mid }
  }
  let tau = (lo + hi) / 2
  return (z.map { max($0 - tau, 0) }, tau)
}

/// log Σ exp(zᵢ) in Double.
private func invLogSumExp(_ z: [Double]) -> Double {
  let m = z.max()!
  return m + Foundation.log(z.reduce(0) { $0 + Foundation.exp($1 - m) })
}

// MARK: - Softmax family

@Suite("Invariants: softmax, sparsemax, logSumExp, logSoftmax")
struct InvariantSoftmaxTests {
  @Test("softmax is positive and sums to 1 along any axis")
  func softmaxOnSimplex() async {
    await propertyCheck(
      count: 60, input: Gen.int(in: 1...4), Gen.int(in: 1...4), Gen.int(in: 1...12), Gen.uint64()
    ) { a, b, c, seed in
      let shape = [a, b, c]
      var rng = RandomGenerator(seed: seed)
      let axis = rng.nextInt(below: 3)
      // |x| ≤ 40, so every exponent x − max ≥ −80 and e^(−80) ≈ 1.8e−35 is a normal Float:
      // every probability must be strictly positive.
      let scale = Float(0.1 + 39.9 * rng.nextUniformDouble())
      let x = invUniform(shape, seed: seed &+ 1, -scale, scale)
      let y = x.softmax(alongAxis: axis)
      #expect(y.shape == shape)
      #expect(y.scalars.allSatisfy { $0 > 0 && $0 <= 1 })
      // Sum along `axis` for every other position; the sum of ≤ 12 values in [0, 1] after a
      // normalisation by one division is within ~14 roundings (≈ 1e-6) of 1.
      for offset in 0..<y.count {
        var index = invUnravel(offset, shape)
        guard index[axis] == 0 else { continue }
        var total = 0.0
        for k in 0..<shape[axis] {
          index[axis] = k
          total += Double(y.scalars[invOffset(index, shape)])
        }
        #expect(abs(total - 1) < 2e-6, "softmax along axis \(axis) of \(shape) sums to \(total)")
      }
    }
  }

  @Test("softmax of known values")
  func softmaxKnownValues() {
    // softmax([0, ln 3]) = [1/4, 3/4]; adding a constant changes nothing.
    let y = Tensor([0, Float(Foundation.log(3.0))]).softmax()
    #expect(abs(y.scalars[0] - 0.25) < 2e-7 && abs(y.scalars[1] - 0.75) < 2e-7)
    let shifted = Tensor([1000, 1000 + Float(Foundation.log(3.0))]).softmax()
    #expect(abs(shifted.scalars[0] - 0.25) < 1e-4 && abs(shifted.scalars[1] - 0.75) < 1e-4)
    // ±1e4 does not overflow: the maximum gets all the mass.
    let extreme = Tensor([1e4, -1e4, 0]).softmax()
    #expect(extreme.scalars == [1, 0, 0])
  }

  @Test("sparsemax lies on the simplex and equals the Euclidean projection (bisection in Double)")
  func sparsemaxIsSimplexProjection() async {
    await propertyCheck(count: 80, input: Gen.int(in: 1...6), Gen.int(in: 1...16), Gen.uint64()) { rows, width, seed in
      var rng = RandomGenerator(seed: seed)
      let maxAbs = Float(0.05 + 9.95 * rng.nextUniformDouble())
      let x = invUniform([rows, width], seed: seed &+ 7, -maxAbs, maxAbs)
      let p = x.sparsemax()
      #expect(p.shape == [rows, width])
      // Tolerance: the library sums ≤ `width` sorted values of magnitude ≤ maxAbs in Float, so
      // τ carries an error ≤ width·maxAbs·u (standard summation bound), and pᵢ = zᵢ − τ adds one
      // more rounding; a factor 8 of slack on top.
      let tol = 1e-6 + 8 * Double(width) * Double(maxAbs) * invUnitRoundoff
      for r in 0..<rows {
        let row = (0..<width).map { Double(p[r, $0]) }
        let (reference, tau) = invSimplexProjection((0..<width).map { Double(x[r, $0]) })
        #expect(row.allSatisfy { $0 >= 0 }, "sparsemax row \(row) has a negative entry")
        #expect(abs(row.reduce(0, +) - 1) <= tol, "sparsemax row sums to \(row.reduce(0, +))")
        for j in 0..<width {
          #expect(abs(row[j] - reference[j]) <= tol, "sparsemax[\(r), \(j)] = \(row[j]), projection gives \(reference[j])")
          // Entries clearly below the threshold are exact zeros, not merely small.
          if Double(x[r, j]) < tau - tol {
            #expect(row[j] == 0, "sparsemax[\(r), \(j)] = \(row[j]) should be exactly 0 (z = \(x[r, j]), τ = \(tau))")
          }
        }
      }
    }
  }

  @Test("sparsemax of a peaked row is exactly one-hot (sparse), unlike softmax")
  func sparsemaxIsSparseForPeakedInputs() async {
    await propertyCheck(count: 60, input: Gen.int(in: 2...20), Gen.uint64()) { width, seed in
      var rng = RandomGenerator(seed: seed)
      let peak = rng.nextInt(below: width)
      // Noise in [−0.1, 0.1] and one entry raised by 2: z₍₁₎ − z₍₂₎ ≥ 1.8 > 1, so the support
      // is {peak}, τ = z_peak − 1 and every other entry is clamped to exactly 0.
      var x = invUniform([width], seed: seed &+ 3, -0.1, 0.1)
      x = x + Tensor((0..<width).map { $0 == peak ? 2 : 0 })
      let p = x.sparsemax()
      #expect(p.scalars.filter { $0 == 0 }.count == width - 1, "expected \(width - 1) exact zeros in \(p.scalars)")
      #expect(abs(p.scalars[peak] - 1) < 1e-6)
      #expect(x.softmax().scalars.allSatisfy { $0 > 0 })
    }
  }

  @Test("sparsemax of known values, and along axis 0")
  func sparsemaxKnownValues() {
    // z = [1, 0.5, −1]: k = 2 (1 + 2·0.5 > 1.5, 1 + 3·(−1) ≯ 0.5), τ = (1.5 − 1)/2 = 0.25.
    let p = Tensor([1, 0.5, -1]).sparsemax()
    #expect(p.scalars == [0.75, 0.25, 0])
    // Equal entries share the mass evenly.
    #expect(Tensor([3, 3, 3, 3]).sparsemax().scalars == [0.25, 0.25, 0.25, 0.25])
    // Along axis 0: the columns of [[1, 0], [0.5, 0], [−1, 0]].
    let m = Tensor(rows: [[1, 0], [0.5, 0], [-1, 0]]).sparsemax(alongAxis: 0)
    let third: Float = 1.0 / 3
    let expected: [Float] = [0.75, third, 0.25, third, 0, third]
    #expect(m.scalars == expected)
  }

  @Test("logSumExp is finite and correct for inputs of ±1e4")
  func logSumExpExtremes() {
    let cases: [([Float], Double)] = [
      ([1e4, 1e4], 1e4 + Foundation.log(2.0)),
      ([-1e4, -1e4, -1e4], -1e4 + Foundation.log(3.0)),
      ([1e4, -1e4], 1e4),
      ([1e4, 1e4 - 1], 1e4 + Foundation.log1p(Foundation.exp(-1.0))),
      ([-1e4], -1e4),
      ([0, 0], Foundation.log(2.0)),
    ]
    for (values, expected) in cases {
      let lse = Tensor(values).logSumExp(alongAxis: 0)
      #expect(lse.shape == [])
      #expect(lse.item.isFinite, "logSumExp(\(values)) = \(lse.item)")
      // One rounding of a value near 1e4 is ≤ ulp(1e4)/2 ≈ 4.9e-4; allow 2 ulp.
      #expect(abs(Double(lse.item) - expected) <= 2 * Double(Float(expected).ulp) + 1e-6,
        "logSumExp(\(values)) = \(lse.item), expected \(expected)")
    }
    // keepingDims and several axes.
    let t = Tensor(shape: [2, 2], scalars: [1e4, 1e4, -1e4, -1e4])
    let rows = t.logSumExp(alongAxis: 1, keepingDims: true)
    #expect(rows.shape == [2, 1])
    #expect(abs(Double(rows.scalars[0]) - (1e4 + Foundation.log(2.0))) < 2e-3)
    #expect(abs(Double(rows.scalars[1]) - (-1e4 + Foundation.log(2.0))) < 2e-3)
    let all = t.logSumExp(alongAxes: [0, 1])
    #expect(abs(Double(all.item) - (1e4 + Foundation.log(2.0))) < 2e-3)
  }

  @Test("logSumExp of random rows shifted by up to ±1e4 matches Double")
  func logSumExpProperty() async {
    await propertyCheck(count: 60, input: Gen.int(in: 1...5), Gen.int(in: 1...10), Gen.float(in: -1e4...1e4), Gen.uint64()) {
      rows, width, shift, seed in
      let x = invUniform([rows, width], seed: seed, -20, 20) + shift
      let lse = x.logSumExp(alongAxis: 1)
      for r in 0..<rows {
        let expected = invLogSumExp((0..<width).map { Double(x[r, $0]) })
        // Error: rounding of m + log(s) (≤ 1 ulp of the result); the exponents xᵢ − m (|·| ≤ 40)
        // carry ≤ 40u absolute error, the exponentials and the sum of ≤ 10 of them ≈ 12u more,
        // all passed through log as absolute errors: 2 ulp + 80u covers it.
        let tol = 2 * Double(Float(expected).ulp) + 80 * invUnitRoundoff
        #expect(lse.scalars[r].isFinite)
        #expect(abs(Double(lse.scalars[r]) - expected) <= tol, "logSumExp row \(r): \(lse.scalars[r]) vs \(expected)")
      }
    }
  }

  @Test("logSoftmax equals log(softmax) wherever both are finite, and is always finite")
  func logSoftmaxMatchesLogOfSoftmax() async {
    await propertyCheck(count: 60, input: Gen.int(in: 1...5), Gen.int(in: 1...10), Gen.float(in: 0.1...60), Gen.uint64()) {
      rows, width, scale, seed in
      var x = invUniform([rows, width], seed: seed, -scale, scale)
      // Occasionally plant extreme logits, where softmax underflows to 0 and log(0) = −∞.
      if seed % 3 == 0 {
        x = x + Tensor(shape: [rows, width], scalars: (0..<(rows * width)).map { $0 % 3 == 0 ? 1e4 : 0 })
      }
      let a = x.logSoftmax()
      let probabilities = x.softmax()
      let b = probabilities.log()
      func softmaxValue(_ r: Int, _ j: Int) -> Float { probabilities[r, j] }
      var compared = 0
      for r in 0..<rows {
        let row = (0..<width).map { Double(x[r, $0]) }
        let lse = invLogSumExp(row)
        for j in 0..<width {
          // Both sides are x − lse up to a few roundings of numbers of magnitude
          // ≤ max(|x|, |lse|, |x − lse|) (each ≤ ½ ulp) plus ~1e-6 from exp/log of O(1) values.
          let tol = 4 * Double(Float(max(abs(row[j]), abs(lse), abs(row[j] - lse), 1)).ulp) + 2e-6
          #expect(a[r, j].isFinite, "logSoftmax gave \(a[r, j])")
          #expect(abs(Double(a[r, j]) - (row[j] - lse)) <= tol, "logSoftmax \(a[r, j]) vs x − lse = \(row[j] - lse)")
          // log(softmax) is only as precise as softmax: compare where softmax is a normal Float
          // (below 1.2e-38 it is subnormal, with fewer significant bits, and 0 below 1.4e-45).
          guard a[r, j].isFinite && b[r, j].isFinite, softmaxValue(r, j) >= Float.leastNormalMagnitude else { continue }
          #expect(abs(Double(a[r, j]) - Double(b[r, j])) <= tol, "logSoftmax \(a[r, j]) vs log softmax \(b[r, j])")
          compared += 1
        }
      }
      #expect(compared > 0)
    }
  }
}

// MARK: - Products

@Suite("Invariants: matmul, linear, perInstanceLinear")
struct InvariantProductTests {
  /// Checks a Float product against a Double reference with the standard forward error bound
  /// of an inner product of length k in Float arithmetic (Higham, Accuracy and Stability of
  /// Numerical Algorithms, §3.1): |fl(Σ aᵢbᵢ) − Σ aᵢbᵢ| ≤ γ_k Σ|aᵢbᵢ|, γ_k = k·u/(1 − k·u).
  /// The bound holds for any summation order and with or without FMA, so it also covers
  /// OpenBLAS's blocked kernels; (k + 2) instead of k leaves room for a bias add.
  private func within(_ actual: Float, _ exact: Double, absSum: Double, k: Int) -> Bool {
    let gamma = Double(k + 2) * invUnitRoundoff / (1 - Double(k + 2) * invUnitRoundoff)
    return abs(Double(actual) - exact) <= gamma * absSum + 1e-30
  }

  @Test("2-D matmul agrees with a naive triple loop in Double")
  func matmul2D() async {
    await propertyCheck(count: 60, input: Gen.int(in: 1...9), Gen.int(in: 0...9), Gen.int(in: 1...9), Gen.uint64()) { m, k, n, seed in
      let a = invUniform([m, k], seed: seed, -3, 3)
      let b = invUniform([k, n], seed: seed &+ 1, -3, 3)
      let c = a.matmul(b)
      #expect(c.shape == [m, n])
      for i in 0..<m {
        for j in 0..<n {
          var exact = 0.0
          var absSum = 0.0
          for p in 0..<k {
            let term = Double(a[i, p]) * Double(b[p, j])
            exact += term
            absSum += abs(term)
          }
          #expect(within(c[i, j], exact, absSum: absSum, k: k), "C[\(i),\(j)] = \(c[i, j]), exact \(exact)")
        }
      }
    }
  }

  @Test("batched 3-D matmul and 3-D·2-D agree with naive loops")
  func matmulBatched() async {
    await propertyCheck(count: 40, input: Gen.int(in: 1...4), Gen.int(in: 1...6), Gen.int(in: 1...7), Gen.int(in: 1...6), Gen.uint64()) {
      batch, m, k, n, seed in
      let a = invUniform([batch, m, k], seed: seed, -2, 2)
      let b3 = invUniform([batch, k, n], seed: seed &+ 1, -2, 2)
      let b2 = invUniform([k, n], seed: seed &+ 2, -2, 2)
      let c3 = a.matmul(b3)
      let c2 = a.matmul(b2)
      #expect(c3.shape == [batch, m, n] && c2.shape == [batch, m, n])
      for s in 0..<batch {
        for i in 0..<m {
          for j in 0..<n {
            var e3 = 0.0, s3 = 0.0, e2 = 0.0, s2 = 0.0
            for p in 0..<k {
              let t3 = Double(a[s, i, p]) * Double(b3[s, p, j])
              let t2 = Double(a[s, i, p]) * Double(b2[p, j])
              e3 += t3; s3 += abs(t3); e2 += t2; s2 += abs(t2)
            }
            #expect(within(c3[s, i, j], e3, absSum: s3, k: k), "batched C[\(s),\(i),\(j)] = \(c3[s, i, j]) vs \(e3)")
            #expect(within(c2[s, i, j], e2, absSum: s2, k: k), "shared-B C[\(s),\(i),\(j)] = \(c2[s, i, j]) vs \(e2)")
          }
        }
      }
    }
  }

  @Test("matmul of known matrices")
  func matmulKnown() {
    let a = Tensor(rows: [[1, 2, 3], [4, 5, 6]])
    let b = Tensor(rows: [[7, 8], [9, 10], [11, 12]])
    #expect(a.matmul(b) == Tensor(rows: [[58, 64], [139, 154]]))
    // Inner dimension 0 gives zeros, not garbage.
    #expect(Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 3])) == Tensor.zeros([2, 3]))
  }

  @Test("perInstanceLinear agrees with a naive loop")
  func perInstanceLinear() async {
    await propertyCheck(count: 50, input: Gen.int(in: 1...6), Gen.int(in: 0...8), Gen.int(in: 1...5), Gen.uint64()) { n, j, k, seed in
      let x = invUniform([n, j], seed: seed, -2, 2)
      let w = invUniform([n, j, k], seed: seed &+ 1, -2, 2)
      let y = Tensor.perInstanceLinear(x, weights: w)
      #expect(y.shape == [n, k])
      for r in 0..<n {
        for c in 0..<k {
          var exact = 0.0, absSum = 0.0
          for q in 0..<j {
            let term = Double(x[r, q]) * Double(w[r, q, c])
            exact += term; absSum += abs(term)
          }
          #expect(within(y[r, c], exact, absSum: absSum, k: j), "logits[\(r),\(c)] = \(y[r, c]) vs \(exact)")
        }
      }
    }
  }

  @Test("Tensor.linear agrees with matmul + bias and with a naive loop")
  func linearMatchesMatmul() async {
    await propertyCheck(count: 50, input: Gen.int(in: 1...7), Gen.int(in: 0...8), Gen.int(in: 1...6), Gen.uint64()) { n, inF, outF, seed in
      let x = invUniform([n, inF], seed: seed, -2, 2)
      let w = invUniform([outF, inF], seed: seed &+ 1, -2, 2)
      let b = invUniform([outF], seed: seed &+ 2, -2, 2)
      let y = Tensor.linear(x, weight: w, bias: b)
      let viaMatmul = x.matmul(w.transposed()) + b
      let noBias = Tensor.linear(x, weight: w, bias: nil)
      #expect(y.shape == [n, outF] && noBias.shape == [n, outF])
      for r in 0..<n {
        for c in 0..<outF {
          var exact = 0.0, absSum = 0.0
          for q in 0..<inF {
            let term = Double(x[r, q]) * Double(w[c, q])
            exact += term; absSum += abs(term)
          }
          #expect(within(noBias[r, c], exact, absSum: absSum, k: inF))
          let withBias = exact + Double(b[c])
          let bound = absSum + abs(Double(b[c]))
          #expect(within(y[r, c], withBias, absSum: bound, k: inF + 1), "linear[\(r),\(c)] = \(y[r, c]) vs \(withBias)")
          // Two Float evaluations of the same quantity: each within the bound of the exact value.
          #expect(abs(Double(y[r, c]) - Double(viaMatmul[r, c])) <= 2 * Double(inF + 3) * invUnitRoundoff * bound + 1e-30)
        }
      }
    }
  }
}

// MARK: - Broadcasting and shape operations

@Suite("Invariants: broadcasting and shape operations")
struct InvariantShapeTests {
  /// Two shapes that broadcast to `out`: each drops some leading axes and sets some extents to 1.
  private func broadcastPair(rng: inout RandomGenerator) -> (a: [Int], b: [Int], out: [Int]) {
    let rank = 1 + rng.nextInt(below: 4)
    let out = invShape(rank: rank, extents: 1...4, rng: &rng)
    func derive(_ rng: inout RandomGenerator) -> [Int] {
      let drop = rng.nextInt(below: rank + 1)
      return out.dropFirst(drop).map { rng.nextInt(below: 3) == 0 ? 1 : $0 }
    }
    let a = derive(&rng)
    let b = derive(&rng)
    // The broadcast result: rank max(|a|, |b|), and on each axis the extent that is not 1.
    let outRank = max(a.count, b.count)
    var fixed = [Int](repeating: 1, count: outRank)
    for i in 0..<outRank {
      let ai = i - (outRank - a.count), bi = i - (outRank - b.count)
      let ea = ai >= 0 ? a[ai] : 1, eb = bi >= 0 ? b[bi] : 1
      fixed[i] = max(ea, eb)
    }
    return (a, b, fixed)
  }

  /// The input offset read for output multi-index `index` when `shape` is broadcast to `out`.
  private func sourceOffset(_ index: [Int], from shape: [Int], to out: [Int]) -> Int {
    let lead = out.count - shape.count
    let local = shape.indices.map { shape[$0] == 1 ? 0 : index[lead + $0] }
    return invOffset(local, shape)
  }

  @Test("elementwise +, −, ×, ÷ and broadcast(to:) agree with explicit loops")
  func broadcastingMatchesLoops() async {
    await propertyCheck(count: 120, input: Gen.uint64()) { seed in
      var rng = RandomGenerator(seed: seed)
      let (sa, sb, out) = broadcastPair(rng: &rng)
      let a = invUniform(sa, seed: seed &+ 1, -5, 5)
      // Divisors kept away from 0.
      let b = invUniform(sb, seed: seed &+ 2, 0.5, 4) * (seed % 2 == 0 ? 1 : -1)
      let ops: [(String, (Tensor, Tensor) -> Tensor, (Float, Float) -> Float)] = [
        ("+", { $0 + $1 }, { $0 + $1 }), ("-", { $0 - $1 }, { $0 - $1 }),
        ("*", { $0 * $1 }, { $0 * $1 }), ("/", { $0 / $1 }, { $0 / $1 }),
      ]
      for (name, op, scalarOp) in ops {
        let r = op(a, b)
        #expect(r.shape == out, "\(sa) \(name) \(sb) has shape \(r.shape), expected \(out)")
        guard r.shape == out else { continue }
        for o in 0..<r.count {
          let index = invUnravel(o, out)
          // One IEEE operation on the same two Floats: the result must be bit-identical.
          let expected = scalarOp(a.scalars[sourceOffset(index, from: sa, to: out)], b.scalars[sourceOffset(index, from: sb, to: out)])
          #expect(r.scalars[o] == expected, "\(sa) \(name) \(sb) at \(index): \(r.scalars[o]) vs \(expected)")
        }
      }
      let ba = a.broadcast(to: out)
      #expect(ba.shape == out)
      for o in 0..<ba.count {
        #expect(ba.scalars[o] == a.scalars[sourceOffset(invUnravel(o, out), from: sa, to: out)])
      }
    }
  }

  @Test("broadcasts over leading axes and of one value (copied in blocks) agree with explicit loops")
  func leadingBroadcastMatchesLoops() async {
    await propertyCheck(count: 60, input: Gen.uint64()) { seed in
      var rng = RandomGenerator(seed: seed)
      let trailing = (0..<(1 + rng.nextInt(below: 3))).map { _ in 1 + rng.nextInt(below: 4) }
      let leading = (0..<(1 + rng.nextInt(below: 3))).map { _ in 1 + rng.nextInt(below: 4) }
      let out = leading + trailing
      // The source: the trailing shape, with or without leading 1s; or one value of some rank.
      let ones = [Int](repeating: 1, count: rng.nextInt(below: leading.count + 1))
      let source = seed % 3 == 0 ? [Int](repeating: 1, count: rng.nextInt(below: out.count + 1)) : ones + trailing
      let a = invUniform(source, seed: seed &+ 1, -5, 5)
      let b = a.broadcast(to: out)
      #expect(b.shape == out)
      for o in 0..<b.count {
        #expect(b.scalars[o] == a.scalars[sourceOffset(invUnravel(o, out), from: source, to: out)], "\(source) → \(out) at \(o)")
      }
    }
  }

  @Test("sum and max over trailing axes are the sequential fold, bit for bit")
  func trailingReductionsAreSequentialFolds() async {
    await propertyCheck(count: 60, input: Gen.uint64()) { seed in
      var rng = RandomGenerator(seed: seed)
      let shape = (0..<(1 + rng.nextInt(below: 3))).map { _ in 1 + rng.nextInt(below: 50) }
      let x = invUniform(shape, seed: seed &+ 3, -100, 100)
      let from = rng.nextInt(below: shape.count)
      let axes = Array(from..<shape.count)
      let reduced = shape[from...].reduce(1, *)
      let sum = x.sum(alongAxes: axes).scalars
      let max = x.max(alongAxes: axes).scalars
      for o in 0..<(x.count / reduced) {
        var (s, m): (Float, Float) = (0, -.infinity)
        for r in 0..<reduced {
          s = s + x.scalars[o * reduced + r]
          m = Swift.max(m, x.scalars[o * reduced + r])
        }
        #expect(sum[o].bitPattern == s.bitPattern && max[o] == m, "\(shape) over \(axes) at \(o)")
      }
    }
  }

  @Test("a reduction names its axes in any order, negative or repeated: the same values and shape as the sorted distinct axes")
  func reductionAxesInAnyForm() async {
    await propertyCheck(count: 60, input: Gen.uint64()) { seed in
      var rng = RandomGenerator(seed: seed)
      let rank = 1 + rng.nextInt(below: 4)
      let shape = (0..<rank).map { _ in 1 + rng.nextInt(below: 5) }
      let x = invUniform(shape, seed: seed &+ 5, -10, 10)
      let distinct = (0..<rank).filter { _ in rng.nextInt(below: 2) == 0 }
      // Each axis named once or twice, some as negative axes, in a shuffled order.
      var named: [Int] = []
      for a in distinct {
        for _ in 0...rng.nextInt(below: 2) { named.append(rng.nextInt(below: 2) == 0 ? a : a - rank) }
      }
      for i in stride(from: named.count - 1, to: 0, by: -1) { named.swapAt(i, rng.nextInt(below: i + 1)) }
      for keep in [false, true] {
        let got = x.sum(alongAxes: named, keepingDims: keep)
        let want = x.sum(alongAxes: distinct, keepingDims: keep)
        #expect(got.shape == want.shape && got.scalars.map(\.bitPattern) == want.scalars.map(\.bitPattern), "\(shape) over \(named)")
        let expectedShape = keep ? shape.enumerated().map { distinct.contains($0.offset) ? 1 : $0.element }
                                 : shape.enumerated().filter { !distinct.contains($0.offset) }.map(\.element)
        #expect(got.shape == expectedShape, "\(shape) over \(named), keepingDims \(keep)")
        #expect(x.mean(alongAxes: named, keepingDims: keep).shape == expectedShape)
      }
      // Against a brute-force sum in Double over the distinct axes.
      let total = x.sum(alongAxes: named)
      let strides = invStrides(shape)
      var expected = [Double](repeating: 0, count: total.count)
      let keptAxes = (0..<rank).filter { !distinct.contains($0) }
      for i in 0..<x.count {
        var out = 0
        for a in keptAxes { out = out * shape[a] + (i / strides[a]) % shape[a] }
        expected[out] += Double(x.scalars[i])
      }
      for (g, e) in zip(total.scalars, expected) { #expect(abs(Double(g) - e) <= 1e-4 * Swift.max(1, abs(e)), "\(shape) over \(named)") }
    }
  }

  @Test("reducing a rank-0 tensor over axis 0 or −1 returns it, as PyTorch does")
  func rankZeroReductions() {
    let x = Tensor(scalar: 2.5)
    for axis in [0, -1] {
      #expect(x.sum(alongAxes: [axis]) == x)
      #expect(x.mean(alongAxis: axis) == x)
      #expect(x.max(alongAxis: axis) == x)
      #expect(x.sum(alongAxis: axis, keepingDims: true).shape == [])
    }
  }

  @Test("broadcasting of known shapes")
  func broadcastingKnown() {
    let column = Tensor(shape: [2, 1], scalars: [10, 20])
    let row = Tensor([1, 2, 3])
    #expect(column + row == Tensor(rows: [[11, 12, 13], [21, 22, 23]]))
    #expect(row - column == Tensor(rows: [[-9, -8, -7], [-19, -18, -17]]))
    #expect(Tensor(scalar: 2) * row == Tensor([2, 4, 6]))
  }

  @Test("permute then inverse permute round-trips, and permute moves values as torch.permute")
  func permuteRoundTrip() async {
    await propertyCheck(count: 80, input: Gen.int(in: 1...5), Gen.uint64()) { rank, seed in
      var rng = RandomGenerator(seed: seed)
      let shape = invShape(rank: rank, extents: 1...4, rng: &rng)
      let order = rng.permutation(rank)
      var inverse = [Int](repeating: 0, count: rank)
      for (i, o) in order.enumerated() { inverse[o] = i }
      let x = invUniform(shape, seed: seed &+ 1)
      let p = x.permuted(order)
      #expect(p.shape == order.map { shape[$0] })
      // result[i₀, …] = x[j] with j[order[d]] = i_d.
      for o in 0..<p.count {
        let index = invUnravel(o, p.shape)
        var source = [Int](repeating: 0, count: rank)
        for d in 0..<rank { source[order[d]] = index[d] }
        #expect(p.scalars[o] == x.scalars[invOffset(source, shape)])
      }
      #expect(p.permuted(inverse) == x)
      if rank >= 2 {
        #expect(x.transposed().transposed() == x)
        #expect(x.transposed(0, rank - 1).shape == { var s = shape; s.swapAt(0, rank - 1); return s }())
      }
    }
  }

  @Test("reshape keeps the values in row-major order, including an inferred −1 extent")
  func reshapeKeepsValues() async {
    await propertyCheck(count: 60, input: Gen.int(in: 1...4), Gen.uint64()) { rank, seed in
      var rng = RandomGenerator(seed: seed)
      let shape = invShape(rank: rank, extents: 1...5, rng: &rng)
      let x = invUniform(shape, seed: seed &+ 1)
      let count = shape.reduce(1, *)
      // A random factorisation of `count` into two extents.
      let divisors = (1...count).filter { count % $0 == 0 }
      let d = divisors[rng.nextInt(below: divisors.count)]
      let r = x.reshaped([d, count / d])
      #expect(r.shape == [d, count / d])
      #expect(r.scalars == x.scalars)
      #expect(x.reshaped([-1, d]).shape == [count / d, d])
      #expect(x.reshaped([count]).scalars == x.scalars)
      #expect(r.reshaped(shape) == x)
      #expect(x.expandingDims(at: 0).squeezingDim(at: 0) == x)
    }
  }

  @Test("slices along an axis concatenate back to the original, and slice picks the right values")
  func sliceConcatRoundTrip() async {
    await propertyCheck(count: 80, input: Gen.int(in: 1...4), Gen.uint64()) { rank, seed in
      var rng = RandomGenerator(seed: seed)
      let shape = invShape(rank: rank, extents: 1...5, rng: &rng)
      let axis = rng.nextInt(below: rank)
      let x = invUniform(shape, seed: seed &+ 1)
      let extent = shape[axis]
      // Two cut points, possibly equal (empty pieces) or at the ends.
      let c1 = rng.nextInt(below: extent + 1)
      let c2 = c1 + rng.nextInt(below: extent - c1 + 1)
      let pieces = [0..<c1, c1..<c2, c2..<extent].map { x.slice($0, alongAxis: axis) }
      for (piece, range) in zip(pieces, [0..<c1, c1..<c2, c2..<extent]) {
        var expectedShape = shape
        expectedShape[axis] = range.count
        #expect(piece.shape == expectedShape)
        for o in 0..<piece.count {
          var index = invUnravel(o, expectedShape)
          index[axis] += range.lowerBound
          #expect(piece.scalars[o] == x.scalars[invOffset(index, shape)])
        }
      }
      #expect(Tensor.concatenating(pieces, alongAxis: axis) == x)
      // Negative axes count from the end.
      #expect(Tensor.concatenating(pieces, alongAxis: axis - rank) == x)
    }
  }
}

// MARK: - Element-wise functions and losses

@Suite("Invariants: activations and losses")
struct InvariantElementwiseTests {
  @Test("gelu matches 0.5·x·(1 + erf(x/√2)) (Foundation.erf in Double) over a dense grid in [−10, 10]")
  func geluMatchesErfForm() {
    // The kernel uses Abramowitz & Stegun 7.1.26 for erf (absolute error ≤ 1.5e-7, so Φ is
    // within 7.5e-8) in Float arithmetic; 3e-7 absolute + 1e-6 relative covers that (the
    // measured worst case is ≈ 0.86 of this tolerance). A wrong formula (e.g. the tanh
    // approximation, off by up to ~1e-3) fails by orders of magnitude.
    let n = 200_001
    let xs = (0..<n).map { Float(-10.0 + 20.0 * Double($0) / Double(n - 1)) }
    let y = Tensor(xs).gelu()
    var failures = 0
    var worst = (x: 0.0, error: 0.0)
    for i in 0..<n {
      let x = Double(xs[i])
      let expected = 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot()))
      let error = abs(Double(y.scalars[i]) - expected)
      if error > worst.error { worst = (x, error) }
      if error > 3e-7 + 1e-6 * abs(expected) { failures += 1 }
    }
    #expect(failures == 0, "gelu off by \(worst.error) at x = \(worst.x)")
    // Landmarks: gelu(0) = 0, gelu(x) → x for large x, → 0 for very negative x.
    let landmarks = Tensor([0, 10, -10, 1]).gelu().scalars
    #expect(landmarks[0] == 0)
    #expect(abs(landmarks[1] - 10) < 1e-5)
    #expect(abs(landmarks[2]) < 1e-6)
    #expect(abs(Double(landmarks[3]) - 0.8413447460685429) < 3e-7)
  }

  @Test("sigmoid, softplus and binaryCrossEntropy stay finite and correct for |x| up to 1e4")
  func saturatingFunctionsStayFinite() {
    let xs: [Float] = [-1e4, -1000, -100, -30, -20, -5, -1e-3, 0, 1e-3, 5, 19.9, 20, 20.1, 30, 100, 1000, 1e4]
    let x = Tensor(xs)
    let s = x.sigmoid().scalars
    let sp = x.softplus().scalars
    for (i, xi) in xs.enumerated() {
      let xd = Double(xi)
      let sigmoid = 1 / (1 + Foundation.exp(-xd))
      let softplus = xd > 0 ? xd + Foundation.log1p(Foundation.exp(-xd)) : Foundation.log1p(Foundation.exp(xd))
      #expect(s[i].isFinite && s[i] >= 0 && s[i] <= 1, "sigmoid(\(xi)) = \(s[i])")
      #expect(abs(Double(s[i]) - sigmoid) <= 1e-6 * sigmoid + 1e-30, "sigmoid(\(xi)) = \(s[i]) vs \(sigmoid)")
      #expect(sp[i].isFinite && sp[i] >= 0, "softplus(\(xi)) = \(sp[i])")
      // PyTorch returns x above the threshold 20, which differs from ln(1+eˣ) by < e⁻²⁰ ≈ 2e-9.
      #expect(abs(Double(sp[i]) - softplus) <= 2e-6 * softplus + 1e-30, "softplus(\(xi)) = \(sp[i]) vs \(softplus)")
    }
    for target: Float in [0, 1, 0.5, 0.25] {
      let loss = binaryCrossEntropy(logits: x, targets: Tensor(xs.map { _ in target }), reduction: .none).scalars
      for (i, xi) in xs.enumerated() {
        let z = Double(xi), y = Double(target)
        let expected = max(z, 0) - z * y + Foundation.log1p(Foundation.exp(-abs(z)))
        #expect(loss[i].isFinite, "bce(\(xi), \(target)) = \(loss[i])")
        #expect(abs(Double(loss[i]) - expected) <= 2e-6 * abs(expected) + 1e-6, "bce(\(xi), \(target)) = \(loss[i]) vs \(expected)")
      }
    }
    // The mean reduction of 1e4-size losses is finite too.
    let mean = binaryCrossEntropy(logits: Tensor([1e4, -1e4]), targets: Tensor([0, 1]))
    #expect(abs(mean.item - 1e4) < 1e-2)
  }

  @Test("crossEntropy equals −log softmax[label] computed by hand, for every reduction")
  func crossEntropyMatchesHand() async {
    await propertyCheck(count: 50, input: Gen.int(in: 1...6), Gen.int(in: 2...8), Gen.float(in: 0.1...30), Gen.uint64()) {
      n, classes, scale, seed in
      var rng = RandomGenerator(seed: seed)
      let logits = invUniform([n, classes], seed: seed &+ 1, -scale, scale)
      let labels = (0..<n).map { _ in rng.nextInt(below: classes) }
      let none = crossEntropy(logits: logits, labels: labels, reduction: .none)
      #expect(none.shape == [n])
      var total = 0.0
      for r in 0..<n {
        let row = (0..<classes).map { Double(logits[r, $0]) }
        // −log(e^{z_y} / Σ e^{z_j}) with the maximum factored out, in Double.
        let m = row.max()!
        let expected = -(row[labels[r]] - m - Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) }))
        total += expected
        #expect(abs(Double(none.scalars[r]) - expected) <= 1e-6 + 8e-7 * (abs(m) + abs(row[labels[r]]) + expected),
          "crossEntropy row \(r) = \(none.scalars[r]) vs \(expected)")
      }
      let sum = crossEntropy(logits: logits, labels: labels, reduction: .sum)
      let mean = crossEntropy(logits: logits, labels: labels)
      #expect(abs(Double(sum.item) - total) <= 1e-5 * (1 + total) + 4e-7 * Double(n) * Double(scale))
      #expect(abs(Double(mean.item) - total / Double(n)) <= 1e-5 * (1 + total) + 4e-7 * Double(scale))
    }
  }

  @Test("crossEntropy of known values")
  func crossEntropyKnown() {
    // Two equal logits: −log(1/2) = ln 2. A confident correct logit: log(1 + e⁻¹⁰) ≈ 4.54e-5,
    // obtained as 10 − logsumexp, so within an ulp of 10 (9.5e-7).
    let loss = crossEntropy(logits: Tensor(rows: [[0, 0], [10, 0], [0, 10]]), labels: [1, 0, 0], reduction: .none)
    #expect(abs(Double(loss.scalars[0]) - Foundation.log(2.0)) < 1e-7)
    #expect(abs(Double(loss.scalars[1]) - Foundation.log1p(Foundation.exp(-10.0))) < 2e-6)
    #expect(abs(Double(loss.scalars[2]) - (10 + Foundation.log1p(Foundation.exp(-10.0)))) < 2e-6)
    // Huge logits stay finite.
    let huge = crossEntropy(logits: Tensor(rows: [[1e4, -1e4]]), labels: [1])
    #expect(huge.item.isFinite && abs(huge.item - 2e4) < 2e-2)
  }

  @Test("topKMask has exactly k ones per row, at the k largest entries (lower index wins ties)")
  func topKMaskSelectsLargest() async {
    await propertyCheck(count: 80, input: Gen.int(in: 1...6), Gen.int(in: 1...12), Gen.uint64()) { rows, width, seed in
      var rng = RandomGenerator(seed: seed)
      let k = rng.nextInt(below: width + 1)
      // Values on a coarse grid so that ties happen.
      let x = Tensor(shape: [rows, width], scalars: (0..<(rows * width)).map { _ in Float(rng.nextInt(below: 6)) })
      let mask = x.topKMask(k)
      #expect(mask.shape == x.shape)
      for r in 0..<rows {
        let row = (0..<width).map { x[r, $0] }
        let chosen = Set(row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }.prefix(k))
        let maskRow = (0..<width).map { mask[r, $0] }
        #expect(maskRow.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(maskRow.reduce(0, +) == Float(k))
        #expect(Set(maskRow.indices.filter { maskRow[$0] == 1 }) == chosen, "row \(row), k = \(k): mask \(maskRow)")
        // Every selected entry is ≥ every unselected one.
        let selected = maskRow.indices.filter { maskRow[$0] == 1 }.map { row[$0] }
        let rest = maskRow.indices.filter { maskRow[$0] == 0 }.map { row[$0] }
        if let low = selected.min(), let high = rest.max() { #expect(low >= high) }
      }
    }
  }
}
