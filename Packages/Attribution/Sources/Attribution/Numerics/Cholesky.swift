import Foundation

/// The Cholesky factorisation Σ = L·Lᵀ of a symmetric positive-definite matrix, in Double.
///
/// `L` is lower triangular with a positive diagonal, stored row-major (n × n, zeros above the
/// diagonal). Computed by the Cholesky–Banachiewicz recurrence
/// Lᵢⱼ = (Σᵢⱼ − Σₖ<ⱼ Lᵢₖ·Lⱼₖ) / Lⱼⱼ, Lⱼⱼ = √(Σⱼⱼ − Σₖ<ⱼ Lⱼₖ²); O(n³/3). Only the lower
/// triangle of Σ is read. A pivot ≤ `relativeTolerance`·max Σᵢᵢ (0 by default: Σ not
/// positive definite, or singular to working precision), or a NaN, throws
/// `notPositiveDefinite`. The one Cholesky of the package: the synthetic Gaussians sample and
/// condition with it, and ``SymmetricSolver`` solves normal equations with it.
///
///     let l = try Cholesky(n: 2, matrix: [4, 2, 2, 3])   // L = [[2, 0], [1, √2]]
///     let x = l.solve([2, 1])                           // Σ⁻¹·b
public struct Cholesky: Sendable, Equatable {
  public let n: Int
  /// L, row-major.
  public let factor: [Double]

  public init(n: Int, matrix: [Double], relativeTolerance: Double = 0) throws {
    precondition(matrix.count == n * n, "Cholesky: the matrix must hold n × n values")
    var maxDiagonal = 0.0
    for i in 0..<n { maxDiagonal = max(maxDiagonal, matrix[i * n + i]) }
    let tolerance = relativeTolerance * maxDiagonal
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0...i {
        var sum = matrix[i * n + j]
        for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
        if i == j {
          guard sum > tolerance, sum > 0, sum.isFinite else {
            throw AttributionError.notPositiveDefinite(pivot: i, value: sum)
          }
          l[i * n + i] = sum.squareRoot()
        } else {
          l[i * n + j] = sum / l[j * n + j]
        }
      }
    }
    self.n = n
    self.factor = l
  }

  /// Σ⁻¹·b by forward substitution (L·y = b) and back substitution (Lᵀ·x = y).
  public func solve(_ b: [Double]) -> [Double] {
    precondition(b.count == n, "Cholesky.solve: the right-hand side must hold n values")
    return solve(b, columns: 1)
  }

  /// Σ⁻¹·B for `columns` right-hand sides at once (B n × columns, row-major).
  public func solve(_ b: [Double], columns: Int) -> [Double] {
    precondition(b.count == n * columns, "Cholesky.solve: the right-hand sides must hold n × columns values")
    var x = b
    for c in 0..<columns {
      for i in 0..<n {
        var sum = x[i * columns + c]
        for k in 0..<i { sum -= factor[i * n + k] * x[k * columns + c] }
        x[i * columns + c] = sum / factor[i * n + i]
      }
      for i in stride(from: n - 1, through: 0, by: -1) {
        var sum = x[i * columns + c]
        for k in (i + 1)..<n { sum -= factor[k * n + i] * x[k * columns + c] }
        x[i * columns + c] = sum / factor[i * n + i]
      }
    }
    return x
  }

  /// L·z: maps independent standard normal draws z to draws with covariance Σ.
  public func multiply(_ z: [Double]) -> [Double] {
    precondition(z.count == n, "Cholesky.multiply: the vector must hold n values")
    var out = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var sum = 0.0
      for k in 0...i { sum += factor[i * n + k] * z[k] }
      out[i] = sum
    }
    return out
  }
}
