// Model files: format 3 round trips through the registry, format-1 and format-2 files written
// by earlier SANNKits still load and predict what they predicted then, and damaged or foreign cards fail
// with a message that names the file and says how to fix it.

import Foundation
import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("Model files")
struct ModelFileTests {
  static func iris() throws -> DataTable {
    try DataTable.read(url: try #require(DatasetLocator.bundledDirectory).appendingPathComponent("61-iris.csv"))
  }

  static func fixture(_ name: String) throws -> URL {
    try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "safetensors"))
  }

  /// Probabilities of iris rows 0, 50 and 100 as `sann predict` printed them from the two
  /// fixtures, with the SANNKit that wrote them (format 1, commit ef12505).
  static let format1Predictions: [String: [[Double]]] = [
    "format1-inn-iris": [[0.29130226373672485, 0.11269209533929825, 0.5960056781768799],
                         [0.2517286539077759, 0.24795739352703094, 0.500313937664032],
                         [0.3630618155002594, 0.3726741671562195, 0.26426395773887634]],
    "format1-tabresnet-iris": [[0.24479393661022186, 0.39835071563720703, 0.3568553328514099],
                               [0.22567297518253326, 0.29354599118232727, 0.48078104853630066],
                               [0.25251027941703796, 0.3501429259777069, 0.3973468244075775]],
  ]

  @Test("format-1 files (INN, TabResNet) load and predict exactly what they predicted when written", arguments: ["format1-inn-iris", "format1-tabresnet-iris"])
  func format1(name: String) throws {
    let (card, ensemble) = try ModelFile.load(from: try Self.fixture(name))
    #expect(card.format == 1 || card.format == ModelCard.formatVersion)
    #expect(card.kind == (name.contains("inn") ? "inn" : "tabresnet"))
    #expect(card.training.epochs == 2 && card.training.restarts == 1 && card.training.seed == 3)
    if card.kind == "inn" {
      #expect(card.model.configuration as? MesomorphicNetwork.Configuration == .init(width: 4, blocks: 1, weightNorm: 0.1))
    } else {
      #expect(card.model.configuration as? TabResNet.Configuration == .init(width: 4, blocks: 1, weightNorm: 0.1))
    }
    let x = try card.preprocessor.transform(try Self.iris(), rows: [0, 50, 100])
    let p = try ensemble.predict(x)
    let expected = try #require(Self.format1Predictions[name])
    for r in 0..<3 {
      for c in 0..<3 { #expect(Swift.abs(Double(p[r, c]) - expected[r][c]) < 1e-7, "row \(r), class \(c)") }
    }
  }

  @Test("a format-2 file (camelCase card, three snapshots of a binary INN) loads and predicts what it predicted when written")
  func format2() throws {
    let (card, ensemble) = try ModelFile.load(from: try Self.fixture("format2-inn-wdbc"))
    #expect(card.format == 2 && card.kind == "inn" && card.task == .binary && card.snapshotCount == 3)
    #expect(card.classNames == ["benign", "malignant"] && card.features == 30 && card.training.seed == 3 && card.training.epochs == 8)
    #expect(card.model.configuration as? MesomorphicNetwork.Configuration == .init(width: 4, blocks: 1, weightNorm: 0.1))
    let table = try DataTable.read(url: try #require(DatasetLocator.bundledDirectory).appendingPathComponent("1510-wdbc.csv"))
    let p = try ensemble.predict(try card.preprocessor.transform(table, rows: [0, 1, 19, 40]))
    // `sann predict --rows 0,1,19,40` with the SANNKit that wrote it (commit b9c5897).
    let expected: [Double] = [0.9997738599777222, 0.9985421895980835, 0.2294781655073166, 0.28324711322784424]
    for r in 0..<4 { #expect(Swift.abs(Double(p[r, 1]) - expected[r]) < 1e-6, "row \(r)") }
  }

  @Test("format 3: save then load gives the same card, configuration and predictions; snake_case keys, encoded columns, I64 counters")
  func roundTrip() throws {
    let data = try PreparedDataset.prepare(try Self.iris(), name: "iris", target: nil, regression: false, testFraction: 0.2, seed: 1)
    var experiment = Experiment(model: try ModelRegistry.specification(kind: "inn", hyperparameters: ["hidden_size": "8", "weight_norm": "0.25"]))
    experiment.training.epochs = 3
    let result = try experiment.run(data)
    let url = try makeTemporaryDirectory("model-file").appendingPathComponent("model.safetensors")
    try ModelFile.save(card: result.card, snapshots: result.snapshots, to: url)
    let (card, ensemble) = try ModelFile.load(from: url)
    #expect(card.format == 3 && card.model == result.card.model && card.training == experiment.training)
    #expect(card.preprocessor == result.card.preprocessor && card.classNames == result.card.classNames && card.snapshotCount == result.snapshots.count)
    #expect(card.model.configuration as? MesomorphicNetwork.Configuration == .init(width: 8, blocks: 2, weightNorm: 0.25))
    let reference = result.ensemble
    #expect(try ensemble.predict(data.xTest).scalars == reference.predict(data.xTest).scalars)
    // What a reader without SANNKit sees (Docs/model-file.md).
    let bytes = try Data(contentsOf: url)
    let length = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
    let header = try #require(try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + length))) as? [String: Any])
    let counter = try #require(header["snapshots.0.backbone.input_norm.num_batches_tracked"] as? [String: Any])
    #expect(counter["dtype"] as? String == "I64")
    #expect((header["snapshots.0.head.weight"] as? [String: Any])?["dtype"] as? String == "F32")
    let json = try #require((header["__metadata__"] as? [String: String])?[ModelFile.metadataKey])
    let written = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(Set(written.keys) == ["format", "model", "task", "target", "classes", "outputs", "snapshots", "target_mean", "target_scale",
                                  "columns", "encoded_features", "encoded_columns", "configuration"])
    #expect(written["model"] as? String == "inn" && written["classes"] as? [String] == ["setosa", "versicolor", "virginica"])
    let encoded = try #require(written["encoded_columns"] as? [[String: String]])
    #expect(encoded.map { $0["name"]! } == card.preprocessor.encodedNames)
    let configuration = try #require(written["configuration"] as? [String: Any])
    #expect(configuration["learning_rate"] as? Double == 0.01 && configuration["weight_norm"] as? Double == 0.25 && configuration["hidden_size"] as? Int == 8)
    #expect(json.contains("\"learning_rate\":0.01,"))
  }

  /// A copy of the INN fixture whose card JSON is replaced by `edit(card)`.
  static func edited(_ edit: (inout [String: Any]) -> Void) throws -> URL {
    let (tensors, metadata) = try SafeTensors.load(from: try fixture("format1-inn-iris"))
    var card = try JSONSerialization.jsonObject(with: Data(metadata[ModelFile.metadataKey]!.utf8)) as! [String: Any]
    edit(&card)
    let json = String(decoding: try JSONSerialization.data(withJSONObject: card), as: UTF8.self)
    let url = try makeTemporaryDirectory("model-file").appendingPathComponent("model.safetensors")
    try SafeTensors.save(tensors, metadata: [ModelFile.metadataKey: json], to: url)
    return url
  }

  /// The format-2 fixture saved again as format 3, with its card JSON replaced by `edit(card)`.
  static func editedFormat3(_ edit: (inout [String: Any]) -> Void) throws -> URL {
    let (card, ensemble) = try ModelFile.load(from: try fixture("format2-inn-wdbc"))
    let directory = try makeTemporaryDirectory("model-file-3")
    let clean = directory.appendingPathComponent("clean.safetensors")
    try ModelFile.save(card: card, snapshots: ensemble.snapshots, to: clean)
    let (tensors, metadata) = try SafeTensors.load(from: clean)
    var json = try JSONSerialization.jsonObject(with: Data(metadata[ModelFile.metadataKey]!.utf8)) as! [String: Any]
    edit(&json)
    let url = directory.appendingPathComponent("model.safetensors")
    try SafeTensors.save(tensors, metadata: [ModelFile.metadataKey: String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)],
                         to: url)
    return url
  }

  @Test("format-3 cards with damaged columns, encoded columns, counts or configuration fail with the file, the field and a fix")
  func damagedFormat3Cards() throws {
    #expect(try Self.message(try Self.editedFormat3 { _ in }) == nil)
    let encoded = try #require(Self.message(try Self.editedFormat3 { card in
      var columns = card["encoded_columns"] as! [[String: Any]]
      columns.swapAt(0, 1)
      card["encoded_columns"] = columns
    }))
    #expect(encoded.contains("encoded_columns") && encoded.contains("retrain"), "\(encoded)")
    let kind = try #require(Self.message(try Self.editedFormat3 { card in
      var columns = card["columns"] as! [[String: Any]]
      columns[0]["kind"] = "ordinal"
      card["columns"] = columns
    }))
    #expect(kind.contains("mean_radius") && kind.contains("ordinal"), "\(kind)")
    let missing = try #require(Self.message(try Self.editedFormat3 { $0.removeValue(forKey: "columns") }))
    #expect(missing.contains("field columns: missing"), "\(missing)")
    let snapshots = try #require(Self.message(try Self.editedFormat3 { $0["snapshots"] = 0 }))
    #expect(snapshots.contains("snapshot count 0"), "\(snapshots)")
    let width = try #require(Self.message(try Self.editedFormat3 { card in
      var configuration = card["configuration"] as! [String: Any]
      configuration["hidden_size"] = 1 << 40
      card["configuration"] = configuration
    }))
    #expect(width.contains("hidden_size") && width.contains("retrain"), "\(width)")
    let features = try #require(Self.message(try Self.editedFormat3 { $0["encoded_features"] = 29 }))
    #expect(features.contains("29 features"), "\(features)")
    let model = try #require(Self.message(try Self.editedFormat3 { $0["model"] = ["kind": "inn"] }))
    #expect(model.contains("model.safetensors"), "\(model)")
  }

  static func message(_ url: URL) -> String? {
    do {
      _ = try ModelFile.load(from: url)
      return nil
    } catch let error as ModelFileError {
      return error.description
    } catch {
      return "not a ModelFileError: \(error)"
    }
  }

  @Test("an unknown kind, a configuration that does not decode, a newer format and damaged sizes fail with the file, the kind and a fix")
  func damagedCards() throws {
    let unknown = try #require(Self.message(try Self.edited { $0["kind"] = "transformer" }))
    #expect(unknown.contains("model.safetensors") && unknown.contains("'transformer'") && unknown.contains("inn, tabresnet"))
    let noWidth = try #require(Self.message(try Self.edited { $0.removeValue(forKey: "width") }))
    #expect(noWidth.contains("'inn'") && noWidth.contains("retrain"))
    let newer = try #require(Self.message(try Self.edited { $0["format"] = 99 }))
    #expect(newer.contains("format 99") && newer.contains("newer"))
    let huge = try #require(Self.message(try Self.edited { $0["width"] = 1 << 40 }))
    #expect(huge.contains("hidden_size") && huge.contains("retrain"))
    let snapshots = try #require(Self.message(try Self.edited { $0["snapshotCount"] = 1 << 62 }))
    #expect(snapshots.contains("snapshot count"))
    let outputs = try #require(Self.message(try Self.edited { $0["outputs"] = 2 }))
    #expect(outputs.contains("outputs"))
    let classes = try #require(Self.message(try Self.edited { $0["classNames"] = ["a", "a", "b"] }))
    #expect(classes.contains("repeat"))
    let scale = try #require(Self.message(try Self.edited { card in
      var preprocessor = card["preprocessor"] as! [String: Any]
      var transforms = preprocessor["transforms"] as! [[String: Any]]
      var numeric = transforms[0]["numeric"] as! [String: Any]
      numeric["scale"] = 0
      transforms[0]["numeric"] = numeric
      preprocessor["transforms"] = transforms
      card["preprocessor"] = preprocessor
    }))
    #expect(scale.contains("sepal_length_cm") && scale.contains("scale"))
    let tooBig = try #require(Self.message(try Self.edited { $0["features"] = 1e30 }))
    #expect(tooBig.contains("model.safetensors") && tooBig.contains("retrain"), "\(tooBig)")
    let missing = try #require(Self.message(try Self.edited { $0.removeValue(forKey: "task") }))
    #expect(missing.contains("field task: missing"), "\(missing)")
    // Each edit of the issue's list (they trapped, segfaulted or aborted on allocation) is a
    // ModelFileError naming the file.
    let edits: [(String, (inout [String: Any]) -> Void)] = [
      ("snapshotCount -1", { $0["snapshotCount"] = -1 }), ("blocks -1", { $0["blocks"] = -1 }), ("features -1", { $0["features"] = -1 }),
      ("width 0", { $0["width"] = 0 }), ("outputs 0", { $0["outputs"] = 0 }), ("blocks 10^12", { $0["blocks"] = 1_000_000_000_000 }),
      ("too few class names", { $0["classNames"] = ["setosa", "versicolor"] }),
      ("empty transforms", { card in
        var preprocessor = card["preprocessor"] as! [String: Any]
        preprocessor["transforms"] = [[String: Any]]()
        card["preprocessor"] = preprocessor
      }),
    ]
    for (what, edit) in edits {
      let text = Self.message(try Self.edited(edit))
      #expect(text != nil && text!.contains("model.safetensors") && !text!.hasPrefix("not a ModelFileError"), "\(what): \(text ?? "loaded")")
    }
  }

  @Test("a value that overflows once standardised, and outputs that overflow, are errors, not NaN probabilities")
  func overflow() throws {
    let (card, ensemble) = try ModelFile.load(from: try Self.fixture("format1-tabresnet-iris"))
    let table = DataTable(source: "big.csv", columns: card.preprocessor.featureNames.enumerated().map { j, name in
      DataTable.Column(name: name, values: .numeric([j == 0 ? 3e38 : 1]))
    })
    #expect(throws: DatasetError.outOfRange(source: "big.csv", row: 1, column: "sepal_length_cm", value: 3e38, mean: 5.8675, scale: 0.82068694)) {
      try card.preprocessor.transform(table)
    }
    // Rows that reach the network non-finite (a caller who skipped the preprocessing) give NaN
    // logits: the ensemble says so instead of returning NaN probabilities.
    #expect(throws: PredictionError.self) { try ensemble.predict(Tensor(shape: [1, 4], scalars: [.infinity, 1, 1, 1])) }
  }

  @Test("weights that do not fit the architecture, or that are not finite, are rejected")
  func damagedWeights() throws {
    let (tensors, metadata) = try SafeTensors.load(from: try Self.fixture("format1-tabresnet-iris"))
    let directory = try makeTemporaryDirectory("model-file")
    var missing = tensors
    missing.removeValue(forKey: "snapshots.0.head.bias")
    try SafeTensors.save(missing, metadata: metadata, to: directory.appendingPathComponent("missing.safetensors"))
    #expect(Self.message(directory.appendingPathComponent("missing.safetensors"))?.contains("head.bias") == true)
    var nan = tensors
    nan["snapshots.0.head.bias"] = Tensor(shape: [3], scalars: [0, .nan, 0])
    try SafeTensors.save(nan, metadata: metadata, to: directory.appendingPathComponent("nan.safetensors"))
    #expect(Self.message(directory.appendingPathComponent("nan.safetensors"))?.contains("NaN") == true)
    var infinite = tensors
    infinite["snapshots.0.head.bias"] = Tensor(shape: [3], scalars: [0, .infinity, 0])
    try SafeTensors.save(infinite, metadata: metadata, to: directory.appendingPathComponent("inf.safetensors"))
    let message = Self.message(directory.appendingPathComponent("inf.safetensors"))
    #expect(message != nil && !message!.hasPrefix("not a ModelFileError"), "\(message ?? "loaded")")
  }
}

