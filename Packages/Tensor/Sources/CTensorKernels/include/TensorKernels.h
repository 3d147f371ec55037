// Element-wise kernels of the Tensor package that the Swift compiler does not vectorise:
// written in C with restrict pointers so clang vectorises them, and compiled for x86-64-v4 and
// x86-64-v3 as well as baseline x86-64 (v4 = AVX-512, v3 = AVX2+FMA; the loader picks the best
// clone the CPU supports, and v4 and v3 give the same bits).
#ifndef SANNKIT_TENSOR_KERNELS_H
#define SANNKIT_TENSOR_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// One Adam/AdamW step over n values (see Adam.swift for the formula).
void sann_adam_update(float *restrict value, const float *restrict grad, float *restrict m,
                      float *restrict v, ptrdiff_t n, float beta1, float beta2, float step_size,
                      float inverse_correction2_root, float epsilon, float coupled_decay,
                      float shrink);

/// y = x·Φ(x) and Φ(x) for n values.
void sann_gelu_forward(const float *restrict x, float *restrict y, float *restrict cdf, ptrdiff_t n);

/// dx = g·(Φ(x) + x·φ(x)) for n values, given Φ(x) from the forward pass.
void sann_gelu_backward(const float *restrict x, const float *restrict cdf,
                        const float *restrict grad, float *restrict dx, ptrdiff_t n);

/// x[r,j] ← GELU(x[r,j] + bias[j]) in place, for a row-major rows × cols matrix (the
/// epilogue of an affine map followed by GELU; the same GELU as sann_gelu_forward).
void sann_bias_gelu(float *restrict x, const float *restrict bias, ptrdiff_t rows, ptrdiff_t cols);

/// x[r,j] ← max(x[r,j] + bias[j], 0) in place, for a row-major rows × cols matrix (the
/// epilogue of an affine map followed by ReLU; NaN stays NaN, as in Tensor.relu()).
void sann_bias_relu(float *restrict x, const float *restrict bias, ptrdiff_t rows, ptrdiff_t cols);

/// INN's per-instance linear map, out[r,c] = Σ_{j≤F} x̃[r,j]·w[r,j,c] with x̃ = [x, 1],
/// x [rows, F], w [rows, F+1, C], accumulated over j = 0…F in order (as Tensor.perInstanceLinear).
void sann_per_instance_linear(const float *restrict x, const float *restrict w,
                              float *restrict out, ptrdiff_t rows, ptrdiff_t features,
                              ptrdiff_t outputs);

/// Batch norm over the rows of x [n, c] with batch statistics: mean, biased variance,
/// inv_std = 1/√(variance + ε), x̂ = (x − mean)·inv_std and out = x̂·γ + β, every sum in row
/// order and without fused multiply-adds, so the values equal the plain loops bit for bit.
/// mean and variance must hold zeros on entry.
void sann_batch_norm_forward(const float *restrict x, ptrdiff_t n, ptrdiff_t c,
                             const float *restrict gamma, const float *restrict beta, float epsilon,
                             float *restrict mean, float *restrict variance, float *restrict inv_std,
                             float *restrict xhat, float *restrict out);

/// The batch-norm backward pass: sum_g[j] = Σᵣ g[r,j], sum_gx[j] = Σᵣ g[r,j]·x̂[r,j] (both zero on
/// entry) and, when dx is not NULL, dx[r,j] = scale[j]·(n·g[r,j] − sum_g[j] − x̂[r,j]·sum_gx[j])
/// with scale[j] = γ[j]·inv_std[j]/n; in the plain loops' order, without fused multiply-adds.
void sann_batch_norm_backward(const float *restrict g, const float *restrict xhat, ptrdiff_t n, ptrdiff_t c,
                              const float *restrict scale, float *restrict sum_g, float *restrict sum_gx,
                              float *restrict dx);

/// Tensor.perInstanceLinear's forward: out[r,c] = Σⱼ x̃[r,j]·w[r,j,c] over j = 0…J−1 in order, from 0,
/// x̃ [rows, J], w [rows, J, K]; without fused multiply-adds (the plain loop's values).
void sann_per_instance_linear_forward(const float *restrict xt, const float *restrict w, float *restrict out,
                                      ptrdiff_t rows, ptrdiff_t j, ptrdiff_t k);

