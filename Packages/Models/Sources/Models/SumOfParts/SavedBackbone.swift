import Foundation
import Tensor

/// A TabResNet run saved by `sann train`, to serve as Sum-of-Parts' frozen backbone.
struct SavedBackbone {
  let path: String
  let card: ModelCard
  let ensemble: SnapshotEnsemble
  let size: TabResNetConfiguration

  /// Loads the run at `path` (its folder or its model.safetensors).
  ///
  /// - Throws: ``SumOfPartsError`` when it is missing, unreadable or not a TabResNet.
  static func load(_ path: String) throws -> SavedBackbone {
    var url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
      url = url.appendingPathComponent("model.safetensors")
    }
    guard FileManager.default.fileExists(atPath: url.path) else { throw SumOfPartsError.backboneMissing(path: url.path) }
    let (card, ensemble): (ModelCard, SnapshotEnsemble)
    do {
      (card, ensemble) = try ModelFile.load(from: url)
    } catch {
      throw SumOfPartsError.backboneUnreadable(path: url.path, reason: "\(error)")
    }
    guard card.kind == TabResNet.kind, let size = card.model.configuration as? TabResNetConfiguration else {
      throw SumOfPartsError.backboneNotTabResNet(path: url.path, kind: card.kind)
    }
    return SavedBackbone(path: url.path, card: card, ensemble: ensemble, size: size)
  }

  /// Throws unless the backbone was trained on the same encoded columns, with the same fitted
  /// preprocessing (so the same split) and the same outputs as `data`.
  func check(against data: PreparedDataset) throws {
    guard card.task == data.task, card.classNames == data.labels.classNames else {
      throw SumOfPartsError.backboneData(path: path, reason: "it predicts \(card.task.rawValue) \(card.classNames), these data \(data.task.rawValue) \(data.labels.classNames) (another --mode or target)")
    }
    guard card.preprocessor == data.preprocessor else {
      let same = card.preprocessor.encodedNames == data.preprocessor.encodedNames
      throw SumOfPartsError.backboneData(path: path, reason: same
        ? "its preprocessing was fitted on other training rows (another --seed, --test_split_size or file)"
        : "its columns are \(card.preprocessor.encodedNames.joined(separator: ", ")), these data's \(data.preprocessor.encodedNames.joined(separator: ", "))")
    }
  }
}

/// Why Sum-of-Parts could not use a backbone.
public enum SumOfPartsError: Error, Equatable, CustomStringConvertible {
  case backboneMissing(path: String)
  case backboneUnreadable(path: String, reason: String)
  case backboneNotTabResNet(path: String, kind: String)
  case backboneData(path: String, reason: String)

  public var description: String {
    switch self {
    case let .backboneMissing(path):
      "--backbone: \(path) does not exist; pass the folder `sann train --model tabresnet` wrote, or leave --backbone out to train one first"
    case let .backboneUnreadable(path, reason):
      "--backbone: \(path) cannot be used: \(reason)"
    case let .backboneNotTabResNet(path, kind):
      "--backbone: \(path) holds a model of kind '\(kind)'; Sum-of-Parts needs a TabResNet (`sann train --model tabresnet`), or leave --backbone out to train one first"
    case let .backboneData(path, reason):
      "--backbone: \(path) was trained on other data — \(reason); train it with the same --data/--dataset_id, --seed and --test_split_size, or leave --backbone out"
    }
  }
}
