import Tensor

/// A snapshot ensemble (Huang et al. 2017): the network with the weights saved at the end of
/// each cosine cycle, K snapshots. Its function is ``model`` (``EnsembleModel``; the one network
/// itself when K = 1), and everything is computed from its logit t: the class probabilities,
/// the predicted class, the model's own explanation (which adds up to t exactly) and every
/// post-hoc explanation.
///
/// - binary: p = the mean of the snapshots' probabilities (as the INN reference), t = logit(p);
/// - multiclass: t = the mean of the snapshots' logits, p = softmax(t) (averaging softmax
///   probabilities has no exact additive explanation in the per-class logits; the mean logit
///   changed the mean test AUROC by at most 0.0006 on the shared multiclass datasets);
/// - regression: the mean prediction, in the target's units.
public struct SnapshotEnsemble {
  /// The ensemble's function: its logits t [n, outputs], by the rule above.
  public let model: any TabularModel
  public let snapshots: [[String: Tensor]]
  public let task: PredictionTask
  public let targetMean: Float
  public let targetScale: Float

  /// Loads each snapshot into a network from `makeMember` (a fresh network of the snapshots'
  /// architecture each call) and combines them by the rule above.
  ///
  /// - Throws: what `makeMember` throws, or ``StateDictError`` when a snapshot does not fit.
  public init(snapshots: [[String: Tensor]], task: PredictionTask, targetMean: Float = 0, targetScale: Float = 1,
              makeMember: () throws -> any TabularModel) throws {
    precondition(!snapshots.isEmpty, "a snapshot ensemble needs at least one snapshot")
    var members: [any TabularModel] = []
    for snapshot in snapshots {
      let member = try makeMember()
      try member.loadStateDict(snapshot)
      member.eval()
      members.append(member)
    }
    self.model = members.count == 1 ? members[0] : EnsembleModel(members: members, rule: task == .binary ? .meanProbability : .meanLogit)
    model.eval()
    self.snapshots = snapshots
    self.task = task
    self.targetMean = targetMean
    self.targetScale = targetScale
  }

  /// The ensemble's logits t [n, outputs] (one per class for multiclass; for binary the logit
  /// of the second class's mean probability; for regression the prediction on the standardised
  /// target scale).
  public func logits(_ x: Tensor) -> Tensor {
    let plan = model.inferencePlan()
    return Tensor(shape: [x.shape[0], model.outputs], scalars: plan.evaluate(x.scalars, count: x.shape[0]))
  }

  /// Class probabilities [n, C] (two columns for binary) or, for regression, predictions [n, 1]
  /// in the target's original units, all from ``logits(_:)``.
  ///
  /// - Throws: ``PredictionError/nonFinite(row:value:)`` when an output overflows, rather than
  ///   returning NaN.
  public func predict(_ x: Tensor) throws -> Tensor {
    let logits = logits(x)
    let out: Tensor
    switch task {
    case .binary:
      let p = logits.sigmoid()
      out = Tensor.concatenating([1 - p, p], alongAxis: 1)
    case .multiclass: out = logits.softmax()
    case .regression: out = logits * targetScale + targetMean
    }
    for t in [logits, out] {
      if let bad = t.scalars.firstIndex(where: { !$0.isFinite }) {
        throw PredictionError.nonFinite(row: bad / Swift.max(t.shape[1], 1), value: t.scalars[bad])
      }
    }
    return out
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
