import CGLPK

/// A near-optimal starting basis for GLPK's dual simplex on the dual error program, in GLPK's
/// terms: the basic columns ``LADStart`` picks from a least-absolute-deviations fit, the row
/// slacks it leaves basic, and every other column at the bound the sign of its reduced cost
/// b_S − a_S·y asks for, so the basis is dual feasible and nearly primal feasible.
enum StartingBasis {
  static func guess(rows m: Int, columns: [[Int32]], objective b: [Double], iterations: Int = 40) -> BasisGuess {
    let n = columns.count
    // 0/1 columns always fit `IntegerColumns`; the all-slack basis is the fallback regardless.
    guard let matrix = try? IntegerColumns(rows: m, count: n, fill: { j, column in for i in columns[j] { column[Int(i)] = 1 } }) else {
      return BasisGuess(rowBasic: Array(repeating: true, count: m), columnStatus: b.map { $0 > 0 ? GLP_NU : GLP_NL })
    }
    let start = LADStart.basis(columns: matrix, targets: b, bounds: .uniform(1), iterations: iterations)
    let basic = start.filter { $0 < n }
    var rowBasic = [Bool](repeating: false, count: m)
    for position in start where position >= n { rowBasic[position - n] = true }
    // Row duals from the basic columns on the rows whose slack is not basic (y = 0 elsewhere).
    let tight = (0..<m).filter { !rowBasic[$0] }
    var y = [Double](repeating: 0, count: m)
    if !basic.isEmpty {
      let k = basic.count
      var system = [Double](repeating: 0, count: k * k)
      for (r, j) in basic.enumerated() {
        for i in columns[j] { if let c = tight.firstIndex(of: Int(i)) { system[r * k + c] = 1 } }
      }
      if let solution = LADStart.solveDense(system, basic.map { b[$0] }, k) {
        for (c, i) in tight.enumerated() { y[i] = solution[c] }
      }
    }
    var status = [Int32](repeating: GLP_NL, count: n)
    for j in 0..<n {
      var r = b[j]
      for i in columns[j] { r -= y[Int(i)] }
      status[j] = r > 0 ? GLP_NU : GLP_NL
    }
    for j in basic { status[j] = GLP_BS }
    return BasisGuess(rowBasic: rowBasic, columnStatus: status)
  }
}
