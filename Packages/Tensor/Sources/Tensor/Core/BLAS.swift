import COpenBLAS
import Synchronization

/// The OpenBLAS library behind `matmul` and `linear`.
public enum BLAS {
  /// The number of threads OpenBLAS uses for one product. Networks for tabular data multiply
  /// small matrices, where waking a second thread costs more than it saves: the `sann` tool
  /// sets 1 unless `OPENBLAS_NUM_THREADS` is set (run several seeds in parallel instead).
  public static var threadCount: Int {
    get { Int(openblas_get_num_threads()) }
    set { openblas_set_num_threads(Int32(Swift.max(newValue, 1))) }
  }

  /// Whether the small products of a training step (m·n·k up to 128·256·256) go through
  /// libxsmm's single-threaded JIT kernels rather than OpenBLAS: A·B and Aᵀ·B of the backward
  /// pass, and `Tensor.linear`'s x·Wᵀ + b for 64–128 rows and at least 19 outputs, where they
  /// give OpenBLAS's bits (`affineColumnsApply`). Faster when OpenBLAS runs one thread (the
  /// `sann` tool sets both), slower than two OpenBLAS threads.
  /// A setting of its own, not derived from ``threadCount``, so a temporarily single-threaded
  /// scope elsewhere never switches a running training between libraries; results are
  /// deterministic for fixed settings (on the shapes measured both libraries give the same bits).
  public static var smallProductKernels: Bool {
    get { smallProductSetting.load(ordering: .relaxed) }
    set { smallProductSetting.store(newValue, ordering: .relaxed) }
  }

  private static let smallProductSetting = Atomic<Bool>(false)
}
