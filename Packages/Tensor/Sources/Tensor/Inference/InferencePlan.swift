/// A compiled evaluation-mode forward pass: outputs for many rows at a time, without the
/// autodiff tape, with the model's parameters captured when the plan was built (Models'
/// `TabularModel.inferencePlan()`, or ``SequentialPlan`` for a `Sequential`). Rebuild it
/// after the parameters change.
///
///     let plan = model.inferencePlan()
///     let logits = plan.evaluate(rows, count: n)     // n × outputs values, row-major
///
/// A plan is immutable and may be shared between threads.
public protocol InferencePlan: Sendable {
  var features: Int { get }
  var outputs: Int { get }
  /// Writes the logits of `count` rows (`count × features` values, row-major) into `output`
  /// (`count × outputs` values, row-major), spreading the work over `threads` threads.
  func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>, threads: Int)
}

// MARK: - Arrays

extension InferencePlan {
  /// The logits of `count` rows, `count × outputs` values, row-major.
  ///
  /// `threads` defaults to `BLAS.threadCount`, so the plan uses as many cores as OpenBLAS was
  /// told to (the `sann` tool sets 1 unless `OPENBLAS_NUM_THREADS` is set).
  public func evaluate(_ rows: [Float], count: Int, threads: Int = BLAS.threadCount) -> [Float] {
    precondition(count >= 0 && rows.count == count * features,
      "InferencePlan.evaluate: \(rows.count) values are not \(count) rows of \(features) features")
    return [Float](unsafeUninitializedCapacity: count * outputs) { out, initialized in
      rows.withUnsafeBufferPointer { evaluate($0, count: count, into: out, threads: threads) }
      initialized = count * outputs
    }
  }
}
