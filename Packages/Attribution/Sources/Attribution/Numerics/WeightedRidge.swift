/// Weighted ridge regression with an intercept, as scikit-learn's `Ridge(alpha:)` fits it with
/// `sample_weight`:
///
///   minimise Σₖ wₖ·(yₖ − b − xₖ·β)² + α·‖β‖²
///
/// solved by centring X and y at their weighted means x̄, ȳ, then (X̃ᵀWX̃ + αI)·β = X̃ᵀW·ỹ and
/// b = ȳ − x̄·β (the intercept is not penalised).
enum WeightedRidge {
  /// β (p × targets, row-major) and b (targets) for X n × p and Y n × targets, row-major.
  static func fit(x: [Double], y: [Double], weights w: [Double], samples n: Int, features p: Int, targets t: Int,
                  alpha: Double) -> (coefficients: [Double], intercepts: [Double]) {
    let total = w.reduce(0, +)
    var xMean = [Double](repeating: 0, count: p)
    var yMean = [Double](repeating: 0, count: t)
    for k in 0..<n {
      for j in 0..<p { xMean[j] += w[k] * x[k * p + j] }
      for o in 0..<t { yMean[o] += w[k] * y[k * t + o] }
    }
    for j in 0..<p { xMean[j] /= total }
    for o in 0..<t { yMean[o] /= total }
    var normal = [Double](repeating: 0, count: p * p)
    var rhs = [Double](repeating: 0, count: p * t)
    var centred = [Double](repeating: 0, count: p)
    for k in 0..<n {
      for j in 0..<p { centred[j] = x[k * p + j] - xMean[j] }
      for i in 0..<p {
        let wi = w[k] * centred[i]
        for j in 0...i { normal[i * p + j] += wi * centred[j] }
        for o in 0..<t { rhs[i * t + o] += wi * (y[k * t + o] - yMean[o]) }
      }
    }
    for i in 0..<p {
      normal[i * p + i] += alpha
      for j in (i + 1)..<max(p, i + 1) { normal[i * p + j] = normal[j * p + i] }
    }
    let beta = SymmetricSolver.solve(normal, rhs, n: p, columns: t)
    var intercepts = yMean
    for o in 0..<t {
      for j in 0..<p { intercepts[o] -= xMean[j] * beta[j * t + o] }
    }
    return (beta, intercepts)
  }
}
