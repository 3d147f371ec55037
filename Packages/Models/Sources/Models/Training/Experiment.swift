import Foundation
import Tensor

/// One run of the INN reference protocol (`main_experiment.py`) for any registered
/// architecture: build the network, fit it (``Architecture/fit(on:training:progress:)``),
/// evaluate the snapshot ensemble on both splits, explain the test rows when the model
/// explains itself, and report (``ExperimentReport``, written as `output_info.json`).
///
///     var experiment = Experiment(model: try ModelRegistry.specification(kind: "inn"))
///     experiment.training.epochs = 20
///     let result = try experiment.run(prepared)
///     print(result.report.test.auroc ?? .nan)
public struct Experiment {
  public var model: ModelSpecification
  public var training = TrainingConfiguration()

  public init(model: ModelSpecification, training: TrainingConfiguration = TrainingConfiguration()) {
    self.model = model
    self.training = training
  }

  /// What a run produced.
  public struct Result {
    public var card: ModelCard
    public var snapshots: [[String: Tensor]]
    public var report: ExperimentReport
    /// The fitted network, holding the last snapshot, in evaluation mode.
    public var network: any Architecture
    /// The snapshot ensemble the report evaluates and explains (``SnapshotEnsemble/model``).
    public var ensemble: SnapshotEnsemble
    /// Models trained on the way (``FitResult/companions``).
    public var companions: [(name: String, result: Result)] = []
  }

  /// Builds, fits and evaluates on `data`. `progress` is called after every epoch.
  ///
  /// - Throws: ``ArchitectureError`` when the network cannot be built for this data (too
  ///   large), or what fitting or evaluation throws.
  public func run(_ data: PreparedDataset, progress: (TrainingProgress) -> Void = { _ in }) throws -> Result {
    let start = Date()
    var rng = RandomGenerator(seed: training.seed).stream(3)
    let outputs = data.task.outputs(classes: data.classCount)
    let features = data.preprocessor.encodedWidth
    let network = try model.makeModel(features: features, outputs: outputs, rng: &rng)
    let fitted = try network.fit(on: data, training: training, progress: progress)
    let snapshots = fitted.snapshots
    let trainTime = Date().timeIntervalSince(start)
    let ensemble = try SnapshotEnsemble(snapshots: snapshots, task: data.task, targetMean: data.targetMean, targetScale: data.targetScale) {
      var fresh = RandomGenerator(seed: 0)
      return try model.makeModel(features: features, outputs: outputs, rng: &fresh)
    }
    let inferenceStart = Date()
    let testPrediction = try ensemble.predict(data.xTest)
    let inferenceTime = Date().timeIntervalSince(inferenceStart)
    let trainPrediction = try ensemble.predict(data.xTrain)

    let card = ModelCard(
      model: model, task: data.task, features: features, outputs: outputs, targetName: data.targetName,
      classNames: data.labels.classNames, targetMean: data.targetMean, targetScale: data.targetScale,
      preprocessor: data.preprocessor, snapshotCount: snapshots.count, training: training)
    let report = ExperimentReport(
      train: try EvaluationMetrics(prediction: trainPrediction, targets: data.yTrain, task: data.task),
      test: try EvaluationMetrics(prediction: testPrediction, targets: data.yTest, task: data.task),
      importance: try Self.importance(of: ensemble.model, on: data),
      components: try Self.componentMetrics(of: network, on: data),
      trainTime: trainTime, inferenceTime: inferenceTime, time: Date().timeIntervalSince(start),
      model: model.kind, task: data.task, dataset: data.name, trainRows: data.xTrain.shape[0], testRows: data.xTest.shape[0],
      encodedFeatures: features, classes: data.labels.classNames, droppedColumns: data.dropped, snapshots: snapshots.count,
      configuration: .init(training: training, settings: network.trainingSettings, model: model,
                           interpretable: network.selfExplaining != nil, regression: data.task == .regression))
    return Result(card: card, snapshots: snapshots, report: report, network: network, ensemble: ensemble, companions: fitted.companions)
  }

  /// The test metrics of each of the model's components, evaluated alone.
  static func componentMetrics(of network: any TabularModel, on data: PreparedDataset) throws -> [String: EvaluationMetrics] {
    var metrics: [String: EvaluationMetrics] = [:]
    for (name, component) in network.components {
      let ensemble = try SnapshotEnsemble(snapshots: [component.stateDict()], task: data.task, targetMean: data.targetMean,
                                          targetScale: data.targetScale) { component }
      metrics[name] = try EvaluationMetrics(prediction: try ensemble.predict(data.xTest), targets: data.yTest, task: data.task)
    }
    return metrics
  }

  /// The reference's importances from the model's own explanation of the test rows (the
  /// ensemble's): its feature attribution, or for a group attribution each group's contribution
  /// split equally among its features (``GroupAttribution/featureShares(features:)``); nil for
  /// a model that does not explain itself.
  static func importance(of network: any TabularModel, on data: PreparedDataset) throws -> ExperimentReport.ImportanceReport? {
    guard let explainer = network.selfExplaining else { return nil }
    let explanation = try explainer.explain(data.xTest.scalars, threads: BLAS.threadCount)
    let attribution = explanation.features ?? explanation.groups.featureShares(features: network.features)
    let importance = FeatureImportance(attribution)
    let encoded = importance.normalized
    let names = data.preprocessor.encodedNames
    let original = FeatureImportance.aggregate(encoded, sources: data.preprocessor.encodedSources,
                                               features: data.preprocessor.featureNames.count)
    let top = importance.ranking.prefix(10)
    return .init(
      top10Features: top.map { names[$0] }, top10Weights: top.map { encoded[$0] },
      featureImportances: Dictionary(uniqueKeysWithValues: zip(names, encoded)),
      featureImportancesSigned: Dictionary(uniqueKeysWithValues: zip(names, importance.signedMean)),
      originalFeatureImportances: Dictionary(uniqueKeysWithValues: zip(data.preprocessor.featureNames, original)))
  }
}
