import Foundation
import Tensor

/// Everything needed to rebuild a trained model and apply it to new data: the architecture,
/// the fitted preprocessing and the label coding. Stored as JSON in the `sannkit.model`
/// metadata entry of `model.safetensors`, beside the snapshot weights
/// (`snapshots.<k>.<parameter name>`), so a model is one self-describing file.
public struct ModelCard: Codable, Sendable {
  public static let formatVersion = 1

  public var format = ModelCard.formatVersion
  public var kind: String
  public var task: Task
  public var width: Int
  public var blocks: Int
  public var features: Int
  public var outputs: Int
  public var targetName: String
  public var classNames: [String]
  public var targetMean: Float
  public var targetScale: Float
  public var preprocessor: Preprocessor
  public var snapshotCount: Int
  public var configuration: TrainingConfiguration

  public init(kind: String, task: Task, width: Int, blocks: Int, features: Int, outputs: Int, targetName: String,
              classNames: [String], targetMean: Float, targetScale: Float, preprocessor: Preprocessor,
              snapshotCount: Int, configuration: TrainingConfiguration) {
    self.kind = kind
    self.task = task
    self.width = width
    self.blocks = blocks
    self.features = features
    self.outputs = outputs
    self.targetName = targetName
    self.classNames = classNames
    self.targetMean = targetMean
    self.targetScale = targetScale
    self.preprocessor = preprocessor
    self.snapshotCount = snapshotCount
    self.configuration = configuration
  }

  /// A fresh network of this card's architecture (weights to be loaded).
  public func makeModel() -> any TabularModel {
    var rng = RandomGenerator(seed: 0)
    if kind == Hypernetwork.kind {
      return Hypernetwork(features: features, outputs: outputs, width: width, blocks: blocks, rng: &rng)
    }
    return TabResNet(features: features, outputs: outputs, width: width, blocks: blocks, rng: &rng)
  }
}

/// Saving and loading a trained snapshot ensemble with its card.
public enum ModelFile {
  public static let metadataKey = "sannkit.model"

  public static func save(card: ModelCard, snapshots: [[String: Tensor]], to url: URL) throws {
    var tensors: [String: Tensor] = [:]
    for (k, snapshot) in snapshots.enumerated() {
      for (name, value) in snapshot { tensors["snapshots.\(k).\(name)"] = value }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = String(decoding: try encoder.encode(card), as: UTF8.self)
    try SafeTensors.save(tensors, metadata: [metadataKey: json], to: url)
  }

  /// Loads a model file written by ``save(card:snapshots:to:)``.
  public static func load(from url: URL) throws -> (card: ModelCard, ensemble: SnapshotEnsemble) {
    let (tensors, metadata) = try SafeTensors.load(from: url)
    guard let json = metadata[metadataKey] else {
      throw DatasetError.unreadable(path: url.path, reason: "it is a safetensors file but not a SANNKit model (no '\(metadataKey)' metadata); train one with `sann train`")
    }
    let card: ModelCard
    do {
      card = try JSONDecoder().decode(ModelCard.self, from: Data(json.utf8))
    } catch {
      throw DatasetError.unreadable(path: url.path, reason: "its model description is damaged (\(error))")
    }
    var snapshots = [[String: Tensor]](repeating: [:], count: card.snapshotCount)
    for (key, value) in tensors {
      let parts = key.split(separator: ".", maxSplits: 2)
      guard parts.count == 3, parts[0] == "snapshots", let k = Int(parts[1]), k < card.snapshotCount else {
        throw DatasetError.unreadable(path: url.path, reason: "unexpected tensor '\(key)'")
      }
      snapshots[k][String(parts[2])] = value
    }
    let model = card.makeModel()
    let ensemble = SnapshotEnsemble(model: model, snapshots: snapshots, task: card.task,
                                    targetMean: card.targetMean, targetScale: card.targetScale)
    do {
      try model.loadStateDict(snapshots[card.snapshotCount - 1])
    } catch {
      throw DatasetError.unreadable(path: url.path, reason: "\(error)")
    }
    return (card, ensemble)
  }
}
