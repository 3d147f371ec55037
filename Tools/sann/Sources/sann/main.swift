import Foundation
import SANNCLI
import Tensor

// Small tabular networks are bound by per-call overhead: one BLAS thread is fastest unless
// the user asks otherwise.
if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil {
  BLAS.threadCount = 1
  // With one OpenBLAS thread, libxsmm's kernels are faster for the products of the tabular
  // models' training steps (`sann train`; README, Performance). Not for the β-hypernetwork's
  // (`sann hypernet train --quick`: 24.9 s against 20.9 s); the other commands' figures (theory
  // checks, XAI-Bench, explainers) were measured with OpenBLAS alone and keep it.
  BLAS.smallProductKernels = CommandLine.arguments.dropFirst().first == "train"
}
// Training steps free and reallocate the same buffers: keep freed memory for reuse instead of
// returning it to the OS after every step (see Heap).
Heap.retainFreedMemory()
SANN.main()
