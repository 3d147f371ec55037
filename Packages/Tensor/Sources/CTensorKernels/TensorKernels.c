#include "TensorKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

// sqrtf without errno handling, so the loop vectorises under the default -fmath-errno.
#if defined(__has_builtin) && __has_builtin(__builtin_elementwise_sqrt)
#define SANN_SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define SANN_SQRT(x) sqrtf(x)
#endif

#if defined(__x86_64__) && defined(__clang__) && !__has_feature(thread_sanitizer) && !__has_feature(address_sanitizer)
// x86-64-v4 (AVX-512) halves GELU's forward time on Zen 4 against x86-64-v3 (0.53 against
// 1.0–1.2 ns per value); both clones give the same bits (the same operations, with FMA).
// Not under a sanitizer: the loader runs the clones' resolver before the sanitizer's runtime
// is up, and its instrumented code crashes there.
#define SANN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SANN_CLONES
#endif

// e^x by Cody–Waite range reduction x = n·ln2 + r, |r| ≤ ln2/2, and Cephes' degree-6
// polynomial for e^r (relative error below 2 ulp). Inputs are clamped to [−87.3, 88.7].
static inline float vector_exp(float x) {
  x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  // Round x·log2(e) to the nearest integer with the 1.5·2^23 trick.
  float shifted = x * 1.44269504f + 12582912.0f;
  float n = shifted - 12582912.0f;
  float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float er = p * r * r + r + 1.0f;
  int32_t bits;
  memcpy(&bits, &shifted, sizeof bits);
  int32_t exponent = (int32_t)((uint32_t)(bits - 0x4B400000 + 127) << 23);
  float scale;
  memcpy(&scale, &exponent, sizeof scale);
  return er * scale;
}

// erf(x) by Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7), given e = e^(−x²).
static inline float vector_erf(float x, float e) {
  float a = fabsf(x);
  float t = 1.0f / (1.0f + 0.3275911f * a);
  float p = 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  float magnitude = 1.0f - p * t * e;
  return x < 0 ? -magnitude : magnitude;
}

SANN_CLONES
void sann_adam_update(float *restrict value, const float *restrict grad, float *restrict m,
                      float *restrict v, ptrdiff_t n, float beta1, float beta2, float step_size,
                      float inverse_correction2_root, float epsilon, float coupled_decay,
                      float shrink) {
  for (ptrdiff_t j = 0; j < n; j++) {
    float p = value[j];
    float g = grad[j] + coupled_decay * p;
    float mj = beta1 * m[j] + (1.0f - beta1) * g;
    float vj = beta2 * v[j] + (1.0f - beta2) * g * g;
    m[j] = mj;
    v[j] = vj;
    value[j] = p * shrink - step_size * mj / (SANN_SQRT(vj) * inverse_correction2_root + epsilon);
  }
}

// Φ(x) = ½(1 + erf(x/√2)), the standard normal CDF.
static inline float vector_normal_cdf(float x) {
  float z = x * 0.70710678f;
  return 0.5f * (1.0f + vector_erf(z, vector_exp(-z * z)));
}

SANN_CLONES
void sann_gelu_forward(const float *restrict x, float *restrict y, float *restrict cdf, ptrdiff_t n) {
  for (ptrdiff_t i = 0; i < n; i++) {
    float c = vector_normal_cdf(x[i]);
    cdf[i] = c;
    y[i] = x[i] * c;
  }
}

SANN_CLONES
void sann_bias_gelu(float *restrict x, const float *restrict bias, ptrdiff_t rows, ptrdiff_t cols) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    float *restrict row = x + r * cols;
    for (ptrdiff_t j = 0; j < cols; j++) {
      float v = row[j] + bias[j];
      row[j] = v * vector_normal_cdf(v);
    }
  }
}

SANN_CLONES
void sann_bias_relu(float *restrict x, const float *restrict bias, ptrdiff_t rows, ptrdiff_t cols) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    float *restrict row = x + r * cols;
    for (ptrdiff_t j = 0; j < cols; j++) {
      float v = row[j] + bias[j];
      row[j] = v < 0.0f ? 0.0f : v;
    }
  }
}

