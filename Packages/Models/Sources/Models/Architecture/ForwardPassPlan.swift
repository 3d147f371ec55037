import Tensor

/// The plan of a model without a compiled one: its ordinary forward pass under
/// `withoutGradient`, in evaluation mode, `chunkSize` rows at a time. `threads` is ignored
/// (BLAS parallelises each product as `BLAS.threadCount` says).
///
/// Unlike a folded plan it is no snapshot: it runs the model as it is at call time. The model
/// is switched to evaluation mode when the plan is built and must stay so; it is a class, so
/// the plan is `Sendable` only as far as the model is not mutated while it evaluates.
public struct ForwardPassPlan<Model: TabularModel>: InferencePlan, @unchecked Sendable {
  public let model: Model
  public let chunkSize: Int

  public init(_ model: Model, chunkSize: Int = 8192) {
    precondition(chunkSize > 0, "ForwardPassPlan: chunkSize \(chunkSize) must be positive")
    model.eval()
    self.model = model
    self.chunkSize = chunkSize
  }

  public var features: Int { model.features }
  public var outputs: Int { model.outputs }

  public func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>, threads: Int) {
    precondition(rows.count >= count * features && output.count >= count * outputs,
      "ForwardPassPlan.evaluate: buffers too small for \(count) rows")
    var start = 0
    while start < count {
      let n = Swift.min(chunkSize, count - start)
      let x = Tensor(shape: [n, features], scalars: Array(rows[(start * features)..<((start + n) * features)]))
      let y = withoutGradient { model(x) }
      y.withUnsafeBufferPointer { values in
        _ = UnsafeMutableBufferPointer(rebasing: output[(start * outputs)..<((start + n) * outputs)]).initialize(from: values)
      }
      start += n
    }
  }
}
