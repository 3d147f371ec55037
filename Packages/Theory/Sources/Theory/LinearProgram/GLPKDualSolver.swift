import CGLPK

/// Solves the dual of an ``ErrorProgram`` with GLPK and certifies the result exactly.
///
/// The dual, max bᵀλ s.t. Aλ = 0, −1 ≤ λ ≤ 1, has one equality row per group and one boxed
/// column per subset (2^d of them). Its row duals are the primal attribution, the solution of
/// a least-absolute-deviations fit of b by A, so a near-optimal basis comes cheaply from an
/// iteratively reweighted least-squares fit (``StartingBasis``). GLPK's dual simplex finishes
/// from that basis, `glp_exact` confirms it in rational arithmetic, and the solution is
/// recomputed from the final basis with GMP and checked — λ feasible and E(y) = D(λ) — before
/// it is reported (``ExactBasis``). The row duals y are the optimal attribution α.
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
    var columnRows = [[Int32]](repeating: [], count: n)
    for s in 0..<n {
      for (j, mask) in masks.enumerated() where program.explains(mask, subset: UInt64(s)) { columnRows[s].append(Int32(j)) }
    }
    let objective = b.map(\.doubleValue)
    if let bad = objective.firstIndex(where: { !$0.isFinite || Swift.abs($0) > 1e300 }) {
      throw TheoryError.solverFailed("GLPK reads the targets as Doubles, and b_S = \(b[bad]) for subset \(bad) is beyond Double's range; use --method full, which is exact for targets of any size")
    }
    let guess = StartingBasis.guess(rows: m, columns: columnRows, objective: objective)
    let statuses = try exactBasis(rows: m, columns: columnRows, objective: objective, start: guess)
    return try ExactBasis.certify(rows: m, columnRows: columnRows, targets: b, rowBasic: statuses.rows, columnStatus: statuses.columns, program: program)
  }

  /// Loads the full program into GLPK, starts from `start`, runs the simplex (normally no
  /// pivots) and `glp_exact`, and returns the final basis.
  static func exactBasis(rows m: Int, columns: [[Int32]], objective: [Double], start: BasisGuess) throws -> (rows: [Bool], columns: [Int32]) {
    let problem = try GLPKProblem(rows: m, columns: columns, objective: objective, fixedRowValues: Array(repeating: 0, count: m))
    problem.setBasis(start)
    try problem.simplex(dual: true)
    try problem.exact()
    return problem.basis()
  }
}

/// A basis for the dual program: which rows' slacks are basic, and each column's status.
struct BasisGuess {
  var rowBasic: [Bool]
  var columnStatus: [Int32]
}