SANN_CLONES
void sann_per_instance_linear(const float *restrict x, const float *restrict w,
                              float *restrict out, ptrdiff_t rows, ptrdiff_t features,
                              ptrdiff_t outputs) {
  ptrdiff_t stride = (features + 1) * outputs;
  for (ptrdiff_t r = 0; r < rows; r++) {
    const float *restrict xr = x + r * features;
    const float *restrict wr = w + r * stride;
    float *restrict o = out + r * outputs;
    for (ptrdiff_t c = 0; c < outputs; c++) o[c] = 0.0f;
    for (ptrdiff_t j = 0; j <= features; j++) {
      float xj = j < features ? xr[j] : 1.0f;
      const float *restrict wj = wr + j * outputs;
      for (ptrdiff_t c = 0; c < outputs; c++) o[c] += xj * wj[c];
    }
  }
}

SANN_CLONES
void sann_gelu_backward(const float *restrict x, const float *restrict cdf,
                        const float *restrict grad, float *restrict dx, ptrdiff_t n) {
  for (ptrdiff_t i = 0; i < n; i++) {
    float xi = x[i];
    dx[i] = grad[i] * (cdf[i] + xi * 0.39894228f * vector_exp(-0.5f * xi * xi));
  }
}

// Batch norm's mean, biased variance and 1/√(variance + ε) per column, summed in row order
// without contraction (mean and variance zero on entry).
static inline void batch_norm_statistics(const float *restrict x, ptrdiff_t n, ptrdiff_t c, float epsilon,
                                         float *restrict mean, float *restrict variance, float *restrict inv_std) {
#pragma clang fp contract(off)
  const float count = (float)n;
  for (ptrdiff_t r = 0; r < n; r++) {
    const float *restrict row = x + r * c;
    for (ptrdiff_t j = 0; j < c; j++) mean[j] += row[j];
  }
  for (ptrdiff_t j = 0; j < c; j++) mean[j] /= count;
  for (ptrdiff_t r = 0; r < n; r++) {
    const float *restrict row = x + r * c;
    for (ptrdiff_t j = 0; j < c; j++) {
      float d = row[j] - mean[j];
      variance[j] += d * d;
    }
  }
  for (ptrdiff_t j = 0; j < c; j++) {
    variance[j] /= count;
    inv_std[j] = 1.0f / SANN_SQRT(variance[j] + epsilon);
  }
}

SANN_CLONES
void sann_batch_norm_forward(const float *restrict x, ptrdiff_t n, ptrdiff_t c,
                             const float *restrict gamma, const float *restrict beta, float epsilon,
                             float *restrict mean, float *restrict variance, float *restrict inv_std,
                             float *restrict xhat, float *restrict out) {
#pragma clang fp contract(off)
  batch_norm_statistics(x, n, c, epsilon, mean, variance, inv_std);
  for (ptrdiff_t r = 0; r < n; r++) {
    const float *restrict row = x + r * c;
    float *restrict h = xhat + r * c;
    float *restrict o = out + r * c;
    for (ptrdiff_t j = 0; j < c; j++) {
      float v = (row[j] - mean[j]) * inv_std[j];
      h[j] = v;
      o[j] = v * gamma[j] + beta[j];
    }
  }
}

// Batch norm's backward sums over one row, sum_g += g and sum_gx += g·x̂, without contraction.
static inline void batch_norm_sums_row(const float *restrict gr, const float *restrict hr, ptrdiff_t c,
                                       float *restrict sum_g, float *restrict sum_gx) {
#pragma clang fp contract(off)
  for (ptrdiff_t j = 0; j < c; j++) {
    sum_g[j] += gr[j];
    sum_gx[j] += gr[j] * hr[j];
  }
}

// Batch norm's dx = scale·(n·g − sum_g − x̂·sum_gx) over `rows` rows, without contraction; g and
// dx may be the same buffer.
static inline void batch_norm_dx(const float *g, const float *restrict xhat, ptrdiff_t rows, ptrdiff_t c, ptrdiff_t n,
                                 const float *restrict scale, const float *restrict sum_g,
                                 const float *restrict sum_gx, float *dx) {
#pragma clang fp contract(off)
  const float count = (float)n;
  for (ptrdiff_t r = 0; r < rows; r++) {
    const float *gr = g + r * c;
    const float *restrict hr = xhat + r * c;
    float *d = dx + r * c;
    // In place (d = gr) each value is read before it is written: safe to vectorise, which the
    // compiler's overlap check would otherwise refuse.
#pragma clang loop vectorize(assume_safety)
    for (ptrdiff_t j = 0; j < c; j++) d[j] = scale[j] * (count * gr[j] - sum_g[j] - hr[j] * sum_gx[j]);
  }
}

