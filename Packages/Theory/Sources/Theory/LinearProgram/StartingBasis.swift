import CGLPK

/// A near-optimal starting basis for the dual error program, from its primal: the optimal
/// attribution minimises Σ_S |b_S − a_S·α|, a least-absolute-deviations fit. Iteratively
/// reweighted least squares (weights 1/max(|r_S|, ε)) approaches it in a few dozen cheap
/// m×m solves; the m subsets it fits most closely (linearly independent ones, chosen
/// greedily) become the basic columns, every other column sits at the bound the sign of its
/// reduced cost asks for, so the basis is dual feasible and nearly primal feasible.
enum StartingBasis {
  static func guess(rows m: Int, columns: [[Int32]], objective b: [Double], iterations: Int = 40) -> BasisGuess {
    let n = columns.count
    let scale = Swift.max(b.map { Swift.abs($0) }.max() ?? 1, 1)
    var alpha = [Double](repeating: 0, count: m)
    var residual = b
    for _ in 0..<iterations {
      var normal = [Double](repeating: 0, count: m * m)
      var rhs = [Double](repeating: 0, count: m)
      for j in 0..<n where !columns[j].isEmpty {
        let w = 1 / Swift.max(Swift.abs(residual[j]), 1e-7 * scale)
        let rowsOfColumn = columns[j]
        for i in rowsOfColumn {
          let ii = Int(i)
          rhs[ii] += w * b[j]
          for k in rowsOfColumn { normal[ii * m + Int(k)] += w }
        }
      }
      for i in 0..<m { normal[i * m + i] += 1e-12 * scale }
      guard let next = LADStart.solveDense(normal, rhs, m) else { break }
      alpha = next
      for j in 0..<n {
        var r = b[j]
        for i in columns[j] { r -= alpha[Int(i)] }
        residual[j] = r
      }
    }
    // Basic columns: the closest fits that are linearly independent (greedy elimination).
    var basisRows: [[Double]] = []
    var pivotColumns: [Int] = []  // pivot row index of each kept vector
    var basic: [Int] = []
    for j in (0..<n).sorted(by: { Swift.abs(residual[$0]) < Swift.abs(residual[$1]) }) {
      if basic.count == m { break }
      var v = [Double](repeating: 0, count: m)
      for i in columns[j] { v[Int(i)] = 1 }
      for (k, row) in basisRows.enumerated() {
        let p = pivotColumns[k]
        let f = v[p] / row[p]
        if f != 0 { for i in 0..<m { v[i] -= f * row[i] } }
      }
      guard let p = (0..<m).max(by: { Swift.abs(v[$0]) < Swift.abs(v[$1]) }), Swift.abs(v[p]) > 1e-9 else { continue }
      basisRows.append(v)
      pivotColumns.append(p)
      basic.append(j)
    }
    // Row duals from the basic columns (y = 0 on rows whose slack stays basic).
    let k = basic.count
    let covered = pivotColumns
    var y = [Double](repeating: 0, count: m)
    if k > 0 {
      var system = [Double](repeating: 0, count: k * k)
      for (r, j) in basic.enumerated() {
        for i in columns[j] { if let c = covered.firstIndex(of: Int(i)) { system[r * k + c] = 1 } }
      }
      if let solution = LADStart.solveDense(system, basic.map { b[$0] }, k) {
        for (c, i) in covered.enumerated() { y[i] = solution[c] }
      }
    }
    var status = [Int32](repeating: GLP_NL, count: n)
    for j in 0..<n {
      var r = b[j]
      for i in columns[j] { r -= y[Int(i)] }
      status[j] = r > 0 ? GLP_NU : GLP_NL
    }
    for j in basic { status[j] = GLP_BS }
    var rowBasic = [Bool](repeating: true, count: m)
    for i in covered { rowBasic[i] = false }
    return BasisGuess(rowBasic: rowBasic, columnStatus: status)
  }
}
