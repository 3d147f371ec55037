import CGLPK

/// Solves the dual of an ``ErrorProgram`` with GLPK and certifies the result exactly.
///
/// The dual has one equality row per group and one boxed column per subset, so its basis is
/// at most m×m. GLPK's floating-point simplex finds a basis, `glp_exact` confirms it in
/// rational arithmetic; then the solution is recomputed from the basis with GMP — λ for the
/// basic columns from A_{R,B}·λ_B = −A_{R,N}·λ_N (non-basic columns sit at ±1), the row
/// duals y from A_{R,B}ᵀ·y_R = b_B — and checked: λ feasible, reduced costs of the right
/// sign, and E(y) = D(λ). Only then is the optimum reported; y is the optimal attribution.
public enum GLPKDualSolver {
  public static func solve(_ program: ErrorProgram) throws -> DualSolution {
    let d = program.dimension
    guard d <= ErrorProgram.maximumFullDimension else {
      throw TheoryError.dimensionTooLarge(d: d, maximum: ErrorProgram.maximumFullDimension)
    }
    let m = program.groups.count
    let n = program.subsetCount
    let masks = program.groupMasks
    let b = program.targets()
    // Column j's rows (0-based), the sparse pattern of A.
    var columnRows = [[Int32]](repeating: [], count: n)
    for s in 0..<n {
      for (j, mask) in masks.enumerated() where program.explains(mask, subset: UInt64(s)) { columnRows[s].append(Int32(j)) }
    }
    let statuses = try runGLPK(rows: m, columns: columnRows, objective: b.map(\.doubleValue))
    return try ExactBasis.certify(rows: m, columnRows: columnRows, targets: b, rowBasic: statuses.rows, columnStatus: statuses.columns, program: program)
  }

  /// Builds and solves max bᵀλ, Aλ = 0, −1 ≤ λ ≤ 1; returns the final basis statuses.
  static func runGLPK(rows m: Int, columns: [[Int32]], objective: [Double]) throws -> (rows: [Bool], columns: [Int32]) {
    let n = columns.count
    let nonzeros = columns.reduce(0) { $0 + $1.count }
    guard m >= 1, n >= 1, m < Int(Int32.max), n < Int(Int32.max), nonzeros < Int(Int32.max) else {
      throw TheoryError.solverFailed("the program has \(m) rows, \(n) columns and \(nonzeros) non-zeros, beyond GLPK's index range")
    }
    glp_term_out(GLP_OFF)
    guard let lp = glp_create_prob() else { throw TheoryError.solverFailed("glp_create_prob returned nothing") }
    defer { glp_delete_prob(lp) }
    glp_set_obj_dir(lp, GLP_MAX)
    glp_add_rows(lp, Int32(m))
    for i in 1...m { glp_set_row_bnds(lp, Int32(i), GLP_FX, 0, 0) }
    glp_add_cols(lp, Int32(n))
    for j in 1...n {
      glp_set_col_bnds(lp, Int32(j), GLP_DB, -1, 1)
      glp_set_obj_coef(lp, Int32(j), objective[j - 1])
    }
    // GLPK's arrays are 1-based: element 0 is ignored.
    var ia = [Int32](repeating: 0, count: nonzeros + 1)
    var ja = [Int32](repeating: 0, count: nonzeros + 1)
    var ar = [Double](repeating: 0, count: nonzeros + 1)
    var k = 1
    for (j, rowsOfColumn) in columns.enumerated() {
      for i in rowsOfColumn {
        precondition(i >= 0 && Int(i) < m, "row index out of range")  // GLPK would abort the process
        ia[k] = i + 1
        ja[k] = Int32(j + 1)
        ar[k] = 1
        k += 1
      }
    }
    if nonzeros > 0 { glp_load_matrix(lp, Int32(nonzeros), &ia, &ja, &ar) }
    // Start from the basis of all row slacks, each column at the bound its objective
    // coefficient favours: with row duals y = 0 every reduced cost is bⱼ, so this basis is
    // dual feasible and the dual simplex only has to restore Aλ = 0, a few pivots per row,
    // instead of the primal simplex's walk through up to 2^d columns.
    for i in 1...m { glp_set_row_stat(lp, Int32(i), GLP_BS) }
    for j in 1...n { glp_set_col_stat(lp, Int32(j), objective[j - 1] > 0 ? GLP_NU : GLP_NL) }
    var parameters = glp_smcp()
    glp_init_smcp(&parameters)
    parameters.msg_lev = GLP_MSG_OFF
    parameters.meth = GLP_DUAL
    let simplex = glp_simplex(lp, &parameters)
    guard simplex == 0 else { throw TheoryError.solverFailed("glp_simplex returned code \(simplex)") }
    let exact = glp_exact(lp, &parameters)
    guard exact == 0 else { throw TheoryError.solverFailed("glp_exact returned code \(exact)") }
    guard glp_get_status(lp) == GLP_OPT else { throw TheoryError.solverFailed("GLPK reports status \(glp_get_status(lp)), not optimal") }
    let rowBasic = (1...m).map { glp_get_row_stat(lp, Int32($0)) == GLP_BS }
    let columnStatus = (1...n).map { glp_get_col_stat(lp, Int32($0)) }
    return (rowBasic, columnStatus)
  }
}
