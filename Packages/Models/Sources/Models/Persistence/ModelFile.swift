import Foundation
import Tensor

/// Saving and loading a trained snapshot ensemble with its card.
public enum ModelFile {
  public static let metadataKey = "sannkit.model"

  /// Writes the card (format ``ModelCard/formatVersion``) and every snapshot to `url`
  /// (atomically); BatchNorm's `num_batches_tracked` counters as I64, as PyTorch stores them.
  public static func save(card: ModelCard, snapshots: [[String: Tensor]], to url: URL) throws {
    var tensors: [String: Tensor] = [:]
    for (k, snapshot) in snapshots.enumerated() {
      for (name, value) in snapshot { tensors["snapshots.\(k).\(name)"] = value }
    }
    var card = card
    card.format = ModelCard.formatVersion
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = String(decoding: try encoder.encode(card), as: UTF8.self)
    try SafeTensors.save(tensors, metadata: [metadataKey: json], integers: Set(tensors.keys.filter { $0.hasSuffix(".num_batches_tracked") }), to: url)
  }

  /// Loads a model file written by ``save(card:snapshots:to:)`` (or by a SANNKit of format 1).
  ///
  /// - Throws: ``ModelFileError`` naming the file: not a model, a damaged or unknown card, an
  ///   architecture this build does not register, weights that do not fit the architecture.
  public static func load(from url: URL) throws -> (card: ModelCard, ensemble: SnapshotEnsemble) {
    let (tensors, metadata) = try SafeTensors.load(from: url)
    guard let json = metadata[metadataKey] else { throw ModelFileError.notAModel(path: url.path) }
    let card = try decodeCard(Data(json.utf8), path: url.path)
    guard card.snapshotCount >= 1, card.snapshotCount <= 1024 else {
      throw ModelFileError.damaged(path: url.path, reason: "the snapshot count \(card.snapshotCount) is outside 1...1024")
    }
    guard card.task == .multiclass ? card.outputs == card.classNames.count && card.outputs >= 3
            : card.outputs == 1 && (card.task == .regression || card.classNames.count == 2) else {
      throw ModelFileError.damaged(path: url.path, reason: "a \(card.task.rawValue) model with \(card.outputs) outputs and \(card.classNames.count) class names")
    }
    guard card.features == card.preprocessor.encodedWidth else {
      throw ModelFileError.damaged(path: url.path, reason: "\(card.features) features but the preprocessing encodes \(card.preprocessor.encodedWidth)")
    }
    guard Set(card.classNames).count == card.classNames.count else {
      throw ModelFileError.damaged(path: url.path, reason: "the class names \(card.classNames) repeat")
    }
    let encoded = card.preprocessor.encodedNames
    guard Set(card.preprocessor.featureNames).count == card.preprocessor.featureNames.count, Set(encoded).count == encoded.count else {
      throw ModelFileError.damaged(path: url.path, reason: "the preprocessing names a feature twice")
    }
    for case let .numeric(name, mean, scale) in card.preprocessor.transforms where !(mean.isFinite && scale.isFinite && scale > 0) {
      throw ModelFileError.damaged(path: url.path, reason: "column '\(name)' is standardised with mean \(mean) and scale \(scale); the scale must be positive and both finite")
    }
    guard card.targetMean.isFinite, card.targetScale.isFinite, card.targetScale > 0 else {
      throw ModelFileError.damaged(path: url.path, reason: "the target is standardised with mean \(card.targetMean) and scale \(card.targetScale)")
    }
    var snapshots = [[String: Tensor]](repeating: [:], count: card.snapshotCount)
    for (key, value) in tensors.sorted(by: { $0.key < $1.key }) {
      let parts = key.split(separator: ".", maxSplits: 2)
      guard parts.count == 3, parts[0] == "snapshots", let k = Int(parts[1]), k >= 0, k < card.snapshotCount else {
        throw ModelFileError.damaged(path: url.path, reason: "unexpected tensor '\(key)'")
      }
      snapshots[k][String(parts[2])] = value
    }
    for snapshot in snapshots {
      if let name = snapshot.keys.sorted().first(where: { !snapshot[$0]!.scalars.allSatisfy(\.isFinite) }) {
        throw ModelFileError.weights(path: url.path, kind: card.kind, reason: "'\(name)' holds NaN or infinite values")
      }
      if let name = snapshot.keys.sorted().first(where: { $0.hasSuffix("running_var") && snapshot[$0]!.scalars.contains { $0 < 0 } }) {
        throw ModelFileError.weights(path: url.path, kind: card.kind, reason: "'\(name)' holds a negative variance")
      }
    }
    do {
      let ensemble = try SnapshotEnsemble(snapshots: snapshots, task: card.task, targetMean: card.targetMean, targetScale: card.targetScale) {
        try card.makeModel()
      }
      return (card, ensemble)
    } catch let error as ArchitectureError {
      throw ModelFileError.configuration(path: url.path, kind: card.kind, reason: "\(error)")
    } catch let error as StateDictError {
      throw ModelFileError.weights(path: url.path, kind: card.kind, reason: "\(error)")
    }
  }

  /// The card of either format, with errors that name the file and the kind.
  static func decodeCard(_ json: Data, path: String) throws -> ModelCard {
    struct Header: Decodable {
      var format: Int
      var kind: String?
      var model: Kind?
      /// Format 3 names the kind in `model`, format 2 in `model.kind`, format 1 in `kind`.
      enum Kind: Decodable {
        case name(String)
        case nested(String)
        init(from decoder: any Decoder) throws {
          struct Nested: Decodable { var kind: String }
          if let name = try? decoder.singleValueContainer().decode(String.self) { self = .name(name) } else { self = .nested(try Nested(from: decoder).kind) }
        }
        var kind: String { switch self { case .name(let k), .nested(let k): k } }
      }
    }
    let header: Header
    do {
      header = try JSONDecoder().decode(Header.self, from: json)
    } catch {
      throw ModelFileError.damaged(path: path, reason: describe(error))
    }
    guard (1...ModelCard.formatVersion).contains(header.format) else {
      throw ModelFileError.unsupportedFormat(path: path, format: header.format)
    }
    guard let kind = header.model?.kind ?? header.kind else {
      throw ModelFileError.damaged(path: path, reason: "it names no architecture")
    }
    guard ModelRegistry.kinds.contains(kind) else {
      throw ModelFileError.unknownKind(path: path, kind: kind, known: ModelRegistry.kinds)
    }
    do {
      switch header.format {
      case 1: return try JSONDecoder().decode(LegacyModelCard.self, from: json).card()
      case 2: return try JSONDecoder().decode(Format2ModelCard.self, from: json).card()
      default: return try JSONDecoder().decode(ModelCard.self, from: json)
      }
    } catch {
      throw ModelFileError.configuration(path: path, kind: kind, reason: describe(error))
    }
  }

  /// A decoding error as "field a.b: what", instead of Foundation's description.
  static func describe(_ error: any Error) -> String {
    func path(_ keys: [any CodingKey]) -> String { keys.isEmpty ? "the top level" : "field " + keys.map(\.stringValue).joined(separator: ".") }
    switch error as? DecodingError {
    case .typeMismatch(let type, let context): return "\(path(context.codingPath)): expected \(type) (\(context.debugDescription))"
    case .valueNotFound(_, let context): return "\(path(context.codingPath)): missing value"
    case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): missing"
    case .dataCorrupted(let context):
      return "\(path(context.codingPath)): \(context.debugDescription)" + (context.underlyingError.map { " (\($0))" } ?? "")
    default: return "\(error)"
    }
  }
}
