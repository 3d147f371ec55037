import Tensor

/// A snapshot ensemble (Huang et al. 2017): one network evaluated with the weights saved at
/// the end of each cosine cycle, predictions averaged. For classification the ensemble
/// averages the snapshots' probabilities (sigmoid for binary, softmax for multiclass), as the
/// INN reference does; for regression it averages the predictions.
public struct SnapshotEnsemble {
  public let model: any TabularModel
  public let snapshots: [[String: Tensor]]
  public let task: PredictionTask
  public let targetMean: Float
  public let targetScale: Float

  public init(model: any TabularModel, snapshots: [[String: Tensor]], task: PredictionTask, targetMean: Float = 0, targetScale: Float = 1) {
    precondition(!snapshots.isEmpty, "a snapshot ensemble needs at least one snapshot")
    self.model = model
    self.snapshots = snapshots
    self.task = task
    self.targetMean = targetMean
    self.targetScale = targetScale
  }

  /// Class probabilities [n, C] (two columns for binary) or, for regression, predictions [n, 1]
  /// in the target's original units.
  ///
  /// - Throws: ``PredictionError/nonFinite(row:value:)`` when an output overflows, rather than
  ///   returning NaN.
  public func predict(_ x: Tensor) throws -> Tensor {
    var total: Tensor? = nil
    for snapshot in snapshots {
      try model.loadStateDict(snapshot)
      model.eval()
      let out = withoutGradient { () -> Tensor in
        let logits = model(x)
        switch task {
        case .binary:
          let p = logits.sigmoid()
          return Tensor.concatenating([1 - p, p], alongAxis: 1)
        case .multiclass: return logits.softmax()
        case .regression: return logits * targetScale + targetMean
        }
      }
      total = total.map { $0 + out } ?? out
    }
    try model.loadStateDict(snapshots[snapshots.count - 1])
    model.eval()
    let mean = total! / Float(snapshots.count)
    if let bad = mean.scalars.firstIndex(where: { !$0.isFinite }) {
      throw PredictionError.nonFinite(row: bad / Swift.max(mean.shape[1], 1), value: mean.scalars[bad])
    }
    return mean
  }
}

/// Why a prediction could not be made.
public enum PredictionError: Error, Equatable, CustomStringConvertible {
  /// The model's output for a row overflowed (inputs far outside the training range, or
  /// extreme weights).
  case nonFinite(row: Int, value: Float)

  public var description: String {
    switch self {
    case let .nonFinite(row, value):
      "the model's output for row \(row) of the batch is \(value); its inputs are far outside the range it was trained on, or its weights are extreme — check the data's units, or retrain"
    }
  }
}