/// Its backward: dx[r,j] = Σ_c w[r,j,c]·g[r,c] (c in order, from 0) and dw[r,j,c] = x̃[r,j]·g[r,c];
/// either output may be NULL. Without fused multiply-adds.
void sann_per_instance_linear_backward(const float *restrict xt, const float *restrict w, const float *restrict g,
                                       float *restrict dx, float *restrict dw, ptrdiff_t rows, ptrdiff_t j, ptrdiff_t k);

/// dst[o, i] = Σᵣ src[o, r, i] over r = 0…reduced−1 in order, from 0, for src [outer, reduced, inner]
/// (sums over middle or leading axes: a bias gradient); the plain loop's values, vectorised over i.
void sann_sum_middle_axis(const float *restrict src, ptrdiff_t outer, ptrdiff_t reduced, ptrdiff_t inner,
                          float *restrict dst);

/// NAM's exp-centred unit, forward: for x [d, n] (one value per feature and row) and bias and
/// scale [d, h], centred[j,r,k] = x[j,r] − bias[j,k] and out[j,r,k] = min(max(centred·scale[j,k],
/// 0), 1), each operation rounded (no contraction).
void sann_exu_forward(const float *restrict x, const float *restrict bias, const float *restrict scale,
                      ptrdiff_t d, ptrdiff_t n, ptrdiff_t h, float *restrict centred, float *restrict out);

/// Its backward pass: with p = centred·scale and q = g where 0 ≤ p ≤ 1 (else 0), any of
/// dscale[j,k] = Σᵣ q·centred, dbias[j,k] = Σᵣ −(q·scale) and dx[j,r] = Σₖ q·scale that is not
/// NULL, each sum in order from +0, except that a sum of one value is that value (−0 stays −0),
/// as the tape's reductions leave an axis of extent 1 alone.
void sann_exu_backward(const float *restrict g, const float *restrict centred, const float *restrict scale,
                       ptrdiff_t d, ptrdiff_t n, ptrdiff_t h, float *restrict dx, float *restrict dbias,
                       float *restrict dscale);

/// GELU(BatchNorm(x)) over x [n, c] in one operation, or GELU(residual + BatchNorm(x)) (a
/// residual block's end), with the values of sann_batch_norm_forward, the sum and
/// sann_gelu_forward in turn, and of sann_gelu_backward and sann_batch_norm_backward. First the
/// statistics (mean and variance zero on entry), as sann_batch_norm_forward computes them:
void sann_batch_norm_statistics(const float *restrict x, ptrdiff_t n, ptrdiff_t c, float epsilon,
                                float *restrict mean, float *restrict variance, float *restrict inv_std);
/// then, for a block of rows, x̂ = (x − mean)·inv_std, z = x̂·γ + β, u = residual + z (u = z when
/// residual is NULL), cdf = Φ(u) and out = u·Φ(u);
void sann_batch_norm_gelu_rows(const float *restrict x, const float *restrict residual, ptrdiff_t rows, ptrdiff_t c,
                               const float *restrict mean, const float *restrict inv_std, const float *restrict gamma,
                               const float *restrict beta, float *restrict xhat, float *restrict cdf, float *restrict out);
/// backward, for a block of rows: dz = g·(Φ(u) + u·φ(u)) with u recomputed from x̂ and the residual
/// (GELU's part; also the residual's gradient), and, unless sum_g is NULL,
/// sann_batch_norm_backward's sums of dz and dz·x̂ added row by row (so over all n rows from zero,
/// in blocks taken in order, they are its sums);
void sann_batch_norm_gelu_backward_rows(const float *restrict g, const float *restrict xhat, const float *restrict cdf,
                                        const float *restrict residual, ptrdiff_t rows, ptrdiff_t c,
                                        const float *restrict gamma, const float *restrict beta, float *restrict dz,
                                        float *restrict sum_g, float *restrict sum_gx);
