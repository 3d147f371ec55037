import Foundation

/// Solves A·X = B for a small symmetric positive semi-definite A (n×n, row-major, Double),
/// the normal equations of a weighted least-squares or ridge fit.
///
/// First a Cholesky factorisation A = L·Lᵀ (``Cholesky``); when a pivot is not clearly positive
/// (≤ 1e-12 · max diag, i.e. A is singular or nearly so) it falls back to the minimum-norm
/// solution A⁺·B through a cyclic Jacobi eigendecomposition, discarding eigenvalues below
/// 1e-12 · λ_max — what `numpy.linalg.lstsq` does for a rank-deficient system.
/// Cost: n³/3 (Cholesky) or ~10·n³ (Jacobi) — negligible for the n ≤ a few hundred here.
enum SymmetricSolver {
  /// X (n × columns, row-major) with A·X = B, B n × columns row-major.
  static func solve(_ a: [Double], _ b: [Double], n: Int, columns: Int) -> [Double] {
    if let l = try? Cholesky(n: n, matrix: a, relativeTolerance: 1e-12) { return l.solve(b, columns: columns) }
    return pseudoInverseSolve(a, b, n: n, columns: columns)
  }

  /// A⁺·B from the eigendecomposition A = V·Λ·Vᵀ (cyclic Jacobi rotations).
  static func pseudoInverseSolve(_ a: [Double], _ b: [Double], n: Int, columns: Int) -> [Double] {
    var m = a
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    // Rotations keep the Frobenius norm, so convergence is judged relative to it: stop when the
    // off-diagonal part is below 1e-15·‖A‖_F (squared: 1e-30·‖A‖²_F), whatever A's scale.
    let frobenius = a.reduce(0) { $0 + $1 * $1 }
    for _ in 0..<100 {
      var off = 0.0
      for p in 0..<n { for q in (p + 1)..<max(n, p + 1) { off += m[p * n + q] * m[p * n + q] } }
      if off <= 1e-30 * frobenius { break }
      for p in 0..<n {
        for q in (p + 1)..<max(n, p + 1) where m[p * n + q] != 0 {
          let theta = (m[q * n + q] - m[p * n + p]) / (2 * m[p * n + q])
          let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot()
          let s = t * c
          for k in 0..<n {
            let mkp = m[k * n + p], mkq = m[k * n + q]
            m[k * n + p] = c * mkp - s * mkq
            m[k * n + q] = s * mkp + c * mkq
          }
          for k in 0..<n {
            let mpk = m[p * n + k], mqk = m[q * n + k]
            m[p * n + k] = c * mpk - s * mqk
            m[q * n + k] = s * mpk + c * mqk
          }
          for k in 0..<n {
            let vkp = v[k * n + p], vkq = v[k * n + q]
            v[k * n + p] = c * vkp - s * vkq
            v[k * n + q] = s * vkp + c * vkq
          }
        }
      }
    }
    let eigen = (0..<n).map { m[$0 * n + $0] }
    let cutoff = 1e-12 * max(eigen.map(abs).max() ?? 0, Double.leastNormalMagnitude)
    var x = [Double](repeating: 0, count: n * columns)
    for e in 0..<n where eigen[e] > cutoff {
      for c in 0..<columns {
        var projection = 0.0
        for i in 0..<n { projection += v[i * n + e] * b[i * columns + c] }
        projection /= eigen[e]
        for i in 0..<n { x[i * columns + c] += v[i * n + e] * projection }
      }
    }
    return x
  }
}