SANN_CLONES
void sann_batch_norm_backward(const float *restrict g, const float *restrict xhat, ptrdiff_t n, ptrdiff_t c,
                              const float *restrict scale, float *restrict sum_g, float *restrict sum_gx,
                              float *restrict dx) {
  for (ptrdiff_t r = 0; r < n; r++) batch_norm_sums_row(g + r * c, xhat + r * c, c, sum_g, sum_gx);
  if (dx != NULL) batch_norm_dx(g, xhat, n, c, n, scale, sum_g, sum_gx, dx);
}

int sann_retain_freed_heap(size_t trim, size_t pad, size_t map) {
#if defined(__GLIBC__)
  return mallopt(M_TRIM_THRESHOLD, (int)trim) && mallopt(M_TOP_PAD, (int)pad) && mallopt(M_MMAP_THRESHOLD, (int)map);
#else
  (void)trim;
  (void)pad;
  (void)map;
  return 0;
#endif
}

SANN_CLONES
void sann_sum_middle_axis(const float *restrict src, ptrdiff_t outer, ptrdiff_t reduced, ptrdiff_t inner,
                          float *restrict dst) {
  for (ptrdiff_t o = 0; o < outer; o++) {
    float *restrict d = dst + o * inner;
    for (ptrdiff_t i = 0; i < inner; i++) d[i] = 0.0f;
    for (ptrdiff_t r = 0; r < reduced; r++) {
      const float *restrict s = src + (o * reduced + r) * inner;
      for (ptrdiff_t i = 0; i < inner; i++) d[i] += s[i];
    }
  }
}

// INN's per-instance linear map. Every output is the plain loop's sum, Σ over the inputs in
// order starting from 0 with each product rounded (no contraction), so the values are the same
// bits as `o[c] += x·w[c]` one value at a time; what changes is how many sums run at once. With
// k ≤ 16 outputs a row's k sums sit in the lanes of one 16-float vector and four rows run
// together (the one-at-a-time loop was a chain of dependent adds through memory: 7.8 µs for a
// 64 × 28 × 7 batch); with one output eight rows' sums run together. A 16-float load reads past
// a row's k weights into the next row's, which are finite and land in lanes that are dropped;
// rows whose loads would pass the end of the buffer take the plain loop.
typedef float sann_v16 __attribute__((ext_vector_type(16)));
typedef float sann_v8 __attribute__((ext_vector_type(8)));

// Macros, not functions: a vector crossing a call would change the ABI between the target clones.
#define SANN_LOAD(type, p)                                                                         \
  ({                                                                                               \
    type loaded_;                                                                                  \
    memcpy(&loaded_, (p), sizeof loaded_);                                                         \
    loaded_;                                                                                       \
  })

static inline void sann_per_instance_row(const float *restrict xr, const float *restrict wr, float *restrict o,
                                         ptrdiff_t j, ptrdiff_t k) {
#pragma clang fp contract(off)
  for (ptrdiff_t c = 0; c < k; c++) o[c] = 0.0f;
  for (ptrdiff_t col = 0; col < j; col++) {
    const float scale = xr[col];
    const float *restrict wc = wr + col * k;
    for (ptrdiff_t c = 0; c < k; c++) o[c] += scale * wc[c];
  }
}