@Suite("Model files under random damage")
struct ModelFileFuzzTests {
  @Test("random edits of the card's JSON text (bytes changed, cut short, spliced) load or throw a ModelFileError, never crash")
  func fuzzCard() async throws {
    // Format 1 (the fixture) and format 3 (the format-2 fixture saved again), alternately.
    let format1 = try SafeTensors.load(from: try ModelFileTests.fixture("format1-inn-iris"))
    let format3 = try SafeTensors.load(from: try ModelFileTests.editedFormat3 { _ in })
    let directory = try makeTemporaryDirectory("model-fuzz")
    await propertyCheck(count: 400, input: Gen.uint64()) { seed in
      var rng = RandomGenerator(seed: seed)
      let (tensors, metadata) = seed % 2 == 0 ? format1 : format3
      let original = Array(metadata[ModelFile.metadataKey]!.utf8)
      var bytes = original
      switch rng.nextInt(below: 3) {
      case 0:
        let alphabet = Array("0123456789-.,:{}[]\"eE ".utf8)
        for _ in 0..<(1 + rng.nextInt(below: 4)) { bytes[rng.nextInt(below: bytes.count)] = alphabet[rng.nextInt(below: alphabet.count)] }
      case 1:
        bytes = Array(bytes.prefix(rng.nextInt(below: bytes.count)))
      default:
        let a = rng.nextInt(below: bytes.count)
        let b = rng.nextInt(below: bytes.count)
        bytes = Array(bytes[..<Swift.min(a, b)] + bytes[Swift.max(a, b)...])
      }
      let url = directory.appendingPathComponent("\(seed).safetensors")
      try SafeTensors.save(tensors, metadata: [ModelFile.metadataKey: String(decoding: bytes, as: UTF8.self)], to: url)
      do {
        _ = try ModelFile.load(from: url)
      } catch is ModelFileError {
      } catch {
        Issue.record("seed \(seed): \(type(of: error)) \(error)")
      }
      try? FileManager.default.removeItem(at: url)
    }
  }
}
