import CGLPK

/// A GLPK problem of the dual shape: rows fixed at given values, boxed columns [−1, 1],
/// maximise cᵀλ. Owns its `glp_prob` (freed on deinit); every index is validated before it
/// reaches GLPK, which aborts the whole process on an out-of-range index.
final class GLPKProblem {
  private let lp: OpaquePointer
  let rows: Int
  let columns: Int

  /// 0/1 columns (`columns[j]` lists the rows holding a 1), bounds [−1, 1], rows fixed at
  /// `fixedRowValues`.
  convenience init(rows m: Int, columns: [[Int32]], objective: [Double], fixedRowValues: [Double]) throws {
    try self.init(rows: m, columns: columns.map { $0.map { ($0, 1.0) } }, objective: objective,
                  bounds: Array(repeating: 1, count: columns.count), fixedRowValues: fixedRowValues)
  }

  /// Columns of (row, coefficient) pairs with bounds [−uⱼ, uⱼ]; rows fixed at 0 unless given.
  init(rows m: Int, columns: [[(Int32, Double)]], objective: [Double], bounds: [Double], fixedRowValues: [Double]? = nil) throws {
    let fixedRowValues = fixedRowValues ?? Array(repeating: 0, count: m)
    let n = columns.count
    let nonzeros = columns.reduce(0) { $0 + $1.count }
    guard m >= 1, n >= 1, m < Int(Int32.max), n < Int(Int32.max), nonzeros < Int(Int32.max),
          objective.count == n, bounds.count == n, fixedRowValues.count == m else {
      throw TheoryError.solverFailed("a program of \(m) rows, \(n) columns and \(nonzeros) non-zeros is outside GLPK's index range")
    }
    glp_term_out(GLP_OFF)
    guard let lp = glp_create_prob() else { throw TheoryError.solverFailed("glp_create_prob returned nothing") }
    self.lp = lp
    self.rows = m
    self.columns = n
    glp_set_obj_dir(lp, GLP_MAX)
    glp_add_rows(lp, Int32(m))
    for i in 1...m { glp_set_row_bnds(lp, Int32(i), GLP_FX, fixedRowValues[i - 1], fixedRowValues[i - 1]) }
    glp_add_cols(lp, Int32(n))
    for j in 1...n {
      glp_set_col_bnds(lp, Int32(j), GLP_DB, -bounds[j - 1], bounds[j - 1])
      glp_set_obj_coef(lp, Int32(j), objective[j - 1])
    }
    // GLPK's arrays are 1-based: element 0 is ignored.
    var ia = [Int32](repeating: 0, count: nonzeros + 1)
    var ja = [Int32](repeating: 0, count: nonzeros + 1)
    var ar = [Double](repeating: 0, count: nonzeros + 1)
    var k = 1
    for (j, rowsOfColumn) in columns.enumerated() {
      for (i, value) in rowsOfColumn {
        guard i >= 0 && Int(i) < m else { throw TheoryError.solverFailed("row index \(i) out of range 0..<\(m)") }
        ia[k] = i + 1
        ja[k] = Int32(j + 1)
        ar[k] = value
        k += 1
      }
    }
    if nonzeros > 0 { glp_load_matrix(lp, Int32(nonzeros), &ia, &ja, &ar) }
    // The all-slack basis with each column at the bound its objective favours: with row duals
    // 0 every reduced cost is cⱼ, so it is dual feasible.
    for i in 1...m { glp_set_row_stat(lp, Int32(i), GLP_BS) }
    for j in 1...n { glp_set_col_stat(lp, Int32(j), objective[j - 1] > 0 ? GLP_NU : GLP_NL) }
  }

  deinit { glp_delete_prob(lp) }

  func setBasis(_ basis: BasisGuess) {
    precondition(basis.rowBasic.count == rows && basis.columnStatus.count == columns)
    for i in 0..<rows { glp_set_row_stat(lp, Int32(i + 1), basis.rowBasic[i] ? GLP_BS : GLP_NS) }
    for j in 0..<columns {
      let s = basis.columnStatus[j]
      glp_set_col_stat(lp, Int32(j + 1), s == GLP_BS || s == GLP_NU || s == GLP_NL ? s : GLP_NL)
    }
  }

  func simplex(dual: Bool) throws {
    var parameters = glp_smcp()
    glp_init_smcp(&parameters)
    parameters.msg_lev = GLP_MSG_OFF
    parameters.meth = dual ? GLP_DUALP : GLP_PRIMAL
    var code = glp_simplex(lp, &parameters)
    if code == GLP_EBADB || code == GLP_ESING || code == GLP_ECOND {
      // The supplied basis is unusable: rebuild an advanced basis and retry.
      glp_adv_basis(lp, 0)
      code = glp_simplex(lp, &parameters)
    }
    guard code == 0 else { throw TheoryError.solverFailed("glp_simplex returned code \(code)") }
    guard glp_get_status(lp) == GLP_OPT else {
      throw TheoryError.solverFailed("GLPK reports status \(glp_get_status(lp)) (not optimal); the program should always be feasible")
    }
  }

  func exact() throws {
    var parameters = glp_smcp()
    glp_init_smcp(&parameters)
    parameters.msg_lev = GLP_MSG_OFF
    let code = glp_exact(lp, &parameters)
    guard code == 0 else { throw TheoryError.solverFailed("glp_exact returned code \(code)") }
    guard glp_get_status(lp) == GLP_OPT else { throw TheoryError.solverFailed("glp_exact reports status \(glp_get_status(lp)), not optimal") }
  }

  func rowDuals() -> [Double] { (1...rows).map { glp_get_row_dual(lp, Int32($0)) } }

  func basis() -> (rows: [Bool], columns: [Int32]) {
    ((1...rows).map { glp_get_row_stat(lp, Int32($0)) == GLP_BS }, (1...columns).map { glp_get_col_stat(lp, Int32($0)) })
  }
}
