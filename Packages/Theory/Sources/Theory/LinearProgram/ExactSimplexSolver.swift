/// Solves an ``ErrorProgram`` over all 2^d subsets with ``ExactDualSimplex``, entirely in exact
/// integer arithmetic, and verifies the optimum before returning it. This is the default back end
/// for the full program: its basis is rows×rows, each iteration is one pass over 2^d small
/// integer columns, and it needs no floating-point confirmation step. ``GLPKDualSolver`` solves
/// the same program through GLPK and `glp_exact` and serves as the independent cross-check.
public enum ExactSimplexSolver {
  public static func solve(_ program: ErrorProgram, progress: ((Int) -> Void)? = nil) throws -> DualSolution {
    let d = program.dimension
    guard d <= ErrorProgram.maximumFullDimension else {
      throw TheoryError.dimensionTooLarge(d: d, maximum: ErrorProgram.maximumFullDimension)
    }
    let masks = program.groupMasks
    let columns = try IntegerColumns(rows: masks.count, count: program.subsetCount) { s, column in
      for (g, mask) in masks.enumerated() where program.explains(mask, subset: UInt64(s)) { column[g] = 1 }
    }
    let b = program.targets()
    let (scaled, scale) = try integerTargets(b)
    var simplex = ExactDualSimplex(columns: columns, targets: scaled, bounds: .uniform(1))
    simplex.progress = progress
    let start = LADStart.basis(columns: columns, targets: b.map(\.doubleValue), bounds: .uniform(1), iterations: 10)
    let exact: ExactOptimum
    do {
      exact = try simplex.solveExactly(start: start, scale: scale)
    } catch let error as ExactDualSimplex.Failure {
      throw TheoryError.solverFailed("the exact dual simplex stopped: \(error)")
    }
    let lambda = (0..<columns.count).map { exact.lambda($0) }
    return DualSolution(optimum: exact.optimum, lambda: lambda, alpha: exact.y)
  }

  /// The targets times their common denominator, as 64-bit integers.
  static func integerTargets(_ b: [Rational]) throws -> ([Int64], BigInt) {
    var scale = BigInt(1)
    var seen = Set<Rational>()
    for v in b where seen.insert(v).inserted { scale = BigInt.lcm(scale, v.denominator) }
    let factor = Rational(scale)
    var cache: [Rational: Int64] = [:]
    let scaled = try b.map { v -> Int64 in
      if let known = cache[v] { return known }
      guard let x = (v * factor).numerator.intValue, x.magnitude < 1 << 40 else {
        throw TheoryError.solverFailed("the targets b_S = \(v) are too large for exact pivoting in 64-bit integers; scale the polynomial's coefficients down")
      }
      cache[v] = Int64(x)
      return Int64(x)
    }
    return (scaled, scale)
  }
}
