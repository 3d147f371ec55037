// Checks that Tensor.linear's forward product through libxsmm column blocks (transposed weights,
// sann_small_sgemm_nn_columns, then the bias) has OpenBLAS's bits on every shape
// affineColumnsApply sends there, whole and cut in two as on two cores. Build and run:
//
//   S=Packages/Tensor/Sources
//   clang -O2 Tools/scripts/affine-bits.c $S/CTensorKernels/TensorKernels.c $S/CSmallGEMM/SmallGEMM.c \
//     -I$S/CTensorKernels/include -I$S/CSmallGEMM/include -lxsmm -lopenblas -lm -lpthread -ldl -o /tmp/affine-bits
//   OPENBLAS_NUM_THREADS=1 /tmp/affine-bits 64 64     # rows from, rows to
//
// It prints the shapes compared and any that differ; shapes libxsmm has no kernel for are
// counted apart (Tensor.linear uses OpenBLAS for them). libxsmm stops making kernels after
// about 100,000 distinct shapes in one process, so run a few row counts at a time. Inputs go
// to 256, as far as Tensor.linear takes this path (from 321 inputs on, OpenBLAS sums in blocks).
#include <cblas.h>
#include <libxsmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "SmallGEMM.h"
#include "TensorKernels.h"

enum { MAX = 260, LIMIT = 128 * 256 * 256 };
static float scratch[MAX * (MAX + 16)];

// Columns [first, first + count) of C = X·Wᵀ + b, as MatMul+AffineColumns.swift computes them.
static int columns(int m, int n, int k, const float *x, const float *w, const float *b, float *c, int first, int count) {
  const int ld = count + 16;
  sann_transpose(w + (long)first * k, count, k, k, scratch, ld);
  if (!sann_small_sgemm_nn_columns(m, count, k, x, scratch, ld, c + first, n)) return 0;
  if (b != NULL) sann_bias_add_strided(c + first, b + first, m, count, n);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s first-rows last-rows (64–128)\n", argv[0]);
    return 2;
  }
  const int m0 = atoi(argv[1]), m1 = atoi(argv[2]);
  libxsmm_init();
  float *x = malloc(sizeof(float) * 128 * MAX), *w = malloc(sizeof(float) * MAX * MAX), *bias = malloc(sizeof(float) * MAX);
  float *expected = malloc(sizeof(float) * 128 * MAX), *whole = malloc(sizeof(float) * 128 * MAX), *cut = malloc(sizeof(float) * 128 * MAX);
  srand(5);
  for (int i = 0; i < 128 * MAX; i++) x[i] = rand() / (float)RAND_MAX - 0.5f;
  for (int i = 0; i < MAX * MAX; i++) w[i] = (rand() / (float)RAND_MAX - 0.5f) * 0.2f;
  for (int i = 0; i < MAX; i++) bias[i] = rand() / (float)RAND_MAX - 0.5f;
  long compared = 0, differ = 0, cutCompared = 0, cutDiffer = 0, noKernel = 0;
  for (int m = m0; m <= m1; m++)
    for (int k = 1; k <= 256; k += k < 40 ? 1 : (k < 120 ? 3 : 7))
      for (int n = 19; n <= MAX; n++) {
        if ((long)m * n * k > LIMIT) continue;
        for (int withBias = 0; withBias < 2; withBias++) {
          const float *b = withBias ? bias : NULL;
          for (int r = 0; r < m; r++) {
            if (b != NULL) memcpy(expected + r * n, b, sizeof(float) * n);
            else memset(expected + r * n, 0, sizeof(float) * n);
          }
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x, k, w, k, 1.0f, expected, n);
          if (!columns(m, n, k, x, w, b, whole, 0, n)) {
            noKernel++;
            continue;
          }
          compared++;
          if (memcmp(expected, whole, sizeof(float) * m * n) != 0) {
            if (differ++ < 20) printf("differs: %d rows, %d inputs, %d outputs, bias %d\n", m, k, n, withBias);
          }
          // splitPoint in Parallelism.swift: near the middle, on a multiple of 8.
          int at = (n / 2 + 4) / 8 * 8;
          if (at < 8) at = 8;
          if (at > n - 1) at = n - 1;
          if (at >= 19 && n - at >= 19) {
            if (columns(m, n, k, x, w, b, cut, 0, at) && columns(m, n, k, x, w, b, cut, at, n - at)) {
              cutCompared++;
              if (memcmp(expected, cut, sizeof(float) * m * n) != 0 && cutDiffer++ < 20) {
                printf("cut in two differs: %d rows, %d inputs, %d outputs\n", m, k, n);
              }
            }
          }
        }
      }
  printf("rows %d–%d: %ld shapes compared, %ld differ; %ld cut in two, %ld of them differ; %ld without a libxsmm kernel\n",
         m0, m1, compared, differ, cutCompared, cutDiffer, noKernel);
  return differ + cutDiffer > 0;
}
