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
