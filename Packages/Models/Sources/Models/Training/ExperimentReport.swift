/// What one run of ``Experiment`` reports: the content of `output_info.json`, with the INN
/// reference's keys (`test_auroc`, `top_10_features`, …) and SANNKit's own (times, rows,
/// per-column importances, the resolved configuration). Metrics are flattened with `train_`
/// and `test_` prefixes; absent values are left out.
public struct ExperimentReport: Codable, Sendable {
  public var train: EvaluationMetrics
  public var test: EvaluationMetrics
  /// Global importances from the model's own explanation of the test rows; nil for a model
  /// that does not explain itself feature by feature.
  public var importance: ImportanceReport?
  /// Test metrics of the model's components evaluated alone, by name (Sum-of-Parts' frozen
  /// backbone), as `components: {name: {test_auroc: …}}`; absent when there are none.
  public var components: [String: EvaluationMetrics]
  /// Seconds spent fitting, predicting the test rows, and in the whole run.
  public var trainTime: Double
  public var inferenceTime: Double
  public var time: Double
  /// The architecture's kind.
  public var model: String
  public var task: PredictionTask
  public var dataset: String
  public var trainRows: Int
  public var testRows: Int
  public var encodedFeatures: Int
  public var classes: [String]
  public var droppedColumns: [ColumnFilter.Dropped]
  public var snapshots: Int
  public var configuration: RunConfiguration

  /// The importances of the INN reference, per encoded feature, plus SANNKit's signed means
  /// and per-original-column sums (see ``FeatureImportance``).
  public struct ImportanceReport: Codable, Sendable, Equatable {
    public var top10Features: [String]
    public var top10Weights: [Double]
    public var featureImportances: [String: Double]
    public var featureImportancesSigned: [String: Double]
    public var originalFeatureImportances: [String: Double]

    enum CodingKeys: String, CodingKey {
      case top10Features = "top_10_features", top10Weights = "top_10_features_weights"
      case featureImportances = "feature_importances", featureImportancesSigned = "feature_importances_signed"
      case originalFeatureImportances = "original_feature_importances"
    }
  }

  /// The resolved configuration: the seed and the training settings the model used
  /// (``Architecture/trainingSettings``), the architecture's own hyperparameters, whether the
  /// model explains itself (`interpretable`) and the mode, all in one object.
  public struct RunConfiguration: Sendable, Equatable {
    public var training: TrainingConfiguration
    public var settings: Set<TrainingSetting>
    public var model: ModelSpecification
    public var interpretable: Bool
    public var regression: Bool
  }

  enum CodingKeys: String, CodingKey {
    case trainTime = "train_time", inferenceTime = "inference_time", time, model, task, dataset
    case trainRows = "train_rows", testRows = "test_rows", encodedFeatures = "encoded_features", classes
    case droppedColumns = "dropped_columns", snapshots, configuration, components
  }

  /// A component's metrics under `test_` keys.
  private struct ComponentMetrics: Codable {
    var test: EvaluationMetrics
    func encode(to encoder: any Encoder) throws { try test.encode(prefix: "test_", to: encoder) }
    init(test: EvaluationMetrics) { self.test = test }
    init(from decoder: any Decoder) throws { test = try EvaluationMetrics(prefix: "test_", from: decoder) }
  }

  enum ConfigurationKeys: String, CodingKey { case interpretable, mode }

