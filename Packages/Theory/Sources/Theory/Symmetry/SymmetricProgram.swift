import CGLPK

/// The error program reduced by symmetry (feature-wise attributions only).
///
/// Averaging an optimal attribution over the symmetry group keeps it optimal (E is convex and
/// invariant), so some optimal α is constant on each block, αᵦ. Then
/// E(α) = Σ_k m_k·|b_k − Σᵦ kᵦαᵦ|, and the dual becomes: maximise Σ_k μ_k b_k subject to
/// Σ_k μ_k kᵦ = 0 for each block and |μ_k| ≤ m_k, with μ_k = m_k·λ_k. It has ∏(nᵦ+1) columns
/// and one row per block, instead of 2^d columns and d rows. The multiplicities reach 10^80
/// and beyond, beyond what a floating-point solver such as GLPK can represent, so this program
/// is solved by an exact dual simplex (``ExactDualSimplex``) and the solution is verified
/// with GMP before it is reported. Lifting λ_S = λ_{class(S)}
/// gives a certificate for the full program.
public struct SymmetricProgram: Sendable {
  public let program: ErrorProgram
  public let structure: BlockStructure

  /// The largest number of classes attempted.
  public static let maximumClasses = 3_000_000

  public init(program: ErrorProgram) {
    precondition(program.groups == (0..<program.dimension).map { [$0] }, "the symmetric reduction applies to feature-wise attributions")
    self.program = program
    self.structure = BlockStructure(program: program)
  }

  /// The exact optimum with λ per class and α per block.
  public struct Solution: Sendable {
    public let optimum: Rational
    /// λ_k = μ_k/m_k for every class (index as in ``BlockStructure/classCounts(_:)``).
    public let lambda: [Rational]
    /// α per block.
    public let blockAlpha: [Rational]
    /// α per feature (constant on blocks).
    public let alpha: [Rational]
  }

  /// b_k for every class, exactly.
  public func targets() -> [Rational] {
    let blockOf = Dictionary(uniqueKeysWithValues: structure.blocks.enumerated().flatMap { b, features in features.map { ($0, b) } })
    let terms = program.polynomial.terms.filter { !$0.support.isEmpty }.map { term in
      (blocks: Array(Set(term.support.map { blockOf[$0]! })), value: term.support.reduce(term.coefficient) { $0 * program.point[$1] })
    }
    let sizes = structure.sizes
    var cache: [UInt64: Rational] = [:]
    return (0..<structure.classCount).map { c in
      let k = structure.classCounts(c)
      var selection: UInt64 = 0
      for (t, term) in terms.enumerated() {
        let counts = program.kind == .insertion ? term.blocks.allSatisfy { k[$0] == sizes[$0] } : term.blocks.contains { k[$0] > 0 }
        if counts { selection |= 1 << UInt64(t) }
      }
      if let known = cache[selection] { return known }
      let sum = terms.indices.filter { selection & (1 << UInt64($0)) != 0 }.reduce(Rational.zero) { $0 + terms[$1].value }
      cache[selection] = sum
      return sum
    }
  }

  /// m_k for every class.
  public func multiplicities() -> [BigInt] {
    let sizes = structure.sizes
    let binomials = sizes.map { n in (0...n).map { BigInt.binomial(n, $0) } }
    return (0..<structure.classCount).map { c in
      structure.classCounts(c).enumerated().reduce(BigInt(1)) { $0 * binomials[$1.offset][$1.element] }
    }
  }