// Rows r, r+1, … (four at a time) whose loads of `width` floats stay inside the buffer: row
// r+3's last load ends at ((r+4)·j − 1)·k + width. Leaves r at the first row not done.
#define SANN_PER_INSTANCE_FORWARD(type, width)                                                     \
  for (; r + 4 <= rows && ((r + 4) * j - 1) * k + (width) <= rows * j * k; r += 4) {               \
    type a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;                                               \
    const float *x0 = xt + r * j, *w0 = w + r * j * k;                                             \
    for (ptrdiff_t col = 0; col < j; col++) {                                                      \
      a0 += (type)x0[col] * SANN_LOAD(type, w0 + col * k);                                         \
      a1 += (type)x0[j + col] * SANN_LOAD(type, w0 + (j + col) * k);                               \
      a2 += (type)x0[2 * j + col] * SANN_LOAD(type, w0 + (2 * j + col) * k);                       \
      a3 += (type)x0[3 * j + col] * SANN_LOAD(type, w0 + (3 * j + col) * k);                       \
    }                                                                                              \
    float lanes[4][width];                                                                         \
    memcpy(lanes[0], &a0, sizeof a0);                                                              \
    memcpy(lanes[1], &a1, sizeof a1);                                                              \
    memcpy(lanes[2], &a2, sizeof a2);                                                              \
    memcpy(lanes[3], &a3, sizeof a3);                                                              \
    for (int q = 0; q < 4; q++)                                                                    \
      for (ptrdiff_t c = 0; c < k; c++) out[(r + q) * k + c] = lanes[q][c];                        \
  }

SANN_CLONES
void sann_per_instance_linear_forward(const float *restrict xt, const float *restrict w, float *restrict out,
                                      ptrdiff_t rows, ptrdiff_t j, ptrdiff_t k) {
#pragma clang fp contract(off)
  ptrdiff_t r = 0;
  if (k == 1) {
    for (; r + 8 <= rows; r += 8) {
      float acc[8] = {0};
      for (ptrdiff_t col = 0; col < j; col++)
        for (int q = 0; q < 8; q++) acc[q] += xt[(r + q) * j + col] * w[(r + q) * j + col];
      for (int q = 0; q < 8; q++) out[r + q] = acc[q];
    }
  } else if (k <= 8) {
    SANN_PER_INSTANCE_FORWARD(sann_v8, 8)
  } else if (k <= 16) {
    SANN_PER_INSTANCE_FORWARD(sann_v16, 16)
  }
  for (; r < rows; r++) sann_per_instance_row(xt + r * j, w + r * j * k, out + r * k, j, k);
}

// Each store of `width` floats writes a (row, input)'s k values and garbage past them, which the
// next store (ascending) overwrites; stores that would pass the end write k values only.
#define SANN_PER_INSTANCE_DW(type, width)                                                          \
  for (ptrdiff_t r = 0; r < rows; r++) {                                                           \
    float padded[width] = {0};                                                                     \
    memcpy(padded, g + r * k, (size_t)k * sizeof(float));                                          \
    const type gv = SANN_LOAD(type, padded);                                                       \
    for (ptrdiff_t col = 0; col < j; col++) {                                                      \
      const ptrdiff_t at = (r * j + col) * k;                                                      \
      const type v = (type)xt[r * j + col] * gv;                                                   \
      if (at + (width) <= rows * j * k) {                                                          \
        memcpy(dw + at, &v, sizeof v);                                                             \
      } else {                                                                                     \
        float lanes[width];                                                                        \
        memcpy(lanes, &v, sizeof v);                                                               \
        for (ptrdiff_t c = 0; c < k; c++) dw[at + c] = lanes[c];                                   \
      }                                                                                            \
    }                                                                                              \
  }

SANN_CLONES
void sann_per_instance_linear_backward(const float *restrict xt, const float *restrict w, const float *restrict g,
                                       float *restrict dx, float *restrict dw, ptrdiff_t rows, ptrdiff_t j, ptrdiff_t k) {
#pragma clang fp contract(off)
  if (dx != NULL) {
    for (ptrdiff_t r = 0; r < rows; r++) {
      const float *restrict gr = g + r * k;
      for (ptrdiff_t col = 0; col < j; col++) {
        const float *restrict wr = w + (r * j + col) * k;
        float s = 0.0f;
        for (ptrdiff_t c = 0; c < k; c++) s += wr[c] * gr[c];
        dx[r * j + col] = s;
      }
    }
  }
  if (dw == NULL) return;
  if (k == 1) {
    for (ptrdiff_t r = 0; r < rows; r++) {
      const float scale = g[r];
      for (ptrdiff_t col = 0; col < j; col++) dw[r * j + col] = xt[r * j + col] * scale;
    }
  } else if (k <= 8) {
    SANN_PER_INSTANCE_DW(sann_v8, 8)
  } else if (k <= 16) {
    SANN_PER_INSTANCE_DW(sann_v16, 16)
  } else {
    for (ptrdiff_t r = 0; r < rows; r++) {
      const float *restrict gr = g + r * k;
      for (ptrdiff_t col = 0; col < j; col++) {
        const float scale = xt[r * j + col];
        float *restrict d = dw + (r * j + col) * k;
        for (ptrdiff_t c = 0; c < k; c++) d[c] = scale * gr[c];
      }
    }
  }
}

