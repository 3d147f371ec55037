#include "SmallGEMM.h"

#include <libxsmm.h>

// libxsmm is column-major: a row-major X [r×s] is its column-major Xᵀ [s×r]. So row-major
// C = A·B is column-major Cᵀ = Bᵀ·Aᵀ (no transposes: kernel M = n, N = m, K = k, operands B, A),
// and row-major C = Aᵀ·B is column-major Cᵀ = Bᵀ·A (the second operand transposed).

int sann_small_sgemm_nn(int m, int n, int k, const float *a, const float *b, float *c) {
  const float alpha = 1.0f, beta = 0.0f;
  libxsmm_smmfunction kernel = libxsmm_smmdispatch(n, m, k, NULL, NULL, NULL, &alpha, &beta, NULL, NULL);
  if (kernel == NULL) return 0;
  kernel(b, a, c);
  return 1;
}

int sann_small_sgemm_tn(int m, int n, int k, const float *a, const float *b, float *c) {
  const float alpha = 1.0f, beta = 0.0f;
  const int flags = LIBXSMM_GEMM_FLAG_TRANS_B;
  const libxsmm_blasint ldb = m;
  libxsmm_smmfunction kernel = libxsmm_smmdispatch(n, m, k, NULL, &ldb, NULL, &alpha, &beta, &flags, NULL);
  if (kernel == NULL) return 0;
  kernel(b, a, c);
  return 1;
}

// libxsmm's kernels sum each output over k in order with FMAs from 0, as OpenBLAS does for
// these shapes, except the last columns of a kernel whose width is 64q + r with q ≥ 1 and
// 1 ≤ r ≤ 16: those r columns are summed in another order. So such a block runs as two
// kernels, 64q columns and r columns, each of which sums in order. (Column-major, the kernel
// computes Cᵀ = Bᵀ·Xᵀ: kernel M = columns, N = rows.)
static libxsmm_smmfunction columns_kernel(int m, int cols, int k, int ldb, int ldc) {
  const float alpha = 1.0f, beta = 0.0f;
  const libxsmm_blasint lda = ldb, ldx = k, lc = ldc;
  return libxsmm_smmdispatch(cols, m, k, &lda, &ldx, &lc, &alpha, &beta, NULL, NULL);
}

int sann_small_sgemm_nn_columns(int m, int cols, int k, const float *x, const float *b, int ldb, float *c, int ldc) {
  const int tail = cols % 64;
  const int head = cols > 64 && tail >= 1 && tail <= 16 ? cols - tail : cols;
  // Both kernels are looked up before either runs, so C is untouched when one is missing.
  libxsmm_smmfunction first = columns_kernel(m, head, k, ldb, ldc);
  libxsmm_smmfunction second = head < cols ? columns_kernel(m, cols - head, k, ldb, ldc) : NULL;
  if (first == NULL || (head < cols && second == NULL)) return 0;
  first(b, x, c);
  if (second != NULL) second(b + head, x, c + head);
  return 1;
}
