import Foundation
import Tensor

/// Everything needed to rebuild a trained model and apply it to new data: the architecture
/// and its configuration, the fitted preprocessing and the label coding. Stored as JSON in the
/// `sannkit.model` metadata entry of `model.safetensors`, beside the snapshot weights
/// (`snapshots.<k>.<parameter name>`), so a model is one self-describing file (``ModelFile``).
///
/// Format 2 (this one) stores `model: {kind, configuration}` and `training`; format 1 (before
/// the architecture registry) stored `width` and `blocks` beside the kind and is still read.
public struct ModelCard: Codable, Sendable {
  public static let formatVersion = 2

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
