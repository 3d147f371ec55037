/// A near-optimal starting basis for ``ExactDualSimplex``, from the primal side: the optimal
/// attribution minimises Σ_j m_j·|b_j − a_j·y|, a weighted least-absolute-deviations fit, and
/// iteratively reweighted least squares (weights m_j/max(|r_j|, ε)) approaches it with a few
/// rows×rows solves. The columns the fit passes closest to, chosen greedily while they stay
/// linearly independent, become the basis; rows left uncovered keep their artificial slack.
enum LADStart {
  static func basis(columns: IntegerColumns, targets b: [Double], bounds: ColumnBounds, iterations: Int = 30) -> [Int] {
    let n = columns.count
    let B = columns.rows
    let weights = (0..<n).map { bounds.approximate($0) }
    let scale = Swift.max(b.lazy.map { Swift.abs($0) }.max() ?? 1, 1)
    var y = [Double](repeating: 0, count: B)
    var residual = b
    var nonzero = [Int](repeating: 0, count: B)
    for _ in 0..<iterations {
      var normal = [Double](repeating: 0, count: B * B)
      var rhs = [Double](repeating: 0, count: B)
      for j in 0..<n {
        let w = weights[j] / Swift.max(Swift.abs(residual[j]), 1e-9 * scale)
        var count = 0
        for r in 0..<B where columns[column: j, row: r] != 0 {
          nonzero[count] = r
          count += 1
        }
        for u in 0..<count {
          let r = nonzero[u]
          let ar = Double(columns[column: j, row: r]) * w
          rhs[r] += ar * b[j]
          for v in 0..<count {
            let c = nonzero[v]
            normal[r * B + c] += ar * Double(columns[column: j, row: c])
          }
        }
      }
      let diagonal = (0..<B).map { normal[$0 * B + $0] }.max() ?? 1
      for r in 0..<B { normal[r * B + r] += 1e-12 * Swift.max(diagonal, 1) }
      guard let next = solveDense(normal, rhs, B) else { break }
      y = next
      for j in 0..<n {
        var r = b[j]
        for c in 0..<B { r -= Double(columns[column: j, row: c]) * y[c] }
        residual[j] = r
      }
    }
    var chosen: [Int] = []
    var reducedRows: [[Double]] = []
    var pivots: [Int] = []
    let order = (0..<n).sorted { (Swift.abs(residual[$0]), $0) < (Swift.abs(residual[$1]), $1) }
    for j in order where chosen.count < B {
      var v = columns.column(j).map(Double.init)
      for (row, p) in zip(reducedRows, pivots) {
        let f = v[p] / row[p]
        if f != 0 { for i in 0..<B { v[i] -= f * row[i] } }
      }
      guard let p = (0..<B).max(by: { Swift.abs(v[$0]) < Swift.abs(v[$1]) }), Swift.abs(v[p]) > 1e-9 else { continue }
      reducedRows.append(v)
      pivots.append(p)
      chosen.append(j)
    }
    // Complete with artificial slacks e_r on rows no chosen column pivots on.
    var start = chosen
    for r in 0..<B where start.count < B && !pivots.contains(r) { start.append(n + r) }
    return start
  }

  /// Solves the dense k×k system M·x = v (row-major) by partial pivoting; nil if singular.
  static func solveDense(_ matrix: [Double], _ v: [Double], _ k: Int) -> [Double]? {
    var a = matrix
    var x = v
    for col in 0..<k {
      guard let p = (col..<k).max(by: { Swift.abs(a[$0 * k + col]) < Swift.abs(a[$1 * k + col]) }), a[p * k + col] != 0 else { return nil }
      if p != col {
        for c in 0..<k { a.swapAt(p * k + c, col * k + c) }
        x.swapAt(p, col)
      }
      for r in (col + 1)..<k where a[r * k + col] != 0 {
        let f = a[r * k + col] / a[col * k + col]
        for c in col..<k { a[r * k + c] -= f * a[col * k + c] }
        x[r] -= f * x[col]
      }
    }
    for r in stride(from: k - 1, through: 0, by: -1) {
      var s = x[r]
      for c in (r + 1)..<k { s -= a[r * k + c] * x[c] }
      x[r] = s / a[r * k + r]
    }
    return x
  }
}
