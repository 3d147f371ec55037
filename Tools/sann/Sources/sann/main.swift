import Foundation
import SANNCLI
import Tensor

// Small tabular networks are bound by per-call overhead: one BLAS thread is fastest unless
// the user asks otherwise.
if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil {
  BLAS.threadCount = 1
}
SANN.main()
