import COpenBLAS

/// The OpenBLAS library behind `matmul` and `linear`.
public enum BLAS {
  /// The number of threads OpenBLAS uses for one product. Networks for tabular data multiply
  /// small matrices, where waking a second thread costs more than it saves: the `sann` tool
  /// sets 1 unless `OPENBLAS_NUM_THREADS` is set (run several seeds in parallel instead).
  public static var threadCount: Int {
    get { Int(openblas_get_num_threads()) }
    set { openblas_set_num_threads(Int32(Swift.max(newValue, 1))) }
  }
}
