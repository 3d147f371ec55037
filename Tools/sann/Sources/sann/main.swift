import Foundation
import SANNCLI
import Tensor

// Small tabular networks are bound by per-call overhead: one BLAS thread is fastest unless
// the user asks otherwise.
if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil {
  BLAS.threadCount = 1
  // With one OpenBLAS thread, libxsmm's kernels are faster for the backward products.
  BLAS.smallProductKernels = true
}
// Training steps free and reallocate the same buffers: keep freed memory for reuse instead of
// returning it to the OS after every step (see Heap).
Heap.retainFreedMemory()
SANN.main()