  public func solve() throws -> Solution {
    let n = structure.classCount
    guard n <= Self.maximumClasses else {
      throw TheoryError.solverFailed("the symmetric program has \(n) classes, more than \(Self.maximumClasses); the polynomial has too many distinct blocks")
    }
    let B = structure.blocks.count
    let b = targets()
    let m = multiplicities()
    let counts = (0..<n).map { structure.classCounts($0) }
    // Targets as integers (scaled by the common denominator) for the exact pivoting.
    var scale = BigInt(1)
    for v in b { scale = BigInt.lcm(scale, v.denominator) }
    let scaled = try b.map { v -> Int64 in
      guard let x = (v * Rational(scale)).numerator.intValue else {
        throw TheoryError.solverFailed("the targets are too large for exact pivoting in 64-bit integers")
      }
      return Int64(x)
    }
    let simplex = ExactDualSimplex(counts: counts, targets: scaled, bounds: m, rows: B)
    let result: (basic: [Int], upper: [Bool])
    do {
      result = try simplex.solve(startingBasis: startingBasis(counts: counts, targets: b.map(\.doubleValue), weights: m.map { Double($0.description) ?? .greatestFiniteMagnitude }))
    } catch {
      throw TheoryError.solverFailed("the exact dual simplex stopped: \(error)")
    }
    var status = result.upper.map { $0 ? GLP_NU : GLP_NL }
    for j in result.basic { status[j] = GLP_BS }
    return try certify(b: b, m: m, counts: counts, rowBasic: Array(repeating: false, count: B), status: status)
  }

  /// B linearly independent classes that a weighted least-absolute-deviations fit (IRLS,
  /// weights m_k/max(|r_k|, ε)) passes closest to: a near-optimal vertex to start pivoting from.
  func startingBasis(counts: [[Int]], targets b: [Double], weights m: [Double]) -> [Int] {
    let B = structure.blocks.count
    let n = counts.count
    let scale = Swift.max(b.map { Swift.abs($0) }.max() ?? 1, 1)
    var alpha = [Double](repeating: 0, count: B)
    var residual = b
    for _ in 0..<60 {
      var normal = [Double](repeating: 0, count: B * B)
      var rhs = [Double](repeating: 0, count: B)
      for j in 0..<n {
        let w = m[j] / Swift.max(Swift.abs(residual[j]), 1e-9 * scale)
        let k = counts[j]
        for r in 0..<B where k[r] > 0 {
          rhs[r] += w * Double(k[r]) * b[j]
          for c in 0..<B where k[c] > 0 { normal[r * B + c] += w * Double(k[r] * k[c]) }
        }
      }
      let diagonal = (0..<B).map { normal[$0 * B + $0] }.max() ?? 1
      for r in 0..<B { normal[r * B + r] += 1e-12 * diagonal }
      guard let next = StartingBasis.solveDense(normal, rhs, B) else { break }
      alpha = next
      for j in 0..<n {
        var r = b[j]
        for c in 0..<B { r -= Double(counts[j][c]) * alpha[c] }
        residual[j] = r
      }
    }
    var chosen: [Int] = []
    var reduced: [[Double]] = []
    var pivots: [Int] = []
    for j in (0..<n).sorted(by: { Swift.abs(residual[$0]) < Swift.abs(residual[$1]) }) where chosen.count < B {
      var v = counts[j].map(Double.init)
      for (row, p) in zip(reduced, pivots) {
        let f = v[p] / row[p]
        if f != 0 { for i in 0..<B { v[i] -= f * row[i] } }
      }
      guard let p = (0..<B).max(by: { Swift.abs(v[$0]) < Swift.abs(v[$1]) }), Swift.abs(v[p]) > 1e-9 else { continue }
      reduced.append(v)
      pivots.append(p)
      chosen.append(j)
    }
    // Fall back to unit classes (one feature of one block) for anything the fit left open.
    for r in 0..<B where chosen.count < B {
      if let j = counts.firstIndex(where: { k in k.enumerated().allSatisfy { $0.offset == r ? $0.element == 1 : $0.element == 0 } }), !chosen.contains(j) {
        chosen.append(j)
      }
    }
    return chosen
  }

