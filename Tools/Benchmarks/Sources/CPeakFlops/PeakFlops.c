#include "PeakFlops.h"

#include <time.h>

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

// 12 chains of `lanes`-wide FMAs, enough to cover the FMA latency on two pipes.
#define PEAK_BODY(type, lanes)                                                          \
  type chains[12];                                                                      \
  for (int j = 0; j < 12; j++) chains[j] = (type){0} + (float)j;                        \
  type b = (type){0} + 1.0000001f, c = (type){0} + 1e-7f;                              \
  const long rounds = 20000000;                                                         \
  double best = 1e30;                                                                   \
  for (int run = 0; run < 5; run++) {                                                   \
    double start = seconds();                                                           \
    for (long i = 0; i < rounds; i++) {                                                 \
      for (int j = 0; j < 12; j++) chains[j] = __builtin_elementwise_fma(chains[j], b, c); \
      __asm__ volatile("" : "+x"(chains[0]));                                           \
    }                                                                                   \
    double t = seconds() - start;                                                       \
    if (t < best) best = t;                                                             \
  }                                                                                     \
  float sink = 0;                                                                       \
  for (int j = 0; j < 12; j++) sink += chains[j][0];                                    \
  __asm__ volatile("" : : "x"(sink));                                                   \
  return (double)rounds * 12 * lanes * 2 / best / 1e9;

#if defined(__x86_64__)
typedef float v16 __attribute__((ext_vector_type(16)));
typedef float v8 __attribute__((ext_vector_type(8)));

__attribute__((target("avx512f"))) static double peak512(void) { PEAK_BODY(v16, 16) }
__attribute__((target("avx2,fma"))) static double peak256(void) { PEAK_BODY(v8, 8) }

double sann_bench_peak_gflops(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return peak512();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return peak256();
  return 0;
}
#else
double sann_bench_peak_gflops(void) { return 0; }  // measured on x86-64 only
#endif