// 8 × 8 blocks through registers (three rounds of shuffles), the edges one value at a time.
SANN_CLONES
void sann_transpose(const float *restrict src, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ls,
                    float *restrict dst, ptrdiff_t ld) {
  ptrdiff_t r = 0;
  for (; r + 8 <= rows; r += 8) {
    ptrdiff_t c = 0;
    for (; c + 8 <= cols; c += 8) {
      const float *s = src + r * ls + c;
      const sann_v8 r0 = SANN_LOAD(sann_v8, s), r1 = SANN_LOAD(sann_v8, s + ls);
      const sann_v8 r2 = SANN_LOAD(sann_v8, s + 2 * ls), r3 = SANN_LOAD(sann_v8, s + 3 * ls);
      const sann_v8 r4 = SANN_LOAD(sann_v8, s + 4 * ls), r5 = SANN_LOAD(sann_v8, s + 5 * ls);
      const sann_v8 r6 = SANN_LOAD(sann_v8, s + 6 * ls), r7 = SANN_LOAD(sann_v8, s + 7 * ls);
      sann_v8 t0 = __builtin_shufflevector(r0, r1, 0, 8, 1, 9, 4, 12, 5, 13);
      sann_v8 t1 = __builtin_shufflevector(r0, r1, 2, 10, 3, 11, 6, 14, 7, 15);
      sann_v8 t2 = __builtin_shufflevector(r2, r3, 0, 8, 1, 9, 4, 12, 5, 13);
      sann_v8 t3 = __builtin_shufflevector(r2, r3, 2, 10, 3, 11, 6, 14, 7, 15);
      sann_v8 t4 = __builtin_shufflevector(r4, r5, 0, 8, 1, 9, 4, 12, 5, 13);
      sann_v8 t5 = __builtin_shufflevector(r4, r5, 2, 10, 3, 11, 6, 14, 7, 15);
      sann_v8 t6 = __builtin_shufflevector(r6, r7, 0, 8, 1, 9, 4, 12, 5, 13);
      sann_v8 t7 = __builtin_shufflevector(r6, r7, 2, 10, 3, 11, 6, 14, 7, 15);
      sann_v8 u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
      sann_v8 u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
      sann_v8 u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
      sann_v8 u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
      sann_v8 u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
      sann_v8 u5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
      sann_v8 u6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
      sann_v8 u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
      sann_v8 o[8] = {
        __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11),
        __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11),
        __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11),
        __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11),
        __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15),
        __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15),
        __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15),
        __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15)};
      float *d = dst + c * ld + r;
      for (int q = 0; q < 8; q++) memcpy(d + q * ld, &o[q], sizeof o[q]);
    }
    for (; c < cols; c++)
      for (ptrdiff_t q = 0; q < 8; q++) dst[c * ld + r + q] = src[(r + q) * ls + c];
  }
  for (; r < rows; r++)
    for (ptrdiff_t c = 0; c < cols; c++) dst[c * ld + r] = src[r * ls + c];
}

SANN_CLONES
void sann_bias_add_strided(float *restrict x, const float *restrict bias, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ld) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    float *restrict row = x + r * ld;
    if (bias != NULL) {
      for (ptrdiff_t j = 0; j < cols; j++) row[j] += bias[j];
    } else {
      for (ptrdiff_t j = 0; j < cols; j++) row[j] += 0.0f;
    }
  }
}