  public func encode(to encoder: any Encoder) throws {
    try train.encode(prefix: "train_", to: encoder)
    try test.encode(prefix: "test_", to: encoder)
    try importance?.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(trainTime, forKey: .trainTime)
    try c.encode(inferenceTime, forKey: .inferenceTime)
    try c.encode(time, forKey: .time)
    try c.encode(model, forKey: .model)
    try c.encode(task, forKey: .task)
    try c.encode(dataset, forKey: .dataset)
    try c.encode(trainRows, forKey: .trainRows)
    try c.encode(testRows, forKey: .testRows)
    try c.encode(encodedFeatures, forKey: .encodedFeatures)
    try c.encode(classes, forKey: .classes)
    try c.encode(droppedColumns, forKey: .droppedColumns)
    try c.encode(snapshots, forKey: .snapshots)
    if !components.isEmpty { try c.encode(components.mapValues { ComponentMetrics(test: $0) }, forKey: .components) }
    let nested = c.superEncoder(forKey: .configuration)
    try configuration.training.encode(to: nested, settings: configuration.settings)
    try configuration.model.configuration.encode(to: nested)
    var flags = nested.container(keyedBy: ConfigurationKeys.self)
    try flags.encode(configuration.interpretable, forKey: .interpretable)
    try flags.encode(configuration.regression ? "regression" : "classification", forKey: .mode)
  }

  public init(from decoder: any Decoder) throws {
    train = try EvaluationMetrics(prefix: "train_", from: decoder)
    test = try EvaluationMetrics(prefix: "test_", from: decoder)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let importanceKeys = try decoder.container(keyedBy: ImportanceReport.CodingKeys.self)
    importance = importanceKeys.contains(.top10Features) ? try ImportanceReport(from: decoder) : nil
    trainTime = try c.decode(Double.self, forKey: .trainTime)
    inferenceTime = try c.decode(Double.self, forKey: .inferenceTime)
    time = try c.decode(Double.self, forKey: .time)
    model = try c.decode(String.self, forKey: .model)
    task = try c.decode(PredictionTask.self, forKey: .task)
    dataset = try c.decode(String.self, forKey: .dataset)
    trainRows = try c.decode(Int.self, forKey: .trainRows)
    testRows = try c.decode(Int.self, forKey: .testRows)
    encodedFeatures = try c.decode(Int.self, forKey: .encodedFeatures)
    classes = try c.decode([String].self, forKey: .classes)
    droppedColumns = try c.decode([ColumnFilter.Dropped].self, forKey: .droppedColumns)
    snapshots = try c.decode(Int.self, forKey: .snapshots)
    components = try c.decodeIfPresent([String: ComponentMetrics].self, forKey: .components)?.mapValues(\.test) ?? [:]
    let nested = try c.superDecoder(forKey: .configuration)
    let flags = try nested.container(keyedBy: ConfigurationKeys.self)
    let settingKeys = try nested.container(keyedBy: AnyKey.self)
    configuration = RunConfiguration(
      training: try TrainingConfiguration(from: nested),
      settings: Set(TrainingSetting.allCases.filter { settingKeys.contains(AnyKey($0.rawValue)) }),
      model: ModelSpecification(kind: model, configuration: try ModelRegistry.architecture(kind: model).decodeConfiguration(from: nested)),
      interpretable: try flags.decode(Bool.self, forKey: .interpretable),
      regression: try flags.decode(String.self, forKey: .mode) == "regression")
  }

  public init(train: EvaluationMetrics, test: EvaluationMetrics, importance: ImportanceReport?, components: [String: EvaluationMetrics] = [:],
              trainTime: Double, inferenceTime: Double,
              time: Double, model: String, task: PredictionTask, dataset: String, trainRows: Int, testRows: Int, encodedFeatures: Int,
              classes: [String], droppedColumns: [ColumnFilter.Dropped], snapshots: Int, configuration: RunConfiguration) {
    self.train = train
    self.test = test
    self.importance = importance
    self.components = components
    self.trainTime = trainTime
    self.inferenceTime = inferenceTime
    self.time = time
    self.model = model
    self.task = task
    self.dataset = dataset
    self.trainRows = trainRows
    self.testRows = testRows
    self.encodedFeatures = encodedFeatures
    self.classes = classes
    self.droppedColumns = droppedColumns
    self.snapshots = snapshots
    self.configuration = configuration
  }
}
