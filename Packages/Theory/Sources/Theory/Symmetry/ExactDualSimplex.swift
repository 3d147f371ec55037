import CGLPK

/// An exact bounded dual simplex for the symmetric program, max Σ_k μ_k b_k subject to
/// Σ_k μ_k k = 0 (one row per block) and −m_k ≤ μ_k ≤ m_k, started from any basis (GLPK's
/// floating-point one).
///
/// The rows are few and their entries small integers, so with D = det-like common denominator
/// of K_B⁻¹ every reduced cost and pivot-row entry is an integer over D, computed in Int64
/// (overflow is checked); only the primal values, driven by multiplicities up to 10^80 and
/// beyond, need big integers, and they are kept as exact row sums. Non-basic classes are put
/// at the bound their exact reduced cost asks for, so the basis is dual feasible, and pivots
/// continue until every basic μ is inside its bounds — an exact optimum.
struct ExactDualSimplex {
  let counts: [[Int]]  // a_k: the block counts of class k
  let targets: [Int64]  // b_k scaled to integers
  let bounds: [BigInt]  // m_k
  let rows: Int
  /// Degenerate programs can stall for very many pivots; past this the solver gives up with
  /// a clear error rather than running on.
  var maximumPivots: Int { Swift.min(5_000, Swift.max(100, 30_000_000 / Swift.max(counts.count, 1))) }

  enum Failure: Error, CustomStringConvertible {
    case overflow, singular, iterations

    var description: String {
      switch self {
      case .overflow: "a reduced cost or pivot entry does not fit in 64-bit integers"
      case .singular: "no entering class (the basis is singular)"
      case .iterations: "no optimum within the pivot budget: the program is highly degenerate (insertion error with large blocks is); use --method full for d ≤ 20"
      }
    }
  }

