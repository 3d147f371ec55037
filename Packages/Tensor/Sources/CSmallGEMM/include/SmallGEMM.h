// Small row-major matrix products through libxsmm's JIT kernels, where they beat OpenBLAS
// (see README, Performance): C = A·B and C = Aᵀ·B, β = 0. Each returns 0 when libxsmm has no
// kernel for the shape (the caller then uses OpenBLAS).
#ifndef SANNKIT_SMALL_GEMM_H
#define SANNKIT_SMALL_GEMM_H

#include <stddef.h>

/// C[m×n] = A[m×k]·B[k×n], all row-major and dense.
int sann_small_sgemm_nn(int m, int n, int k, const float *a, const float *b, float *c);

/// C[m×n] = Aᵀ·B with A stored [k×m] and B [k×n], row-major and dense.
int sann_small_sgemm_tn(int m, int n, int k, const float *a, const float *b, float *c);

/// C[m×cols] = X[m×k]·B[k×cols], row-major: X dense, B's rows `ldb` apart, C's `ldc`; β = 0.
/// Every output is its sum over k in order with fused multiply-adds from 0 (the kernels are
/// chosen so; see SmallGEMM.c), as OpenBLAS's SkylakeX kernels compute the forward products of
/// a 64-row batch with at least 19 outputs. 0 when libxsmm has no kernel.
int sann_small_sgemm_nn_columns(int m, int cols, int k, const float *x, const float *b, int ldb, float *c, int ldc);

#endif
