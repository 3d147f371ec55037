import Foundation
import Models
import ModelsONNX
import Testing

/// `sann export --format onnx` (issue 16): the exported graph computes what `sann predict` and
/// `sann explain` print, checked in ONNX Runtime row by row; bad input fails with nothing
/// written.
@Suite("sann export")
struct ExportCommandTests {
  /// Whether python3 with numpy, onnx and onnxruntime is on the PATH (CI installs them with pip).
  static let onnxRuntime = SANNProcess.python(imports: "numpy, onnx, onnxruntime")

  static func json(_ text: String) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
  }

  /// Every number in `b` within `tolerance`·max(1, |a|) of `a`, every string, list and key alike.
  static func compare(_ a: Any, _ b: Any?, tolerance: Double, at path: String, worst: inout Double) -> String? {
    switch a {
    case let x as [String: Any]:
      guard let y = b as? [String: Any], Set(x.keys) == Set(y.keys) else { return "\(path): keys differ" }
      for key in x.keys.sorted() {
        if let problem = compare(x[key]!, y[key], tolerance: tolerance, at: "\(path).\(key)", worst: &worst) { return problem }
      }
    case let x as [Any]:
      guard let y = b as? [Any], x.count == y.count else { return "\(path): lengths differ" }
      for (i, (u, v)) in zip(x, y).enumerated() {
        if let problem = compare(u, v, tolerance: tolerance, at: "\(path)[\(i)]", worst: &worst) { return problem }
      }
    case let x as String:
      guard x == b as? String else { return "\(path): sann '\(x)', ONNX '\(b ?? "nil")'" }
    case let x as NSNumber:
      guard let y = b as? NSNumber else { return "\(path): ONNX has no number" }
      let gap = Swift.abs(x.doubleValue - y.doubleValue) / Swift.max(1, Swift.abs(x.doubleValue))
      worst = Swift.max(worst, gap)
      guard gap <= tolerance else { return "\(path): sann \(x), ONNX \(y)" }
    default:
      return "\(path): unexpected \(a)"
    }
    return nil
  }

  /// Issue 16's acceptance 1: every architecture on iris (multiclass), wdbc (binary), credit-g
  /// (categorical columns, ARFF) and diabetes (regression), three snapshots where the trainer
  /// makes them: onnx.checker passes, and ONNX Runtime's probabilities (or predictions) agree with
  /// `sann predict` to 1e-5 and its logits, bias and contributions (or groups and their
  /// contributions) with `sann explain` to 1e-4, on every row (relative above 1: a regression
  /// value of 300 is a float32 with 3e-5 between neighbours).
  @Test("ONNX Runtime computes what sann predict and sann explain print, on every row",
        .enabled(if: ExportCommandTests.onnxRuntime, "needs python3 with numpy, onnx and onnxruntime (CI installs them with pip)"), arguments: ["inn", "tabresnet", "logistic", "nam", "sop"])
  func agreesWithSann(_ kind: String) throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = SANNProcess.repositoryRoot.appendingPathComponent("Tools/scripts/sannkit_onnx.py").path
    for file in ["61-iris.csv", "1510-wdbc.csv", "31-credit-g.arff", "diabetes-regression.csv"] {
      let data = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/\(file)").path
      var arguments = ["train", "--data", data, "--model", kind, "--seed", "1", "--output_dir", directory.path, "--quiet"]
      switch kind {
      case "logistic": break
      case "nam": arguments += ["--nr_epochs", "4", "--param", "hidden=8", "--param", "models=2"]  // two members: their mean
      case "sop": arguments += ["--nr_epochs", "3", "--hidden_size", "16", "--param", "groups=6"]
      default: arguments += ["--nr_epochs", "6", "--hidden_size", "16"]
      }
      if file.hasPrefix("diabetes") { arguments += ["--mode", "regression"] }
      let trained = try SANNProcess.run(arguments)
      try #require(trained.status == 0, "\(kind) \(file): \(trained.stderr)")
      let run = directory.appendingPathComponent("\(kind)/\((file as NSString).deletingPathExtension)/1").path
      let onnx = directory.appendingPathComponent("\(kind)-\(file).onnx").path
      let exported = try SANNProcess.run(["export", run, "--format", "onnx", "--output", onnx])
      try #require(exported.status == 0, "\(kind) \(file): \(exported.stderr)")
      #expect(exported.stdout.contains("wrote \(onnx)"))
      var commands = [("predict", 1e-5)]
      if kind != "tabresnet" { commands.append(("explain", 1e-4)) }
      for (command, tolerance) in commands {
        let expected = try SANNProcess.run([command, "--model", run, "--data", data, "--format", "json"])
        try #require(expected.status == 0, "\(kind) \(file) sann \(command): \(expected.stderr)")
        let computed = try SANNProcess.runTool("/usr/bin/env", ["python3", script, command, onnx, data])
        try #require(computed.status == 0, "\(kind) \(file) ONNX Runtime \(command): \(computed.stderr)")
        let (a, b) = (try Self.json(expected.stdout), try Self.json(computed.stdout))
        #expect(a.count == b.count && a.count >= 150, "\(kind) \(file) \(command): \(a.count) rows from sann, \(b.count) from ONNX Runtime")
        var worst = 0.0
        for (x, y) in zip(a, b) {
          if let problem = Self.compare(x, y, tolerance: tolerance, at: "row \(x["row"] ?? "?")", worst: &worst) {
            Issue.record("\(kind) \(file) \(command): \(problem)")
            break
          }
        }
        print("\(kind) \(file) \(command): \(a.count) rows, largest difference \(worst)")
      }
    }
  }

  /// Raw rows as a user has them: credit-g as CSV with numeric and categorical cells missing
  /// (empty and "?") and a level the model never saw. `sann predict`/`explain` read a missing
  /// numeric value as its training mean and a missing or unseen level as all zeros; the ONNX
  /// graph does the same from NaN and out-of-range codes.
  @Test("missing values and unseen levels: ONNX Runtime reads NaN and unknown codes as sann reads empty cells and unseen levels",
        .enabled(if: ExportCommandTests.onnxRuntime, "needs python3 with numpy, onnx and onnxruntime (CI installs them with pip)"))
  func missingValues() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let arff = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/31-credit-g.arff")
    let trained = try SANNProcess.run(["train", "--data", arff.path, "--interpretable", "--nr_epochs", "6", "--hidden_size", "16",
                                       "--seed", "2", "--output_dir", directory.path, "--quiet"])
    try #require(trained.status == 0, "\(trained.stderr)")
    let table = try DataTable.read(url: arff)
    var lines = [table.columns.map { "\"\($0.name)\"" }.joined(separator: ",")]
    for r in 0..<200 {
      lines.append(table.columns.enumerated().map { j, column -> String in
        if (r + j) % 7 == 0 { return r % 2 == 0 ? "" : "?" }                // missing
        switch column.values {
        case .numeric(let cells): return cells[r].map { "\($0)" } ?? ""
        case .categorical(let levels, let codes):
          if (r + 2 * j) % 11 == 0 { return "\"never seen\"" }           // a level the model does not know
          return codes[r].map { "\"\(levels[$0])\"" } ?? ""
        }
      }.joined(separator: ","))
    }
    let csv = directory.appendingPathComponent("credit-g-missing.csv")
    try (lines.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
    let run = directory.appendingPathComponent("inn/31-credit-g/2").path
    let onnx = directory.appendingPathComponent("inn.onnx").path
    let exported = try SANNProcess.run(["export", run, "--format", "onnx", "--output", onnx, "--quiet"])
    try #require(exported.status == 0, "\(exported.stderr)")
    let script = SANNProcess.repositoryRoot.appendingPathComponent("Tools/scripts/sannkit_onnx.py").path
    for (command, tolerance) in [("predict", 1e-5), ("explain", 1e-4)] {
      let expected = try SANNProcess.run([command, "--model", run, "--data", csv.path, "--format", "json"])
      try #require(expected.status == 0, "sann \(command): \(expected.stderr)")
      let computed = try SANNProcess.runTool("/usr/bin/env", ["python3", script, command, onnx, csv.path])
      try #require(computed.status == 0, "ONNX Runtime \(command): \(computed.stderr)")
      let (a, b) = (try Self.json(expected.stdout), try Self.json(computed.stdout))
      #expect(a.count == 200 && b.count == 200)
      var worst = 0.0
      for (x, y) in zip(a, b) {
        if let problem = Self.compare(x, y, tolerance: tolerance, at: "row \(x["row"] ?? "?")", worst: &worst) {
          Issue.record("missing values, \(command): \(problem)")
          break
        }
      }
    }
  }

  /// What `sann predict` refuses, the ONNX script refuses too, with a message and no traceback:
  /// non-decimal or non-finite numbers, rows of the wrong length, a header naming a column twice,
  /// no data rows; and for a Sum-of-Parts model, huge values (1e20 … 3e38 in a column) are an
  /// error in both or the same prediction in both — never a made-up 0.5 where sann reports an
  /// overflow (the graph lets the overflow show as NaN).
  @Test("bad data: the ONNX script refuses what sann predict refuses, with a message; huge values give the same answer or the same refusal",
        .enabled(if: ExportCommandTests.onnxRuntime, "needs python3 with numpy, onnx and onnxruntime (CI installs them with pip)"))
  func badData() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let arff = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/31-credit-g.arff")
    let script = SANNProcess.repositoryRoot.appendingPathComponent("Tools/scripts/sannkit_onnx.py").path
    let table = try DataTable.read(url: arff)
    func csv(_ edit: (inout [String], inout [String]) -> Void) throws -> String {
      var header = table.columns.map(\.name)
      var row = table.columns.map { column -> String in
        switch column.values {
        case .numeric(let cells): return cells[0].map { "\($0)" } ?? ""
        case .categorical(let levels, let codes): return codes[0].map { "\"\(levels[$0])\"" } ?? ""
        }
      }
      edit(&header, &row)
      let url = directory.appendingPathComponent("\(UUID().uuidString).csv")
      try (header.joined(separator: ",") + "\n" + row.joined(separator: ",") + "\n").write(to: url, atomically: true, encoding: .utf8)
      return url.path
    }
    let duration = try #require(table.columns.firstIndex { $0.name == "duration" })
    let amount = try #require(table.columns.firstIndex { $0.name == "credit_amount" })
    let cases: [(String, String)] = [
      ("inf in a numeric column", try csv { _, row in row[duration] = "inf" }),
      ("nan in a numeric column", try csv { _, row in row[duration] = "nan" }),
      ("1e39, beyond Float", try csv { _, row in row[duration] = "1e39" }),
      ("1_000", try csv { _, row in row[duration] = "1_000" }),
      ("a short row", try csv { _, row in row.removeLast(3) }),
      ("a column named twice", try csv { header, _ in header[1] = header[0] }),
      ("no data rows", try {
        let url = directory.appendingPathComponent("header-only.csv")
        try (table.columns.map(\.name).joined(separator: ",") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
      }()),
    ]
    for kind in ["inn", "sop"] {
      let trained = try SANNProcess.run(["train", "--data", arff.path, "--model", kind, "--nr_epochs", "3", "--hidden_size", "16",
                                         "--seed", "0", "--output_dir", directory.path, "--quiet"])
      try #require(trained.status == 0, "\(trained.stderr)")
      let run = directory.appendingPathComponent("\(kind)/31-credit-g/0").path
      let onnx = directory.appendingPathComponent("\(kind).onnx").path
      let exported = try SANNProcess.run(["export", run, "--format", "onnx", "--output", onnx, "--quiet"])
      try #require(exported.status == 0, "\(exported.stderr)")
      if kind == "sop" {
        // Huge values: where sann predict reports an overflow, so does the script; where it
        // predicts, the script predicts the same.
        for value in ["1e20", "-1e20", "1e30", "3e38"] {
          let data = try csv { _, row in row[amount] = value }
          let sann = try SANNProcess.run(["predict", "--model", run, "--data", data, "--format", "json"])
          let onnxRun = try SANNProcess.runTool("/usr/bin/env", ["python3", script, "predict", onnx, data])
          #expect((sann.status == 0) == (onnxRun.status == 0), "sop, \(value): sann exit \(sann.status) \(sann.stderr), ONNX exit \(onnxRun.status) \(onnxRun.stderr)")
          #expect(onnxRun.status == 0 || (onnxRun.stderr.hasPrefix("error: ") && !onnxRun.stderr.contains("Traceback")), "\(onnxRun.stderr)")
          if sann.status == 0 && onnxRun.status == 0 {
            var worst = 0.0
            let problem = Self.compare(try Self.json(sann.stdout), try Self.json(onnxRun.stdout), tolerance: 1e-5, at: "sop \(value)", worst: &worst)
            #expect(problem == nil, "\(problem ?? "")")
          }
        }
        continue
      }
      for (label, data) in cases {
        let sann = try SANNProcess.run(["predict", "--model", run, "--data", data])
        let onnxRun = try SANNProcess.runTool("/usr/bin/env", ["python3", script, "predict", onnx, data])
        #expect(sann.status != 0, "\(kind), \(label): sann predict accepted it")
        #expect(onnxRun.status != 0 && onnxRun.stderr.hasPrefix("error: ") && !onnxRun.stderr.contains("Traceback"),
                "\(kind), \(label): the ONNX script gave exit \(onnxRun.status), stderr \(onnxRun.stderr), stdout \(onnxRun.stdout.prefix(200))")
      }
    }
  }

  /// A black box has no explanation outputs; an explaining model's are declared with their
  /// shapes; the file declares opset 17 and standard operators only; the constants are the
  /// snapshots' parameters and a few hundred more (no blow-up); the metadata documents the input.
  @Test("the ONNX file: opset 17, standard operators, declared outputs, constants no larger than the model, metadata")
  func fileStructure() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/31-credit-g.arff").path
    for (kind, outputs) in [("inn", ["probabilities", "logits", "contributions", "bias"]), ("tabresnet", ["probabilities", "logits"]),
                            ("sop", ["probabilities", "logits", "group_masks", "group_scores"])] {
      let trained = try SANNProcess.run(["train", "--data", data, "--model", kind, "--nr_epochs", "3", "--hidden_size", "16",
                                         "--seed", "0", "--output_dir", directory.path, "--quiet"])
      try #require(trained.status == 0, "\(trained.stderr)")
      let run = directory.appendingPathComponent("\(kind)/31-credit-g/0")
      let onnx = directory.appendingPathComponent("\(kind).onnx")
      let exported = try SANNProcess.run(["export", run.path, "--format", "onnx", "--output", onnx.path, "--quiet"])
      try #require(exported.status == 0, "\(exported.stderr)")
      #expect(exported.stdout.isEmpty)
      let model = try ONNXFile.read(Data(contentsOf: onnx))
      // A path ending in '/' is refused; a replaced file keeps its permissions.
      let slash = try SANNProcess.run(["export", run.path, "--format", "onnx", "--output", directory.appendingPathComponent("new").path + "/"])
      #expect(slash.status != 0 && slash.stderr.contains("ends in '/'"), "\(slash.stderr)")
      #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("new").path))
      try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: onnx.path)
      #expect(try SANNProcess.run(["export", run.path, "--format", "onnx", "--output", onnx.path, "--quiet"]).status == 0)
      #expect(try FileManager.default.attributesOfItem(atPath: onnx.path)[.posixPermissions] as? Int == 0o600)
      #expect(model.opsetImport.map(\.version) == [17] && model.opsetImport[0].domain.isEmpty)
      #expect(model.graph.node.allSatisfy { $0.domain.isEmpty })
      #expect(model.graph.output.map(\.name) == outputs)
      // Every node feeds an output: nothing is computed for nothing.
      var needed = Set(model.graph.output.map(\.name))
      for node in model.graph.node.reversed() where node.output.contains(where: needed.contains) { needed.formUnion(node.input) }
      let dead = model.graph.node.filter { !$0.output.contains(where: needed.contains) }.map(\.name)
      #expect(dead.isEmpty, "\(kind): \(dead.count) nodes feed no output, e.g. \(dead.prefix(5))")
      // To a pipe: the model goes to standard output, the summary to standard error.
      let piped = try SANNProcess.run(["export", run.path, "--format", "onnx", "--output", "/dev/stdout"])
      #expect(piped.status == 0 && piped.stderr.contains("wrote /dev/stdout"), "\(piped.stderr)")
      #expect(try ONNXFile.read(piped.stdoutData).graph.node.count == model.graph.node.count)
      #expect(model.graph.input.map(\.name) == ["features"])
      #expect(model.graph.input[0].type.tensorType.shape.dim.map(\.dimValue) == [0, 20])
      let (card, ensemble) = try ModelFile.load(from: run.appendingPathComponent("model.safetensors"))
      let parameters = ensemble.snapshots.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } }
      let constants = model.graph.initializer.reduce(0) { $0 + $1.rawData.count / ($1.dataType == 1 ? 4 : 8) }
      #expect(constants <= parameters + 600, "\(kind): \(constants) constant scalars for \(parameters) parameters")
      let metadata = try #require(model.metadataProps.first { $0.key == ONNXExport.metadataKey }?.value)
      let object = try #require(try JSONSerialization.jsonObject(with: Data(metadata.utf8)) as? [String: Any])
      let input = try #require(object["input"] as? [String: Any])
      let columns = try #require(input["columns"] as? [[String: Any]])
      #expect(columns.map { $0["name"] as? String } == card.preprocessor.featureNames)
      #expect(columns.first { $0["name"] as? String == "checking_status" }?["levels"] as? [String] == ["<0", "0<=X<200", ">=200", "no checking"])
      #expect((object["classes"] as? [String]) == card.classNames)
      #expect(Set((object["outputs"] as? [String: String])?.keys.map { $0 } ?? []) == Set(outputs))
    }
  }

  /// Issue 16's acceptance 4 for export: not a run directory, a file that is not a model, an
  /// unknown format → a clear error, a non-zero exit, nothing written (an existing output file
  /// is left as it was).
  @Test("bad input: no such directory, not a run, not a model, unknown format — a clear error and nothing written")
  func badInput() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("out.onnx")
    let empty = directory.appendingPathComponent("empty")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    let notModel = directory.appendingPathComponent("fake/model.safetensors")
    try FileManager.default.createDirectory(at: notModel.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data("not a safetensors file".utf8).write(to: notModel)
    for (arguments, message) in [
      (["export", directory.appendingPathComponent("missing").path, "--format", "onnx", "--output", output.path], "no such run directory"),
      (["export", empty.path, "--format", "onnx", "--output", output.path], "is not a run directory"),
      (["export", notModel.deletingLastPathComponent().path, "--format", "onnx", "--output", output.path], "model.safetensors"),
      (["export", empty.path, "--format", "tflite", "--output", output.path], "tflite"),
      (["export", notModel.deletingLastPathComponent().path, "--format", "onnx", "--output", notModel.path], "is the input file"),
    ] {
      let result = try SANNProcess.run(arguments)
      #expect(result.status != 0, "\(arguments)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: output.path), "\(arguments) wrote \(output.path)")
    }
    #expect(try Data(contentsOf: notModel) == Data("not a safetensors file".utf8))
  }
}
