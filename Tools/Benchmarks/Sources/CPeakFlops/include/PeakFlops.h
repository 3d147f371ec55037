// The single-precision FLOP/s one core reaches on independent fused multiply-adds: the peak
// that tensor-bench quotes a training step's throughput against.
#ifndef SANNKIT_PEAK_FLOPS_H
#define SANNKIT_PEAK_FLOPS_H

/// Best of five timed runs of 12 independent FMA chains, in GFLOP/s, with the widest vectors the
/// CPU has (AVX-512, else AVX2 + FMA, else SSE multiply and add counted as two).
double sann_bench_peak_gflops(void);

#endif