  /// Returns the basic classes (one per row) of an optimal basis and the status of every class.
  func solve(startingBasis: [Int]) throws -> (basic: [Int], upper: [Bool]) {
    var basic = startingBasis
    let n = counts.count
    var isBasic = [Bool](repeating: false, count: n)
    for j in basic { isBasic[j] = true }
    // Bound of every non-basic class; a class with reduced cost 0 keeps its bound.
    var upper = [Bool](repeating: false, count: n)
    var degenerate = 0
    for _ in 0..<maximumPivots {
      // K_B⁻¹ = adj / det, integers.
      let (adj, det) = try inverse(basic)
      // y·det = b_Bᵀ·adj (row vector).
      var yScaled = [Int64](repeating: 0, count: rows)
      for c in 0..<rows {
        var s: Int64 = 0
        for r in 0..<rows { s = try add(s, try mul(targets[basic[r]], adj[r][c])) }
        yScaled[c] = s
      }
      // Reduced costs d_j·det = b_j·det − a_j·(y·det); non-basic at upper if d_j > 0.
      var reduced = [Int64](repeating: 0, count: n)
      var rowSums = [BigInt](repeating: 0, count: rows)
      for j in 0..<n {
        var d = try mul(targets[j], det)
        for (r, k) in counts[j].enumerated() where k > 0 { d = try add(d, -(try mul(Int64(k), yScaled[r]))) }
        reduced[j] = d
        if isBasic[j] { continue }
        // With det < 0 the sign of d_j is flipped.
        if d != 0 { upper[j] = (d > 0) == (det > 0) }
        let value = upper[j] ? bounds[j] : -bounds[j]
        for (r, k) in counts[j].enumerated() where k > 0 { rowSums[r] = rowSums[r] + value * BigInt(k) }
      }
      // μ_B = −K_B⁻¹·rowSums = −adj·rowSums / det.
      var leaving: (position: Int, above: Bool, excess: Rational)? = nil
      for p in 0..<rows {
        var numerator = BigInt(0)
        for r in 0..<rows where adj[p][r] != 0 { numerator = numerator - BigInt(Int(adj[p][r])) * rowSums[r] }
        let mu = Rational(numerator: numerator, denominator: BigInt(Int(det)))
        let bound = Rational(bounds[basic[p]])
        // Largest violation first; after a run of degenerate pivots, Bland's rule (the
        // violating class of smallest index), which cannot cycle.
        let bland = degenerate > 50
        func better(_ excess: Rational) -> Bool {
          guard let current = leaving else { return true }
          return bland ? basic[p] < basic[current.position] : excess > current.excess
        }
        if mu > bound, better(mu - bound) { leaving = (p, true, mu - bound) }
        if mu < -bound, better(-bound - mu) { leaving = (p, false, -bound - mu) }
      }
      guard let (p, above, _) = leaving else {
        for j in basic { upper[j] = false }
        return (basic, upper)
      }
      // Pivot row: α_j = (K_B⁻¹ a_j)_p, scaled by det. Dual ratio test on |d_j / α_j|.
      var entering: (j: Int, num: Int64, den: Int64)? = nil
      for j in 0..<n where !isBasic[j] {
        var alpha: Int64 = 0
        for (r, k) in counts[j].enumerated() where k > 0 { alpha = try add(alpha, try mul(adj[p][r], Int64(k))) }
        if alpha == 0 { continue }
        // In the maximisation form: a basic value above its upper bound is decreased by moving
        // a non-basic variable whose pivot entry has the matching sign given its bound.
        let increasing = !upper[j]  // a variable at its lower bound can only increase
        let sameSign = (alpha > 0) == (det > 0)
        guard above ? (sameSign == increasing) : (sameSign != increasing) else { continue }
        let num = Swift.abs(reduced[j])
        let den = Swift.abs(alpha)
        if let best = entering {
          // Compare num/den < best.num/best.den without division.
          let lhs = num.multipliedFullWidth(by: best.den)
          let rhs = best.num.multipliedFullWidth(by: den)
          if lhs < rhs || (lhs == rhs && j < best.j) { entering = (j, num, den) }
        } else {
          entering = (j, num, den)
        }
      }
      guard let e = entering else { throw Failure.singular }
      degenerate = e.num == 0 ? degenerate + 1 : 0
      isBasic[basic[p]] = false
      upper[basic[p]] = above  // the leaving class rests at the bound it crossed
      basic[p] = e.j
      isBasic[e.j] = true
    }
    throw Failure.iterations
  }

  /// The inverse of K_B as an integer adjugate-like matrix and a common denominator.
  func inverse(_ basic: [Int]) throws -> ([[Int64]], Int64) {
    let k = rows
    var a = (0..<k).map { r in basic.map { Rational(counts[$0][r]) } + (0..<k).map { $0 == r ? Rational.one : .zero } }
    for col in 0..<k {
      guard let pivot = (col..<k).first(where: { !a[$0][col].isZero }) else { throw Failure.singular }
      a.swapAt(pivot, col)
      let p = a[col][col]
      a[col] = a[col].map { $0 / p }
      for r in 0..<k where r != col && !a[r][col].isZero {
        let f = a[r][col]
        a[r] = zip(a[r], a[col]).map { $0 - f * $1 }
      }
    }
    let inverse = a.map { Array($0[k...]) }
    var denominator = BigInt(1)
    for row in inverse { for v in row { denominator = BigInt.lcm(denominator, v.denominator) } }
    guard let det = denominator.intValue else { throw Failure.overflow }
    let scale = Rational(denominator)
    let adj = try inverse.map { row in try row.map { v -> Int64 in
      guard let x = (v * scale).numerator.intValue else { throw Failure.overflow }
      return Int64(x)
    } }
    return (adj, Int64(det))
  }

  @inline(__always) private func mul(_ a: Int64, _ b: Int64) throws -> Int64 {
    let (v, o) = a.multipliedReportingOverflow(by: b)
    if o { throw Failure.overflow }
    return v
  }

  @inline(__always) private func add(_ a: Int64, _ b: Int64) throws -> Int64 {
    let (v, o) = a.addingReportingOverflow(b)
    if o { throw Failure.overflow }
    return v
  }
}