// NAM's exp-centred unit (Tensor.exu): the bits of ((x − b)·s).clamped(0, 1) and of its
// gradients as the composed tape operations compute them: each difference and product rounded,
// the sums over rows (∂b, ∂s) and over units (∂x) in order from +0, without contraction.
SANN_CLONES
void sann_exu_forward(const float *restrict x, const float *restrict bias, const float *restrict scale,
                      ptrdiff_t d, ptrdiff_t n, ptrdiff_t h, float *restrict centred, float *restrict out) {
#pragma clang fp contract(off)
  for (ptrdiff_t j = 0; j < d; j++) {
    const float *restrict b = bias + j * h;
    const float *restrict s = scale + j * h;
    for (ptrdiff_t r = 0; r < n; r++) {
      const float v = x[j * n + r];
      float *restrict c = centred + (j * n + r) * h;
      float *restrict o = out + (j * n + r) * h;
      for (ptrdiff_t k = 0; k < h; k++) {
        const float difference = v - b[k];
        const float product = difference * s[k];
        // Swift.min(Swift.max(p, 0), 1): Swift.max(p, 0) is 0 when 0 ≥ p (so −0 becomes +0),
        // Swift.min(·, 1) is 1 when 1 < it.
        const float low = 0.0f >= product ? 0.0f : product;
        c[k] = difference;
        o[k] = low > 1.0f ? 1.0f : low;
      }
    }
  }
}

SANN_CLONES
void sann_exu_backward(const float *restrict g, const float *restrict centred, const float *restrict scale,
                       ptrdiff_t d, ptrdiff_t n, ptrdiff_t h, float *restrict dx, float *restrict dbias,
                       float *restrict dscale) {
#pragma clang fp contract(off)
  // Over one row (or one unit) the tape's reduction leaves the axis alone: the sum is the value
  // itself, −0 included, where a sum from +0 would give +0.
  const int one_row = n == 1;
  for (ptrdiff_t j = 0; j < d; j++) {
    const float *restrict s = scale + j * h;
    float *restrict db = dbias != NULL ? dbias + j * h : NULL;
    float *restrict ds = dscale != NULL ? dscale + j * h : NULL;
    if (db != NULL) for (ptrdiff_t k = 0; k < h; k++) db[k] = 0.0f;
    if (ds != NULL) for (ptrdiff_t k = 0; k < h; k++) ds[k] = 0.0f;
    for (ptrdiff_t r = 0; r < n; r++) {
      const float *restrict gr = g + (j * n + r) * h;
      const float *restrict c = centred + (j * n + r) * h;
      if (ds != NULL) {
        for (ptrdiff_t k = 0; k < h; k++) {
          const float product = c[k] * s[k];
          const float passed = (product >= 0.0f && product <= 1.0f) ? gr[k] : 0.0f;
          const float term = passed * c[k];
          ds[k] = one_row ? term : ds[k] + term;
        }
      }
      if (db != NULL) {
        for (ptrdiff_t k = 0; k < h; k++) {
          const float product = c[k] * s[k];
          const float passed = (product >= 0.0f && product <= 1.0f) ? gr[k] : 0.0f;
          const float term = -(passed * s[k]);
          db[k] = one_row ? term : db[k] + term;
        }
      }
      if (dx != NULL) {
        float sum = 0.0f;
        for (ptrdiff_t k = 0; k < h; k++) {
          const float product = c[k] * s[k];
          const float passed = (product >= 0.0f && product <= 1.0f) ? gr[k] : 0.0f;
          const float term = passed * s[k];
          sum = h == 1 ? term : sum + term;
        }
        dx[j * n + r] = sum;
      }
    }
  }
}

// One xoshiro256** step (RandomGenerator.next()).
static inline uint64_t xoshiro_next(uint64_t *restrict s) {
  const uint64_t product = s[1] * 5;
  const uint64_t result = ((product << 7) | (product >> 57)) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return result;
}

void sann_dropout_mask(uint64_t *restrict state, float *restrict out, ptrdiff_t count, uint64_t threshold, float keep) {
  uint64_t s[4] = {state[0], state[1], state[2], state[3]};
  uint32_t kept;
  memcpy(&kept, &keep, sizeof kept);
  for (ptrdiff_t i = 0; i < count; i++) {
    // All ones when the draw is at or above the threshold, else 0: a select without a branch,
    // which a random draw against p would mispredict about min(p, 1 − p) of the time.
    const uint32_t survives = (uint32_t)0 - (uint32_t)((xoshiro_next(s) >> 40) >= threshold);
    const uint32_t bits = kept & survives;
    memcpy(out + i, &bits, sizeof bits);
  }
  state[0] = s[0];
  state[1] = s[1];
  state[2] = s[2];
  state[3] = s[3];
}

