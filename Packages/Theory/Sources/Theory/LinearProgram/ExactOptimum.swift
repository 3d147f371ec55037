/// An optimum of a dual error program that has been verified in exact arithmetic:
/// μ is dual feasible (|μ_j| ≤ m_j and Σ_j μ_j a_j = 0) and D(μ) = Σ μ_j b_j equals
/// E(y) = Σ m_j·|b_j − a_j·y|, so by weak duality both are optimal.
///
/// λ_j = μ_j/m_j is ±1 for every non-basic column and a rational for the few basic ones, so it
/// is stored in that compact form.
struct ExactOptimum {
  let optimum: Rational
  /// The row duals: the optimal attribution (per feature, group or block).
  let y: [Rational]
  /// +1 / −1 for non-basic columns at their upper / lower bound, 0 for basic ones.
  let signs: [Int8]
  /// λ_j of the basic columns (artificial slacks excluded).
  let basicLambda: [Int: Rational]
  let iterations: Int

  func lambda(_ j: Int) -> Rational {
    if let value = basicLambda[j] { return value }
    return signs[j] > 0 ? .one : (signs[j] < 0 ? -Rational.one : .zero)
  }
}

extension ExactDualSimplex {
  /// Solves from `start` and verifies the result from scratch; `scale` is the common
  /// denominator the integer targets were multiplied by.
  func solveExactly(start: [Int], scale: BigInt) throws -> ExactOptimum {
    let result = try solve(start: start)
    return try verify(result, scale: scale)
  }

  /// Recomputes everything the optimality proof rests on, independently of the pivoting's
  /// incremental bookkeeping: the row sums, the basic values' bounds, the equality rows, the
  /// residuals, and D = E.
  func verify(_ result: Result, scale: BigInt) throws -> ExactOptimum {
    func fail(_ reason: String) -> TheoryError { .verificationFailed(reason) }
    let det = result.det
    var isBasic = [Bool](repeating: false, count: n)
    for j in result.basic where j < n { isBasic[j] = true }
    let rowSums = initialRowSums(isBasic: isBasic, isUpper: result.isUpper)
    // K_B·μ_B = −rowSums, checked as Σ_p num_p·a_p + det·rowSums = 0 row by row.
    for r in 0..<rows {
      var total = BigInt(0)
      total.add(rowSums[r], times: Int(det))
      for (p, j) in result.basic.enumerated() {
        let a = j < n ? columns[column: j, row: r] : (j - n == r ? 1 : 0)
        if a != 0 { total = total + result.basicNumerators[p] * BigInt(a) }
      }
      guard total.isZero else { throw fail("equality row \(r + 1) of the dual does not sum to 0") }
    }
    var basicLambda: [Int: Rational] = [:]
    for (p, j) in result.basic.enumerated() {
      let numerator = result.basicNumerators[p]
      if j >= n {
        guard numerator.isZero else { throw fail("the slack of row \(j - n + 1) is not 0") }
        continue
      }
      var limit = BigInt(0)
      limit.add(bounds[j], times: Int(det))
      guard numerator <= limit && -limit <= numerator else { throw fail("the basic value of column \(j) is outside its bounds ±m") }
      basicLambda[j] = Rational(numerator: numerator, denominator: limit)
    }
    // Residuals r_j·det·scale = b_j·det·scale − a_j·yScaled, and both objectives, scaled by det·scale.
    var bound = Double(targets.lazy.map { $0.magnitude }.max() ?? 0) * Double(det)
    for c in 0..<rows { bound += Double(columns.rowMaxima[c]) * Double(result.yScaled[c].magnitude) }
    guard bound < 4e18 else { throw ExactDualSimplex.Failure.overflow }
    var primal = BigInt(0)
    var dualNonbasic = BigInt(0)
    var primalAccumulator = Accumulator()
    var dualAccumulator = Accumulator()
    var signs = [Int8](repeating: 0, count: n)
    for j in 0..<n {
      var residual = targets[j] &* det
      for c in 0..<rows { residual = residual &- Int64(columns[column: j, row: c]) &* result.yScaled[c] }
      let sign: Int64 = isBasic[j] ? 0 : (result.isUpper[j] ? 1 : -1)
      signs[j] = Int8(sign)
      switch bounds {
      case .uniform:
        primalAccumulator.add(Int64(residual.magnitude), into: &primal)
        if sign != 0 { dualAccumulator.add(sign * targets[j], into: &dualNonbasic) }
      case .perColumn(let m):
        if residual != 0 { primal.add(m[j], times: Int(residual.magnitude)) }
        if sign != 0 && targets[j] != 0 { dualNonbasic.add(m[j], times: Int(sign * targets[j])) }
      }
    }
    primalAccumulator.flush(into: &primal)
    dualAccumulator.flush(into: &dualNonbasic)
    if case .uniform(let m) = bounds {
      primal = primal * m
      dualNonbasic = dualNonbasic * m
    }
    var dual = BigInt(0)
    dual.add(dualNonbasic, times: Int(det))
    for (p, j) in result.basic.enumerated() where j < n && targets[j] != 0 {
      dual.add(result.basicNumerators[p], times: Int(targets[j]))
    }
    guard dual == primal else {
      throw fail("D(λ) = \(Rational(numerator: dual, denominator: scale * BigInt(Int(det)))) but E(α) = \(Rational(numerator: primal, denominator: scale * BigInt(Int(det)))): the basis is not optimal")
    }
    let denominator = scale * BigInt(Int(det))
    return ExactOptimum(
      optimum: Rational(numerator: dual, denominator: denominator),
      y: result.yScaled.map { Rational(numerator: BigInt(Int($0)), denominator: denominator) },
      signs: signs, basicLambda: basicLambda, iterations: result.iterations)
  }
}

/// Sums Int64 values exactly: in a machine word until it would overflow, then into a BigInt.
struct Accumulator {
  private var word: Int64 = 0

  @inline(__always)
  mutating func add(_ value: Int64, into total: inout BigInt) {
    let (sum, overflow) = word.addingReportingOverflow(value)
    if overflow {
      total.add(Int(word))
      word = value
    } else {
      word = sum
    }
  }

  mutating func flush(into total: inout BigInt) {
    total.add(Int(word))
    word = 0
  }
}
