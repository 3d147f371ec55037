import Foundation
import Tensor

/// Everything needed to rebuild a trained model and apply it to new data: the architecture
/// and its configuration, the fitted preprocessing and the label coding. Stored as JSON in the
/// `sannkit.model` metadata entry of `model.safetensors`, beside the snapshot weights
/// (`snapshots.<k>.<parameter name>`), so a model is one self-describing file (``ModelFile``).
/// `Docs/model-file.md` documents every key and tensor, enough to read a model without SANNKit.
///
/// Format 3 (written now) uses snake_case keys shared with `output_info.json` (`model`,
/// `classes`, `snapshots`, `encoded_features`, `configuration`) and stores the encoded columns
/// explicitly. Formats 1 (before the architecture registry) and 2 (camelCase keys) are still read.
public struct ModelCard: Sendable {
  public static let formatVersion = 3

  /// The format the card was read from (``formatVersion`` for a new one).
  public var format = ModelCard.formatVersion
  public var model: ModelSpecification
  public var task: PredictionTask
  public var features: Int
  public var outputs: Int
  public var targetName: String
  public var classNames: [String]
  public var targetMean: Float
  public var targetScale: Float
  public var preprocessor: Preprocessor
  public var snapshotCount: Int
  public var training: TrainingConfiguration

  public init(model: ModelSpecification, task: PredictionTask, features: Int, outputs: Int, targetName: String,
              classNames: [String], targetMean: Float, targetScale: Float, preprocessor: Preprocessor,
              snapshotCount: Int, training: TrainingConfiguration) {
    self.model = model
    self.task = task
    self.features = features
    self.outputs = outputs
    self.targetName = targetName
    self.classNames = classNames
    self.targetMean = targetMean
    self.targetScale = targetScale
    self.preprocessor = preprocessor
    self.snapshotCount = snapshotCount
    self.training = training
  }

  /// The architecture's kind.
  public var kind: String { model.kind }

  /// A fresh network of this card's architecture and size (weights to be loaded).
  public func makeModel() throws -> any Architecture {
    var rng = RandomGenerator(seed: 0)
    return try model.makeModel(features: features, outputs: outputs, rng: &rng)
  }
}

// MARK: - Format 3

extension ModelCard: Codable {
  enum CodingKeys: String, CodingKey {
    case format, model, task, target, classes, outputs, snapshots, columns, configuration
    case encodedFeatures = "encoded_features", encodedColumns = "encoded_columns"
    case targetMean = "target_mean", targetScale = "target_scale"
  }

  /// One original column and how it is encoded.
  struct Column: Codable {
    var name: String
    var kind: String
    var mean: Double?
    var scale: Double?
    var levels: [String]?
  }

