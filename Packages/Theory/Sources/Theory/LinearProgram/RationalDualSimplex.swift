/// A textbook bounded dual simplex in rational arithmetic (GMP) for the dual error program
///
///   maximise Σ_j μ_j b_j  subject to  Σ_j μ_j a_j = 0,  −m_j ≤ μ_j ≤ m_j,
///
/// for targets b of any size and denominator, where ``ExactDualSimplex``'s 64-bit integer
/// pivoting does not reach (a point given to 17 digits, or converted exactly from a Float or
/// Double, makes b_S·lcm(denominators) far larger than 2⁶⁴). It does not search from scratch:
/// it finishes from a basis that is optimal for nearby targets (``ExactDualSimplex`` on the
/// targets rounded to 30 bits, see ``ErrorProgram/solve(method:progress:)``), usually in zero
/// or a few pivots.
///
/// Every iteration recomputes, from the basis alone and exactly, the row duals y (Bᵀy = b_B),
/// the reduced costs d_j = b_j − a_j·y (non-basic columns go to the bound their sign asks
/// for), and the basic values (B·μ_B = −Σ_N μ_j a_j). When every μ_B is within its bounds the
/// basis is optimal: D(μ) = Σ μ_j b_j = Σ m_j·|d_j| = E(y), which ``solve(basic:isUpper:)``
/// checks before returning. Otherwise the basic column with the smallest index among the
/// infeasible ones leaves and the entering column is the first in index order among those
/// with the smallest ratio |d_j|/|ρ_j| (Bland's rule, so degenerate pivots cannot cycle).
///
/// Basic positions ≥ `columns.count` are artificial slacks e_r fixed at 0, as in
/// ``ExactDualSimplex``. Cost per iteration: rows × count rational multiply-adds plus three
/// rows × rows rational solves.
struct RationalDualSimplex {
  let columns: IntegerColumns
  let targets: [Rational]
  let bounds: ColumnBounds
  var maximumIterations = 10_000

  var n: Int { columns.count }
  var rows: Int { columns.rows }

  /// Column j of the basis matrix (artificial slacks are unit columns).
  private func entry(_ j: Int, _ r: Int) -> Int { j < n ? columns[column: j, row: r] : (j - n == r ? 1 : 0) }

  private func bound(_ j: Int) -> Rational { j < n ? Rational(bounds[j]) : .zero }

  /// b_j − a_j·y.
  private func reducedCost(_ j: Int, _ y: [Rational]) -> Rational {
    var d = targets[j]
    for r in 0..<rows {
      let a = columns[column: j, row: r]
      if a != 0 { d -= Rational(a) * y[r] }
    }
    return d
  }

  /// Finishes from `basic` (row count positions; entries ≥ n are artificial) with the
  /// non-basic columns' bounds `isUpper`, and returns the verified optimum: λ_j = μ_j/m_j (±1
  /// for non-basic columns), y, and D = E.
  func solve(basic start: [Int], isUpper startBounds: [Bool]) throws -> ExactOptimum {
    precondition(start.count == rows && startBounds.count == n)
    var basic = start
    var isUpper = startBounds
    for iteration in 0...maximumIterations {
      var isBasic = [Bool](repeating: false, count: n)
      for j in basic where j < n { isBasic[j] = true }
      let matrix = (0..<rows).map { r in basic.map { Rational(entry($0, r)) } }
      let transposed = (0..<rows).map { c in (0..<rows).map { r in matrix[r][c] } }
      let y = try ExactBasis.solveLinear(transposed, basic.map { $0 < n ? targets[$0] : .zero })
      // Non-basic columns to the bound their reduced cost asks for; E(y) = Σ m_j·|d_j| on the way.
      var rowSums = [Rational](repeating: .zero, count: rows)
      var primal = Rational.zero
      for j in 0..<n where !isBasic[j] {
        let d = reducedCost(j, y)
        if !d.isZero {
          isUpper[j] = d > .zero
          primal += Rational(bounds[j]) * d.magnitude
        }
        let m = isUpper[j] ? Rational(bounds[j]) : -Rational(bounds[j])
        for r in 0..<rows {
          let a = columns[column: j, row: r]
          if a != 0 { rowSums[r] += Rational(a) * m }
        }
      }
      let muB = try ExactBasis.solveLinear(matrix, rowSums.map { -$0 })
      let infeasible = basic.indices.filter { p in
        let m = bound(basic[p])
        return muB[p] > m || muB[p] < -m
      }
      guard let p = infeasible.min(by: { basic[$0] < basic[$1] }) else {
        return try optimum(basic: basic, isBasic: isBasic, isUpper: isUpper, muB: muB, y: y, primal: primal, iterations: iteration)
      }
      // The leaving column goes to the bound it violates; y moves by σ·t·r with r = B⁻ᵀe_p,
      // σ = −1 when it leaves at its upper bound (its reduced cost becomes t ≥ 0), +1 at its lower.
      let above = muB[p] > bound(basic[p])
      var unit = [Rational](repeating: .zero, count: rows)
      unit[p] = .one
      let r = try ExactBasis.solveLinear(transposed, unit)
      var entering = -1
      var best = Rational.zero
      for j in 0..<n where !isBasic[j] {
        var rho = Rational.zero
        for c in 0..<rows {
          let a = columns[column: j, row: c]
          if a != 0 { rho += Rational(a) * r[c] }
        }
        if rho.isZero { continue }
        // A column at its upper bound needs d ≥ 0, so it limits the step when σρ > 0; one at its lower, when σρ < 0.
        guard isUpper[j] == (above ? rho < .zero : rho > .zero) else { continue }
        let ratio = reducedCost(j, y).magnitude / rho.magnitude
        if entering < 0 || ratio < best {
          entering = j
          best = ratio
        }
      }
      guard entering >= 0 else {
        throw TheoryError.solverFailed("the rational dual simplex found no entering column (the program is infeasible, which a dual error program never is)")
      }
      let leaving = basic[p]
      if leaving < n { isUpper[leaving] = above }
      basic[p] = entering
    }
    throw TheoryError.solverFailed("the rational dual simplex found no optimum within \(maximumIterations) pivots")
  }

  /// The optimum of a primal-feasible basis, after checking D(λ) = E(y).
  private func optimum(basic: [Int], isBasic: [Bool], isUpper: [Bool], muB: [Rational], y: [Rational], primal: Rational, iterations: Int) throws -> ExactOptimum {
    var signs = [Int8](repeating: 0, count: n)
    var dual = Rational.zero
    for j in 0..<n where !isBasic[j] {
      signs[j] = isUpper[j] ? 1 : -1
      if !targets[j].isZero { dual += Rational(isUpper[j] ? bounds[j] : -bounds[j]) * targets[j] }
    }
    var basicLambda: [Int: Rational] = [:]
    for (p, j) in basic.enumerated() {
      guard j < n else {
        guard muB[p].isZero else { throw TheoryError.verificationFailed("the slack of row \(j - n + 1) is not 0") }
        continue
      }
      basicLambda[j] = muB[p] / Rational(bounds[j])
      dual += muB[p] * targets[j]
    }
    guard dual == primal else {
      throw TheoryError.verificationFailed("the rational dual simplex ended with D(λ) = \(dual) but E(α) = \(primal)")
    }
    return ExactOptimum(optimum: dual, y: y, signs: signs, basicLambda: basicLambda, iterations: iterations)
  }
}
