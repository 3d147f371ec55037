import CGLPK

/// Exact recomputation and verification of a basic solution of the dual error program.
enum ExactBasis {
  static func certify(
    rows m: Int, columnRows: [[Int32]], targets b: [Rational], rowBasic: [Bool], columnStatus: [Int32], program: ErrorProgram
  ) throws -> DualSolution {
    let n = columnRows.count
    let basicColumns = (0..<n).filter { columnStatus[$0] == GLP_BS }
    let tightRows = (0..<m).filter { !rowBasic[$0] }
    guard basicColumns.count == tightRows.count else {
      throw TheoryError.verificationFailed("the basis has \(basicColumns.count) basic columns for \(tightRows.count) non-basic rows")
    }
    // Non-basic columns sit at a bound: λ = +1 (upper) or −1 (lower).
    var sign = [Int8](repeating: 0, count: n)
    var rowSums = [Int](repeating: 0, count: m)  // A_{·,N}·λ_N, integers
    for j in 0..<n where columnStatus[j] != GLP_BS {
      sign[j] = columnStatus[j] == GLP_NU ? 1 : -1
      for i in columnRows[j] { rowSums[Int(i)] += Int(sign[j]) }
    }
    let k = basicColumns.count
    let rowPosition = Dictionary(uniqueKeysWithValues: tightRows.enumerated().map { ($1, $0) })
    // A_{R,B} as a dense k×k matrix of 0/1.
    var matrix = [[Rational]](repeating: [Rational](repeating: .zero, count: k), count: k)
    for (c, j) in basicColumns.enumerated() {
      for i in columnRows[j] { if let r = rowPosition[Int(i)] { matrix[r][c] = .one } }
    }
    let lambdaB = try solveLinear(matrix, tightRows.map { Rational(-rowSums[$0]) })
    var transposed = matrix
    for r in 0..<k { for c in 0..<k { transposed[c][r] = matrix[r][c] } }
    let yR = try solveLinear(transposed, basicColumns.map { b[$0] })
    var y = [Rational](repeating: .zero, count: m)
    for (r, i) in tightRows.enumerated() { y[i] = yR[r] }

    var lambda = sign.map { Rational(Int($0)) }
    for (c, j) in basicColumns.enumerated() { lambda[j] = lambdaB[c] }
    return try verify(lambda: lambda, alpha: y, targets: b, program: program, columnRows: columnRows)
  }

  /// Checks λ dual-feasible and E(α) = D(λ) exactly; returns the certified solution.
  static func verify(lambda: [Rational], alpha: [Rational], targets b: [Rational], program: ErrorProgram, columnRows: [[Int32]]) throws -> DualSolution {
    let m = program.groups.count
    var rows = [Rational](repeating: .zero, count: m)
    var dual = Rational.zero
    var primal = Rational.zero
    for (j, l) in lambda.enumerated() {
      guard l <= .one && l >= -Rational.one else {
        throw TheoryError.verificationFailed("λ for subset \(j) is \(l), outside [−1, 1]")
      }
      var explained = Rational.zero
      for i in columnRows[j] {
        let row = Int(i)
        if !l.isZero { rows[row] += l }
        explained += alpha[row]
      }
      if !l.isZero { dual += l * b[j] }
      primal += (b[j] - explained).magnitude
    }
    if let row = rows.firstIndex(where: { !$0.isZero }) {
      throw TheoryError.verificationFailed("the dual constraint of group \(row + 1) sums to \(rows[row]), not 0")
    }
    guard dual == primal else {
      throw TheoryError.verificationFailed("D(λ) = \(dual) but E(α) = \(primal)")
    }
    return DualSolution(optimum: dual, lambda: lambda, alpha: alpha, solver: .glpk)
  }

  /// Solves M·x = v exactly by Gaussian elimination with row pivoting.
  static func solveLinear(_ matrix: [[Rational]], _ v: [Rational]) throws -> [Rational] {
    let k = v.count
    var a = matrix
    var rhs = v
    for col in 0..<k {
      guard let pivot = (col..<k).first(where: { !a[$0][col].isZero }) else {
        throw TheoryError.verificationFailed("the basis matrix is singular")
      }
      if pivot != col {
        a.swapAt(pivot, col)
        rhs.swapAt(pivot, col)
      }
      let p = a[col][col]
      for r in 0..<k where r != col && !a[r][col].isZero {
        let factor = a[r][col] / p
        for c in col..<k where !a[col][c].isZero { a[r][c] -= factor * a[col][c] }
        rhs[r] -= factor * rhs[col]
      }
    }
    return (0..<k).map { rhs[$0] / a[$0][$0] }
  }
}