  /// Recomputes the basic solution exactly and verifies it.
  func certify(b: [Rational], m: [BigInt], counts: [[Int]], rowBasic: [Bool], status: [Int32]) throws -> Solution {
    let n = counts.count
    let B = structure.blocks.count
    let basic = (0..<n).filter { status[$0] == GLP_BS }
    let tight = (0..<B).filter { !rowBasic[$0] }
    guard basic.count == tight.count else { throw TheoryError.verificationFailed("the basis has \(basic.count) basic classes for \(tight.count) rows") }
    // Row sums of the non-basic μ at ±m_k, in big integers.
    var rowSums = [BigInt](repeating: 0, count: B)
    var mu = [Rational](repeating: .zero, count: n)
    for j in 0..<n where status[j] != GLP_BS {
      let value = status[j] == GLP_NU ? m[j] : -m[j]
      mu[j] = Rational(value)
      for (r, k) in counts[j].enumerated() where k > 0 { rowSums[r] = rowSums[r] + value * BigInt(k) }
    }
    let matrix = tight.map { r in basic.map { Rational(counts[$0][r]) } }
    let muB = try ExactBasis.solveLinear(matrix, tight.map { -Rational(rowSums[$0]) })
    for (c, j) in basic.enumerated() { mu[j] = muB[c] }
    var transposed = matrix
    for r in 0..<basic.count { for c in 0..<basic.count { transposed[c][r] = matrix[r][c] } }
    let yTight = try ExactBasis.solveLinear(transposed, basic.map { b[$0] })
    var y = [Rational](repeating: .zero, count: B)
    for (c, r) in tight.enumerated() { y[r] = yTight[c] }
    // Verify: bounds, rows, D(μ) = E(y).
    var rows = [Rational](repeating: .zero, count: B)
    var dual = Rational.zero
    var primal = Rational.zero
    var lambda: [Rational] = []
    lambda.reserveCapacity(n)
    for j in 0..<n {
      let mj = Rational(m[j])
      guard mu[j].magnitude <= mj else { throw TheoryError.verificationFailed("μ of class \(counts[j]) is outside ±m_k") }
      var explained = Rational.zero
      for (r, k) in counts[j].enumerated() where k > 0 {
        let kr = Rational(k)
        if !mu[j].isZero { rows[r] += mu[j] * kr }
        explained += kr * y[r]
      }
      if !mu[j].isZero { dual += mu[j] * b[j] }
      primal += mj * (b[j] - explained).magnitude
      lambda.append(mu[j] / mj)
    }
    if let r = rows.firstIndex(where: { !$0.isZero }) { throw TheoryError.verificationFailed("block row \(r + 1) sums to \(rows[r]), not 0") }
    guard dual == primal else { throw TheoryError.verificationFailed("D(λ) = \(dual) but E(α) = \(primal): GLPK's basis is not optimal") }
    var alpha = [Rational](repeating: .zero, count: program.dimension)
    for (blockIndex, features) in structure.blocks.enumerated() { for i in features { alpha[i] = y[blockIndex] } }
    return Solution(optimum: dual, lambda: lambda, blockAlpha: y, alpha: alpha)
  }

  /// The total error of the zero-error construction (groups Gₜ = Tₜ, scores cₜ·x^{Tₜ}) over
  /// all subsets, summed through the classes: Σ_k m_k·|b_k − Σₜ scoreₜ·[Gₜ counts for k]|,
  /// where Gₜ counts for insertion when every block of Tₜ is complete in k and for deletion
  /// when some block of Tₜ is touched.
  public func groupError() -> Rational {
    let blockOf = Dictionary(uniqueKeysWithValues: structure.blocks.enumerated().flatMap { b, features in features.map { ($0, b) } })
    let groups = program.polynomial.terms.filter { !$0.support.isEmpty }.map { term in
      (blocks: Set(term.support.map { blockOf[$0]! }), score: term.support.reduce(term.coefficient) { $0 * program.point[$1] })
    }
    let sizes = structure.sizes
    let b = targets()
    let m = multiplicities()
    var total = Rational.zero
    for c in 0..<structure.classCount {
      let k = structure.classCounts(c)
      var explained = Rational.zero
      for group in groups {
        let counts = program.kind == .insertion ? group.blocks.allSatisfy { k[$0] == sizes[$0] } : group.blocks.contains { k[$0] > 0 }
        if counts { explained += group.score }
      }
      let gap = b[c] - explained
      if !gap.isZero { total += Rational(m[c]) * gap.magnitude }
    }
    return total
  }
}
