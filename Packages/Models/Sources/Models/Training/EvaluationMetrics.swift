import Tensor

/// The scores of predictions on one split, as `output_info.json` reports them (with a
/// `train_` or `test_` prefix): AUROC (one-vs-one macro for multiclass), accuracy, balanced
/// accuracy and log-loss for classification — AUROC and log-loss only when every class occurs
/// in the split — or MSE, RMSE and R² for regression.
public struct EvaluationMetrics: Codable, Sendable, Equatable {
  public var auroc: Double?
  public var accuracy: Double?
  public var balancedAccuracy: Double?
  public var logLoss: Double?
  public var mse: Double?
  public var rmse: Double?
  public var r2: Double?

  public init() {}

  enum CodingKeys: String, CodingKey, CaseIterable {
    case auroc, accuracy, balancedAccuracy = "balanced_accuracy", logLoss = "log_loss", mse, rmse, r2
  }

  /// Scores `prediction` — class probabilities [n, C] (two columns for binary) or predictions
  /// [n, 1] for regression — against `targets` (class codes or values).
  public init(prediction: Tensor, targets: [Float], task: PredictionTask) throws {
    let n = targets.count
    if task == .regression {
      let y = targets.map(Double.init)
      let p = prediction.scalars.map(Double.init)
      mse = try Metrics.meanSquaredError(targets: y, predictions: p)
      rmse = try Metrics.rootMeanSquaredError(targets: y, predictions: p)
      r2 = try Metrics.r2Score(targets: y, predictions: p)
      return
    }
    let classes = prediction.shape[1]
    let labels = targets.map { Int($0) }
    let rows = (0..<n).map { i in (0..<classes).map { Double(prediction.scalars[i * classes + $0]) } }
    let predicted = rows.map { $0.firstIndex(of: $0.max()!)! }
    accuracy = try Metrics.accuracy(labels: labels, predictions: predicted)
    balancedAccuracy = try Metrics.balancedAccuracy(labels: labels, predictions: predicted)
    if Set(labels).count == classes {
      auroc = task == .binary
        ? try Metrics.rocAUC(labels: labels, scores: rows.map { $0[1] })
        : try Metrics.rocAUCOneVsOne(labels: labels, probabilities: rows)
      logLoss = try Metrics.logLoss(labels: labels, probabilities: rows)
    }
  }

  /// Encodes the present scores as `<prefix><name>` keys of `encoder`'s keyed container.
  func encode(prefix: String, to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: AnyKey.self)
    for key in CodingKeys.allCases {
      if let value = self[key] { try container.encode(value, forKey: AnyKey(prefix + key.rawValue)) }
    }
  }

  /// Reads the `<prefix><name>` keys written by ``encode(prefix:to:)``.
  init(prefix: String, from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    for key in CodingKeys.allCases {
      self[key] = try container.decodeIfPresent(Double.self, forKey: AnyKey(prefix + key.rawValue))
    }
  }

  private subscript(key: CodingKeys) -> Double? {
    get {
      switch key {
      case .auroc: auroc
      case .accuracy: accuracy
      case .balancedAccuracy: balancedAccuracy
      case .logLoss: logLoss
      case .mse: mse
      case .rmse: rmse
      case .r2: r2
      }
    }
    set {
      switch key {
      case .auroc: auroc = newValue
      case .accuracy: accuracy = newValue
      case .balancedAccuracy: balancedAccuracy = newValue
      case .logLoss: logLoss = newValue
      case .mse: mse = newValue
      case .rmse: rmse = newValue
      case .r2: r2 = newValue
      }
    }
  }
}

/// A coding key made at run time (prefixed metric names).
struct AnyKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(_ string: String) { stringValue = string }
  init?(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}