/// then, for a block of rows, sann_batch_norm_backward's dx = scale·(n·dz − sum_g − x̂·sum_gx);
/// g and dx may be the same buffer.
void sann_batch_norm_dx_rows(const float *g, const float *restrict xhat, ptrdiff_t rows, ptrdiff_t c,
                             ptrdiff_t n, const float *restrict scale, const float *restrict sum_g,
                             const float *restrict sum_gx, float *dx);

/// An inverted-dropout mask from the xoshiro256** generator whose state (s0…s3) is `state`:
/// out[i] = 0 when the top 24 bits of the i-th draw are below `threshold`, else `keep`, one draw
/// per value in order; `state` is left after the last draw. With threshold = ⌈p·2²⁴⌉ that is
/// RandomGenerator.nextUniform() < p, value for value.
void sann_dropout_mask(uint64_t *restrict state, float *restrict out, ptrdiff_t count, uint64_t threshold, float keep);

/// glibc's mallopt(M_TRIM_THRESHOLD, trim), mallopt(M_TOP_PAD, pad) and
/// mallopt(M_MMAP_THRESHOLD, map): how much freed heap malloc keeps instead of returning it to
/// the OS, and from what size on it maps a block of its own, in that order. Returns 0 where
/// unavailable (not glibc) or when one is refused (those before it stay applied).
int sann_retain_freed_heap(size_t trim, size_t pad, size_t map);

/// One part of an operation split in two: called with part 0 and part 1.
typedef void (*sann_part_function)(void *context, ptrdiff_t part);

/// How many threads sann_run_two_parts uses: 1 (the default: both parts on the caller) or 2.
void sann_set_thread_count(int count);
int sann_thread_count(void);

/// Runs function(context, 0) on the calling thread and function(context, 1) on a helper thread
/// (started on first use; it spins between parts and sleeps after 2 ms without work), and
/// returns when both are done. Runs both parts on the caller when the thread count is 1, when
/// another thread is using the helper, or when the helper has not picked part 1 up by the
/// time part 0 is done. Which thread runs a part never changes what the parts compute.
void sann_run_two_parts(sann_part_function function, void *context);

/// One parameter tensor of a detached Adam step (sann_adam_start): the arguments of
/// sann_adam_update, and a count of pending updates that the step decrements (release) once
/// these values are updated.
typedef struct {
  float *value;
  const float *grad;
  float *m;
  float *v;
  ptrdiff_t count;
  float step_size, inverse_correction2_root, coupled_decay, shrink;
  int *pending;
} sann_adam_item;

/// An Adam step over several parameter tensors, in order.
typedef struct {
  const sann_adam_item *items;
  ptrdiff_t count;
  float beta1, beta2, epsilon;
} sann_adam_job;

/// Runs the step: on the helper thread while the caller goes on when the thread count is 2 and
/// the helper is free (returns 1), else here before returning (returns 0). Either way each
/// item's count, which the caller increments first, drops by one once that item is updated;
/// until every count is back to 0 the arrays, the job and its items must stay as they are
/// (sann_await_flag).
int sann_adam_start(const sann_adam_job *job);

/// Returns once *flag is 0 (acquire: the update it guards is visible). While the detached job
/// that will clear it has not been picked up by the helper, runs the job here instead.
void sann_await_flag(const int *flag);

/// Whether *flag is nonzero (acquire).
int sann_flag_is_set(const int *flag);

/// dst[c·ld + r] = src[r·ls + c] for r < rows, c < cols: the transpose of a rows × cols block
/// whose rows are `ls` apart into one whose rows are `ld` apart (a power-of-two `ld` such as 128
/// makes the stores collide in the cache: 4.6 µs for 128 × 128 against 1.6 µs with ld = 144).
void sann_transpose(const float *restrict src, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ls,
                    float *restrict dst, ptrdiff_t ld);

/// x[r·ld + j] ← x[r·ld + j] + bias[j] in place for r < rows, j < cols (ld = cols for a dense
/// matrix, as the epilogue of an affine map); + 0 when bias is NULL (which turns
/// −0 into +0, as adding a zero bias does).
void sann_bias_add_strided(float *restrict x, const float *restrict bias, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ld);

#endif