// MARK: - GELU(BatchNorm(x)) in one operation
//
// The values are those of sann_batch_norm_forward followed by sann_gelu_forward, and of
// sann_gelu_backward followed by sann_batch_norm_backward: the BatchNorm parts without
// contraction, as there, and GELU's with clang's default contraction inside one expression, as
// in sann_gelu_forward/backward, each expression written as there. The BatchNorm output
// z = x̂·γ + β is not kept: the backward pass recomputes it from x̂, with the same rounding.

SANN_CLONES
void sann_batch_norm_statistics(const float *restrict x, ptrdiff_t n, ptrdiff_t c, float epsilon,
                                float *restrict mean, float *restrict variance, float *restrict inv_std) {
  batch_norm_statistics(x, n, c, epsilon, mean, variance, inv_std);
}

SANN_CLONES
void sann_batch_norm_gelu_rows(const float *restrict x, const float *restrict residual, ptrdiff_t rows, ptrdiff_t c,
                               const float *restrict mean, const float *restrict inv_std, const float *restrict gamma,
                               const float *restrict beta, float *restrict xhat, float *restrict cdf, float *restrict out) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    const float *restrict xr = x + r * c;
    float *restrict hr = xhat + r * c, *restrict cr = cdf + r * c, *restrict o = out + r * c;
    // Separate statements: no contraction across them (BatchNorm's rounding, then the sum).
#define SANN_NORMALISED                                                                            \
  const float centred = xr[j] - mean[j];                                                           \
  const float v = centred * inv_std[j];                                                            \
  const float scaled = v * gamma[j];                                                               \
  const float z = scaled + beta[j];                                                                \
  hr[j] = v;
    if (residual == NULL) {
      for (ptrdiff_t j = 0; j < c; j++) {
        SANN_NORMALISED
        const float phi = vector_normal_cdf(z);
        cr[j] = phi;
        o[j] = z * phi;
      }
    } else {
      const float *restrict rr = residual + r * c;
      for (ptrdiff_t j = 0; j < c; j++) {
        SANN_NORMALISED
        const float u = rr[j] + z;
        const float phi = vector_normal_cdf(u);
        cr[j] = phi;
        o[j] = u * phi;
      }
    }
#undef SANN_NORMALISED
  }
}

SANN_CLONES
void sann_batch_norm_gelu_backward_rows(const float *restrict g, const float *restrict xhat, const float *restrict cdf,
                                        const float *restrict residual, ptrdiff_t rows, ptrdiff_t c,
                                        const float *restrict gamma, const float *restrict beta, float *restrict dz,
                                        float *restrict sum_g, float *restrict sum_gx) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    const float *restrict gr = g + r * c, *restrict hr = xhat + r * c, *restrict cr = cdf + r * c;
    float *restrict d = dz + r * c;
    if (residual == NULL) {
      for (ptrdiff_t j = 0; j < c; j++) {
        const float scaled = hr[j] * gamma[j];
        const float xi = scaled + beta[j];
        d[j] = gr[j] * (cr[j] + xi * 0.39894228f * vector_exp(-0.5f * xi * xi));
      }
    } else {
      const float *restrict rr = residual + r * c;
      for (ptrdiff_t j = 0; j < c; j++) {
        const float scaled = hr[j] * gamma[j];
        const float z = scaled + beta[j];
        const float xi = rr[j] + z;
        d[j] = gr[j] * (cr[j] + xi * 0.39894228f * vector_exp(-0.5f * xi * xi));
      }
    }
    if (sum_g != NULL) batch_norm_sums_row(d, hr, c, sum_g, sum_gx);  // sann_batch_norm_backward's sums
  }
}

SANN_CLONES
void sann_batch_norm_dx_rows(const float *g, const float *restrict xhat, ptrdiff_t rows, ptrdiff_t c,
                             ptrdiff_t n, const float *restrict scale, const float *restrict sum_g,
                             const float *restrict sum_gx, float *dx) {
  batch_norm_dx(g, xhat, rows, c, n, scale, sum_g, sum_gx, dx);
}
