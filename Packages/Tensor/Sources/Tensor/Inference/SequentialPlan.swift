/// The compiled evaluation-mode forward of a ``Sequential`` multilayer perceptron: a chain of
/// affine maps, each with a fused epilogue φₖ ∈ {identity, ReLU, GELU},
///
///   h₀ = x,   hₖ = φₖ(hₖ₋₁·Wₖᵀ + bₖ),   y = h_K
///
/// compiled from `Linear`, `Activation` (.relu, .gelu, .identity), `BatchNorm1d` and `Dropout`
/// layers (nested `Sequential`s are flattened). In evaluation mode, BatchNorm is the affine map
/// x ↦ (x − μ)·s + β with s = γ/√(σ² + ε) and the running statistics, so it is folded into the
/// `Linear` before it (`AffineMap(_:followedBy:)`), or, after an activation or at the start,
/// into the `Linear` after it:
///
///   Linear(BN(x)) = x·(W·diag(s))ᵀ + (b + W·(β − μ⊙s))
///
/// Dropout is the identity. See ``init(_:chunkSize:)`` for what is compiled and the errors.
///
///     let plan = try SequentialPlan(mlp)                       // a snapshot of mlp's values
///     let y = plan.evaluate(rows, count: n, threads: 2)       // n × outputs, row-major
///
/// **Snapshot.** The plan copies the parameters and running statistics when it is built; later
/// training, `loadStateDict` or edits do not reach it: build a new plan. It always computes the
/// evaluation-mode forward, whatever the layers' `isTraining` flags. It is immutable and may be
/// shared between threads.
///
/// **Execution.** Rows go through the chain in chunks of ``chunkSize`` so the activations (two
/// buffers of chunkSize × width floats, allocated once per worker and reused) stay in cache
/// between the products, with one `cblas_sgemm` and one fused bias + φ pass per layer and no
/// array allocation per chunk. With `threads` > 1 each worker owns a contiguous share of the
/// rows and its buffers while OpenBLAS runs single-threaded (`BLAS.withSingleThreadedProducts`),
/// as in the INN's `TabResNetPlan`. For a fixed thread count the outputs are reproducible; they
/// match the layers' ordinary forward to float rounding (folding re-associates the products).
///
/// Complexity: 2·Σₖ inₖ·outₖ flops per row in BLAS, plus one pass over each hidden layer.
public struct SequentialPlan: InferencePlan {
  /// One affine map and the non-linearity fused after it.
  public struct Stage: Sendable {
    public let map: AffineMap
    public let epilogue: AffineMap.Epilogue

    public init(map: AffineMap, epilogue: AffineMap.Epilogue) {
      self.map = map
      self.epilogue = epilogue
    }
  }

  /// Rows per chunk: 256 × 128 floats is 128 KiB per buffer (see `TabResNetPlan`).
  public static let defaultChunkSize = 256
  /// Fewer rows than this per thread are not worth a thread.
  public static let minimumRowsPerWorker = 64

  /// The chain, first map first; never empty, and each map's inputs are the previous one's outputs.
  public let stages: [Stage]
  public let chunkSize: Int

  /// A plan from its stages (``init(_:chunkSize:)`` compiles them from a `Sequential`).
  public init(stages: [Stage], chunkSize: Int = Self.defaultChunkSize) {
    precondition(!stages.isEmpty, "SequentialPlan: needs at least one stage")
    precondition(chunkSize > 0, "SequentialPlan: chunkSize \(chunkSize) must be positive")
    for (a, b) in zip(stages, stages.dropFirst()) {
      precondition(a.map.outputs == b.map.inputs,
        "SequentialPlan: a stage with \(b.map.inputs) inputs follows one with \(a.map.outputs) outputs")
    }
    self.stages = stages
    self.chunkSize = chunkSize
  }

  /// The input width (the first layer's inputs).
  public var features: Int { stages[0].map.inputs }
  /// The output width (the last layer's outputs).
  public var outputs: Int { stages[stages.count - 1].map.outputs }

  /// Writes the outputs of `count` rows (`count × features` values, row-major) into `output`
  /// (`count × outputs` values, row-major), spreading the rows over up to `threads` threads
  /// (at least ``minimumRowsPerWorker`` rows each).
  ///
  /// - Precondition: the buffers are large enough and do not overlap.
  public func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>, threads: Int) {
    precondition(count >= 0 && rows.count >= count * features && output.count >= count * outputs,
      "SequentialPlan.evaluate: buffers of \(rows.count) and \(output.count) values are too small for \(count) rows of \(features) features and \(outputs) outputs")
    guard count > 0 else { return }
    let (x, y) = (rows.baseAddress!, output.baseAddress!)
    let (features, outputs, chunkSize) = (features, outputs, chunkSize)
    let width = stages.dropLast().map(\.map.outputs).max() ?? 0
    let workers = Swift.min(Swift.max(threads, 1), (count + Self.minimumRowsPerWorker - 1) / Self.minimumRowsPerWorker)
    let run = {
      RowPartition.concurrentForEach(count: count, workers: workers) { _, range in
        let workspace = InferenceWorkspace(buffers: 2)
        let chunk = Swift.min(chunkSize, range.count)
        let buffers = (workspace.buffer(0, count: chunk * width), workspace.buffer(1, count: chunk * width))
        var start = range.lowerBound
        while start < range.upperBound {
          let n = Swift.min(chunk, range.upperBound - start)
          evaluateChunk(x + start * features, rows: n, into: y + start * outputs, buffers: buffers)
          start += n
        }
      }
    }
    if workers > 1 { BLAS.withSingleThreadedProducts(run) } else { run() }
  }

  /// One chunk of rows: the hidden layers alternate between the two buffers (each holding
  /// rows × the widest hidden layer), the last writes to y.
  private func evaluateChunk(
    _ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>,
    buffers: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
  ) {
    var input = x
    for (k, stage) in stages.enumerated() {
      let target = k == stages.count - 1 ? y : (k % 2 == 0 ? buffers.0 : buffers.1)
      stage.map.apply(input, rows: rows, into: target, then: stage.epilogue)
      input = UnsafePointer(target)
    }
  }
}
