import Foundation
import Tensor

/// One run of the INN reference protocol (`main_experiment.py`): prepare the data, train INN or
/// TabResNet with a snapshot ensemble, evaluate on both splits, explain, and produce the
/// reference's `output_info.json` fields plus SANNKit's own.
public struct Experiment {
  public enum Architecture: String, Codable, Sendable, CaseIterable {
    case inn, tabresnet
  }

  public var architecture: Architecture
  public var width = 128
  public var blocks = 2
  public var configuration = TrainingConfiguration()

  public init(architecture: Architecture) { self.architecture = architecture }

  /// What a run produced.
  public struct Result {
    public var card: ModelCard
    public var snapshots: [[String: Tensor]]
    /// The `output_info.json` object.
    public var info: [String: Any]
  }

  /// Trains on `data` and evaluates. `progress` is called after every epoch.
  public func run(_ data: PreparedDataset, progress: (TrainingProgress) -> Void = { _ in }) throws -> Result {
    let start = Date()
    var rng = RandomGenerator(seed: configuration.seed).stream(3)
    let outputs = data.task.outputs(classes: data.classCount)
    let features = data.preprocessor.encodedWidth
    let model: any TabularModel = architecture == .inn
      ? Hypernetwork(features: features, outputs: outputs, width: width, blocks: blocks, rng: &rng)
      : TabResNet(features: features, outputs: outputs, width: width, blocks: blocks, rng: &rng)
    let snapshots = Trainer.train(model, on: data, configuration: configuration, progress: progress)
    let trainTime = Date().timeIntervalSince(start)
    let ensemble = SnapshotEnsemble(model: model, snapshots: snapshots, task: data.task,
                                    targetMean: data.targetMean, targetScale: data.targetScale)
    let inferenceStart = Date()
    let testPrediction = try ensemble.predict(data.xTest)
    let inferenceTime = Date().timeIntervalSince(inferenceStart)
    let trainPrediction = try ensemble.predict(data.xTrain)

    var info: [String: Any] = [:]
    for (prefix, prediction, y) in [("train", trainPrediction, data.yTrain), ("test", testPrediction, data.yTest)] {
      for (key, value) in try Self.metrics(prediction: prediction, targets: y, task: data.task) {
        info["\(prefix)_\(key)"] = value
      }
    }
    let card = ModelCard(
      kind: architecture.rawValue, task: data.task, width: width, blocks: blocks, features: features, outputs: outputs,
      targetName: data.targetName, classNames: data.labels.classNames, targetMean: data.targetMean,
      targetScale: data.targetScale, preprocessor: data.preprocessor, snapshotCount: snapshots.count,
      configuration: configuration)
    if let inn = model as? Hypernetwork {
      let explanation = INNExplanation(model: inn, inputs: data.xTest)
      let (encoded, signed) = explanation.globalImportance()
      let names = data.preprocessor.encodedNames
      let sources = data.preprocessor.encodedSources
      let original = aggregate(encoded, sources: sources, features: data.preprocessor.featureNames.count)
      let ranked = encoded.indices.sorted { encoded[$0] > encoded[$1] || (encoded[$0] == encoded[$1] && $0 < $1) }
      info["top_10_features"] = ranked.prefix(10).map { names[$0] }
      info["top_10_features_weights"] = ranked.prefix(10).map { encoded[$0] }
      info["feature_importances"] = Dictionary(uniqueKeysWithValues: zip(names, encoded))
      info["feature_importances_signed"] = Dictionary(uniqueKeysWithValues: zip(names, signed))
      info["original_feature_importances"] = Dictionary(uniqueKeysWithValues: zip(data.preprocessor.featureNames, original))
    }
    info["train_time"] = trainTime
    info["inference_time"] = inferenceTime
    info["time"] = Date().timeIntervalSince(start)
    info["model"] = architecture.rawValue
    info["task"] = data.task.rawValue
    info["dataset"] = data.name
    info["train_rows"] = data.xTrain.shape[0]
    info["test_rows"] = data.xTest.shape[0]
    info["encoded_features"] = features
    info["classes"] = data.labels.classNames
    info["dropped_columns"] = data.dropped.map { ["column": $0.column, "reason": $0.reason] }
    info["snapshots"] = snapshots.count
    let c = configuration
    info["configuration"] = [
      "nr_blocks": blocks, "hidden_size": width, "nr_epochs": c.epochs, "batch_size": c.batchSize,
      "learning_rate": Double(c.learningRate), "augmentation_probability": Double(c.augmentationProbability),
      "weight_decay": Double(c.weightDecay), "decoupled_weight_decay": c.decoupledWeightDecay,
      "weight_norm": Double(c.weightNorm), "scheduler_t_mult": c.schedulerTMult, "nr_restarts": c.restarts,
      "warmup_epochs": c.warmupEpochs, "seed": Int(c.seed), "interpretable": architecture == .inn,
      "mode": data.task == .regression ? "regression" : "classification",
    ] as [String: Any]
    return Result(card: card, snapshots: snapshots, info: info)
  }

  /// AUROC (one-vs-one macro for multiclass), accuracy, balanced accuracy and log-loss; or
  /// MSE, RMSE and R² for regression.
  static func metrics(prediction: Tensor, targets: [Float], task: Task) throws -> [String: Double] {
    let n = targets.count
    if task == .regression {
      let y = targets.map(Double.init)
      let p = prediction.scalars.map(Double.init)
      return ["mse": try Metrics.meanSquaredError(targets: y, predictions: p),
              "rmse": try Metrics.rootMeanSquaredError(targets: y, predictions: p),
              "r2": try Metrics.r2Score(targets: y, predictions: p)]
    }
    let classes = prediction.shape[1]
    let labels = targets.map { Int($0) }
    let rows = (0..<n).map { i in (0..<classes).map { Double(prediction.scalars[i * classes + $0]) } }
    let predicted = rows.map { $0.firstIndex(of: $0.max()!)! }
    var result: [String: Double] = [
      "accuracy": try Metrics.accuracy(labels: labels, predictions: predicted),
      "balanced_accuracy": try Metrics.balancedAccuracy(labels: labels, predictions: predicted),
    ]
    if Set(labels).count == classes {
      result["auroc"] = task == .binary
        ? try Metrics.rocAUC(labels: labels, scores: rows.map { $0[1] })
        : try Metrics.rocAUCOneVsOne(labels: labels, probabilities: rows)
      result["log_loss"] = try Metrics.logLoss(labels: labels, probabilities: rows)
    }
    return result
  }
}
