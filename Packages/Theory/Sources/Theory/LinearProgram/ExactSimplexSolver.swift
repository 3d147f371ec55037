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
    let start = LADStart.basis(columns: columns, targets: b.map(\.doubleValue), bounds: .uniform(1), iterations: 10)
    let exact = try solve(columns: columns, targets: b, bounds: .uniform(1), start: start, progress: progress)
    let lambda = (0..<columns.count).map { exact.optimum.lambda($0) }
    return DualSolution(optimum: exact.optimum.optimum, lambda: lambda, alpha: exact.optimum.y, solver: exact.solver)
  }

  /// The verified optimum of a dual program with targets of any size: integer pivoting when
  /// the targets times their common denominator fit in 40 bits and the pivoting does not
  /// overflow; otherwise the rescaled program's basis, finished exactly.
  static func solve(columns: IntegerColumns, targets b: [Rational], bounds: ColumnBounds, start: [Int],
                    progress: ((Int) -> Void)?) throws -> (optimum: ExactOptimum, solver: DualSolver) {
    if let (scaled, scale) = integerTargets(b) {
      var simplex = ExactDualSimplex(columns: columns, targets: scaled, bounds: bounds)
      simplex.progress = progress
      do {
        return (try simplex.solveExactly(start: start, scale: scale), .exactSimplex)
      } catch ExactDualSimplex.Failure.overflow {
        // Large determinants: the rescaled targets below leave more headroom.
      } catch let error as ExactDualSimplex.Failure {
        throw TheoryError.solverFailed("the exact dual simplex stopped: \(error)")
      }
    }
    var simplex = ExactDualSimplex(columns: columns, targets: roundedTargets(b, bits: 30), bounds: bounds)
    simplex.progress = progress
    let near: ExactDualSimplex.Result
    do {
      near = try simplex.solve(start: start)
    } catch let error as ExactDualSimplex.Failure {
      throw TheoryError.solverFailed("the targets need more than 64-bit integer pivoting, and the exact dual simplex on them rounded to 30 bits stopped too (\(error)); the basis determinants are too large: use --method glpk for d ≤ \(ErrorProgram.maximumFullDimension)")
    }
    var isUpper = near.isUpper
    for j in near.basic where j < columns.count { isUpper[j] = false }
    let exact = try RationalDualSimplex(columns: columns, targets: b, bounds: bounds).solve(basic: near.basic, isUpper: isUpper)
    return (exact, .rescaledExactSimplex(pivots: exact.iterations))
  }

  /// The targets times their common denominator as 64-bit integers, when each is below 2⁴⁰
  /// in magnitude (the range the pivoting's overflow bounds are sized for); nil otherwise.
  static func integerTargets(_ b: [Rational]) -> ([Int64], BigInt)? {
    var scale = BigInt(1)
    var seen = Set<Rational>()
    for v in b where seen.insert(v).inserted {
      scale = BigInt.lcm(scale, v.denominator)
      guard scale.intValue != nil else { return nil }
    }
    let factor = Rational(scale)
    var cache: [Rational: Int64] = [:]
    var scaled = [Int64]()
    scaled.reserveCapacity(b.count)
    for v in b {
      if let known = cache[v] {
        scaled.append(known)
        continue
      }
      guard let x = (v * factor).numerator.intValue, x.magnitude < 1 << 40 else { return nil }
      cache[v] = Int64(x)
      scaled.append(Int64(x))
    }
    return (scaled, scale)
  }

  /// round(b_j·2^k) (halves away from zero), exactly, with k chosen from the largest |b_j| so
  /// that every value stays below 2^bits in magnitude; k may be negative. Exact in GMP, so
  /// values beyond Double's range (a point of 1e400) round as well as small ones.
  static func roundedTargets(_ b: [Rational], bits: Int) -> [Int64] {
    // |p/q| < 2^(digits(p) − digits(q) + 1), so k = bits − 2 − max(digits(p) − digits(q)) keeps |b·2^k| < 2^(bits−1).
    guard let largest = b.lazy.filter({ !$0.isZero }).map({ $0.numerator.binaryDigits - $0.denominator.binaryDigits }).max() else {
      return [Int64](repeating: 0, count: b.count)
    }
    let k = bits - 2 - largest
    let power = BigInt.power(2, Swift.abs(k))
    var cache: [Rational: Int64] = [:]
    return b.map { v in
      if let known = cache[v] { return known }
      let p = k >= 0 ? v.numerator * power : v.numerator
      let q = k >= 0 ? v.denominator : v.denominator * power
      // round(p/q) = trunc((2p + sign(p)·q) / 2q).
      let twice = p + p + (p.sign < 0 ? -q : q)
      let rounded = Int64((twice / (q + q)).intValue!)
      cache[v] = rounded
      return rounded
    }
  }
}
