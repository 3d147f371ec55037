import COpenBLAS

extension BLAS {
  /// C ← α·op(A)·op(B) + β·C for row-major Double matrices, through OpenBLAS `cblas_dgemm`:
  /// `op(A)` is m×k, `op(B)` is k×n, C is m×n (op transposes when asked). For the solvers that
  /// need Double accuracy (convex fits to tight tolerances) on top of the Float tensors.
  ///
  ///     BLAS.dgemm(m: n, n: c, k: f, a, w, into: &z, transposeB: true)   // z = X·Wᵀ
  public static func dgemm(
    m: Int, n: Int, k: Int, _ a: [Double], _ b: [Double], into c: inout [Double],
    transposeA: Bool = false, transposeB: Bool = false, alpha: Double = 1, beta: Double = 0
  ) {
    precondition(m >= 0 && n >= 0 && k >= 0 && a.count >= m * k && b.count >= k * n && c.count >= m * n,
      "BLAS.dgemm: buffers of \(a.count), \(b.count) and \(c.count) values do not fit \(m)×\(k) by \(k)×\(n)")
    if m == 0 || n == 0 { return }
    if k == 0 {
      for i in 0..<(m * n) { c[i] = beta == 0 ? 0 : beta * c[i] }
      return
    }
    cblas_dgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
      beta, &c, Int32(n))
  }
}