  /// One encoded column: its name, the original column it comes from, and for a one-hot
  /// indicator the level it indicates.
  struct EncodedColumn: Codable, Equatable {
    var name: String
    var column: String
    var level: String?
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(format, forKey: .format)
    try c.encode(model.kind, forKey: .model)
    try c.encode(task, forKey: .task)
    try c.encode(targetName, forKey: .target)
    try c.encode(classNames, forKey: .classes)
    try c.encode(outputs, forKey: .outputs)
    try c.encode(snapshotCount, forKey: .snapshots)
    try c.encode(targetMean.decimal, forKey: .targetMean)
    try c.encode(targetScale.decimal, forKey: .targetScale)
    try c.encode(preprocessor.transforms.map { t -> Column in
      switch t {
      case let .numeric(name, mean, scale): Column(name: name, kind: "numeric", mean: mean.decimal, scale: scale.decimal)
      case let .categorical(name, levels): Column(name: name, kind: "categorical", levels: levels)
      }
    }, forKey: .columns)
    try c.encode(features, forKey: .encodedFeatures)
    try c.encode(Self.encodedColumns(preprocessor), forKey: .encodedColumns)
    // The model's hyperparameters and every training setting, in one object with
    // output_info.json's configuration keys.
    let nested = c.superEncoder(forKey: .configuration)
    try training.encode(to: nested)
    try model.configuration.encode(to: nested)
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    format = try c.decode(Int.self, forKey: .format)
    let kind = try c.decode(String.self, forKey: .model)
    let architecture = try ModelRegistry.architecture(kind: kind)
    model = ModelSpecification(kind: kind, configuration: try architecture.decodeConfiguration(from: c.superDecoder(forKey: .configuration)))
    training = try TrainingConfiguration(from: c.superDecoder(forKey: .configuration))
    task = try c.decode(PredictionTask.self, forKey: .task)
    targetName = try c.decode(String.self, forKey: .target)
    classNames = try c.decode([String].self, forKey: .classes)
    outputs = try c.decode(Int.self, forKey: .outputs)
    snapshotCount = try c.decode(Int.self, forKey: .snapshots)
    targetMean = Float(try c.decode(Double.self, forKey: .targetMean))
    targetScale = Float(try c.decode(Double.self, forKey: .targetScale))
    var columns = try c.nestedUnkeyedContainer(forKey: .columns)
    var transforms: [Preprocessor.Transform] = []
    while !columns.isAtEnd {
      let column = try columns.decode(Column.self)
      switch (column.kind, column.mean, column.scale, column.levels) {
      case let ("numeric", mean?, scale?, nil): transforms.append(.numeric(name: column.name, mean: Float(mean), scale: Float(scale)))
      case let ("categorical", nil, nil, levels?): transforms.append(.categorical(name: column.name, levels: levels))
      default:
        throw DecodingError.dataCorrupted(.init(codingPath: columns.codingPath,
          debugDescription: "column '\(column.name)': a numeric column has mean and scale, a categorical one levels (kind '\(column.kind)')"))
      }
    }
    preprocessor = Preprocessor(transforms: transforms)
    features = try c.decode(Int.self, forKey: .encodedFeatures)
    let encoded = try c.decode([EncodedColumn].self, forKey: .encodedColumns)
    guard encoded == Self.encodedColumns(preprocessor) else {
      throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.encodedColumns],
        debugDescription: "the encoded columns are not the ones the columns' encoding gives (\(Self.encodedColumns(preprocessor).map(\.name)))"))
    }
  }

  /// The encoded columns of `preprocessor`, in order.
  static func encodedColumns(_ preprocessor: Preprocessor) -> [EncodedColumn] {
    preprocessor.transforms.flatMap { t -> [EncodedColumn] in
      switch t {
      case let .numeric(name, _, _): [EncodedColumn(name: name, column: name)]
      case let .categorical(name, levels):
        (levels.count == 2 ? [levels[1]] : levels).map { EncodedColumn(name: "\(name)=\($0)", column: name, level: $0) }
      }
    }
  }
}

// MARK: - Format 2

/// A model card of format 2 (camelCase keys, `model: {kind, configuration}`, the preprocessing
/// as Swift's enum encoding). Read so that models trained then still load; never written.
struct Format2ModelCard: Decodable {
  var model: ModelSpecification
  var task: PredictionTask
  var features: Int
  var outputs: Int
  var targetName: String
  var classNames: [String]
  var targetMean: Float
  var targetScale: Float
  var preprocessor: Preprocessor
  var snapshotCount: Int
  var training: TrainingConfiguration

  func card() -> ModelCard {
    var card = ModelCard(model: model, task: task, features: features, outputs: outputs, targetName: targetName, classNames: classNames,
                         targetMean: targetMean, targetScale: targetScale, preprocessor: preprocessor, snapshotCount: snapshotCount,
                         training: training)
    card.format = 2
    return card
  }
}

/// Why a model file could not be loaded. Every message names the file and says how to fix it.
public enum ModelFileError: Error, CustomStringConvertible {
  case notAModel(path: String)
  case damaged(path: String, reason: String)
  case unsupportedFormat(path: String, format: Int)
  case unknownKind(path: String, kind: String, known: [String])
  case configuration(path: String, kind: String, reason: String)
  case weights(path: String, kind: String, reason: String)

  public var description: String {
    switch self {
    case let .notAModel(path):
      "\(path) is a safetensors file but not a SANNKit model (no '\(ModelFile.metadataKey)' metadata); train one with `sann train`"
    case let .damaged(path, reason):
      "\(path): the model description is damaged (\(reason)); retrain with `sann train` (output_info.json beside it lists the configuration)"
    case let .unsupportedFormat(path, format):
      "\(path) is a model file of format \(format), but this SANNKit reads formats 1 to \(ModelCard.formatVersion); "
        + (format > ModelCard.formatVersion ? "use the SANNKit that wrote it, or a newer one" : "retrain with `sann train`")
    case let .unknownKind(path, kind, known):
      "\(path) holds a model of kind '\(kind)', an architecture this SANNKit does not know (it knows \(known.joined(separator: ", "))); use the SANNKit that wrote it, or retrain with `sann train --model <kind>`"
    case let .configuration(path, kind, reason):
      "\(path): the configuration of its '\(kind)' model does not decode (\(reason)); retrain with `sann train --model \(kind)`"
    case let .weights(path, kind, reason):
      "\(path): the weights do not fit its '\(kind)' model (\(reason)); retrain with `sann train --model \(kind)`"
    }
  }
}
