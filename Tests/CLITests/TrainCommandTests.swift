import Foundation
import Models
import Testing

@Suite("sann train")
struct TrainCommandTests {
  @Test("trains INN on a bundled dataset id and writes output_info.json and a loadable model")
  func trainsBundledDataset() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let result = try SANNProcess.run([
      "train", "--dataset_id", "1510", "--interpretable", "--nr_epochs", "8", "--hidden_size", "32",
      "--weight_norm", "0.1", "--output_dir", directory.path, "--data-dir", directory.path, "--quiet",
    ])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    let run = directory.appendingPathComponent("inn/1510/0")
    let info = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("output_info.json"))) as? [String: Any])
    for key in ["train_auroc", "train_accuracy", "test_auroc", "test_accuracy", "time", "top_10_features", "top_10_features_weights", "train_time", "inference_time"] {
      #expect(info[key] != nil, "missing \(key)")
    }
    // Majority class share is 62.7 %; a working model separates the classes well.
    #expect((info["test_auroc"] as? Double ?? 0) > 0.95)
    let (card, _) = try ModelFile.load(from: run.appendingPathComponent("model.safetensors"))
    #expect(card.kind == "inn")
    #expect(card.classNames == ["benign", "malignant"])
  }

  @Test("a run that replaces one of another task or target in the same folder says so; a rerun of the same does not")
  func warnsWhenReplacingAnotherKindOfRun() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func train(_ extra: [String]) throws -> String {
      let data = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/187-wine.csv").path
      let result = try SANNProcess.run(["train", "--data", data, "--model", "tabresnet", "--nr_epochs", "2", "--hidden_size", "16",
                                        "--output_dir", directory.path, "--quiet"] + extra)
      #expect(result.status == 0, "stderr: \(result.stderr)")
      return result.stderr
    }
    let folder = directory.appendingPathComponent("tabresnet/187-wine/0").path
    #expect(!(try train([])).contains("holds"))
    let regression = try train(["--mode", "regression", "--target", "alcohol"])
    #expect(regression.contains("warning: \(folder) holds a classification run of 'target'; this run replaces it"), "stderr: \(regression)")
    #expect(!(try train(["--mode", "regression", "--target", "alcohol"])).contains("holds"))
    let other = try train(["--mode", "regression", "--target", "magnesium"])
    #expect(other.contains("holds a regression run of 'alcohol'"), "stderr: \(other)")
  }

  @Test("data read from the file a run would write (its output_info.json) is refused, and stays")
  func refusesDataAtItsOwnOutput() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = directory.appendingPathComponent("logistic/output_info/0")
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    let data = run.appendingPathComponent("output_info.json")
    let original = try Data(contentsOf: SANNProcess.repositoryRoot.appendingPathComponent("Datasets/187-wine.csv"))
    try original.write(to: data)
    let result = try SANNProcess.run(["train", "--data", data.path, "--model", "logistic", "--output_dir", directory.path, "--quiet"])
    #expect(result.status == 1 && result.stderr.contains("is the output_info.json this run writes; move the data elsewhere or give another --output_dir"),
            "stderr: \(result.stderr)")
    #expect(try Data(contentsOf: data) == original)
  }

  @Test("--threads 1, 2 and auto train byte-identical models (INN and TabResNet, binary and multiclass)")
  func threadsDoNotChangeResults() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    // wdbc (binary, 30 features) and wine (3 classes): products of 64 rows split in two row blocks.
    for (dataset, model) in [("1510", "inn"), ("187", "inn"), ("187", "tabresnet")] {
      var files: [Data] = []
      for threads in ["1", "2", "auto"] {
        let out = directory.appendingPathComponent("t\(threads)")
        let result = try SANNProcess.run([
          "train", "--dataset_id", dataset, "--model", model, "--nr_epochs", "6", "--threads", threads,
          "--output_dir", out.path, "--data-dir", directory.path, "--quiet",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        files.append(try Data(contentsOf: out.appendingPathComponent("\(model)/\(dataset)/0/model.safetensors")))
      }
      #expect(files[0] == files[1] && files[1] == files[2], "\(model) on \(dataset): the model depends on --threads")
    }
    // With OpenBLAS threading products itself, --threads 2 competes with it for the cores: said, not silent.
    let out = directory.appendingPathComponent("openblas")
    let competing = try SANNProcess.runTool("/usr/bin/env", [
      "OPENBLAS_NUM_THREADS=2", SANNProcess.executable.path, "train", "--dataset_id", "1510", "--nr_epochs", "2", "--threads", "2",
      "--output_dir", out.path, "--data-dir", directory.path, "--quiet",
    ])
    #expect(competing.status == 0 && competing.stderr.contains("--threads 2 and OPENBLAS_NUM_THREADS=2 compete"), "stderr: \(competing.stderr)")
  }

  @Test("--param sets any hyperparameter the model reads, and --help lists every model's")
  func parameters() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/61-iris.csv").path
    let result = try SANNProcess.run([
      "train", "--data", data, "--model", "inn", "--param", "hidden-size=12", "--param", "weight_norm=0.5", "--nr_epochs", "2",
      "--output-dir", directory.path, "--quiet",
    ])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    let info = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("inn/61-iris/0/output_info.json"))) as! [String: Any]
    let configuration = info["configuration"] as! [String: Any]
    #expect(configuration["hidden_size"] as? Int == 12 && configuration["weight_norm"] as? Double == 0.5)
    let help = try SANNProcess.run(["train", "--help"])
    for kind in ModelRegistry.kinds { #expect(help.stdout.contains("  \(kind): "), "--help does not describe \(kind)") }
    #expect(help.stdout.contains("weight_norm (default 0.1;"))
  }

  @Test("flags are accepted with underscores and with dashes")
  func bothSpellings() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/61-iris.csv").path
    let result = try SANNProcess.run([
      "train", "--data", data, "--model", "tabresnet", "--nr-epochs", "3", "--hidden-size", "16", "--nr_blocks", "1",
      "--batch-size", "32", "--output-dir", directory.path, "--quiet",
    ])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("tabresnet/61-iris/0/output_info.json").path))
  }

  @Test("bad input gets one clear message, a non-zero exit and no output directory")
  func badInput() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let files: [(String, String)] = [
      ("ragged.csv", "a,b,y\n1,2,x\n3,z\n"), ("text.csv", "a,b,y\n1,2,x\n3,oops,z\n"), ("inf.csv", "a,b,y\n1,2,x\n3,inf,z\n"),
      ("single.csv", "a,b,y\n1,2,x\n3,4,x\n5,6,x\n"), ("empty.csv", ""), ("good.csv", "a,b,y\n1,2,x\n3,4,z\n"),
    ]
    for (name, contents) in files {
      try contents.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    let out = directory.appendingPathComponent("out").path
    let cases: [([String], String)] = [
      (["--data", directory.appendingPathComponent("ragged.csv").path], "line 3"),
      (["--data", directory.appendingPathComponent("text.csv").path], "column 'b'"),
      (["--data", directory.appendingPathComponent("inf.csv").path], "not a finite 32-bit number"),
      (["--data", directory.appendingPathComponent("single.csv").path], "single class"),
      (["--data", directory.appendingPathComponent("empty.csv").path], "empty"),
      (["--data", "/nonexistent/table.csv"], "/nonexistent/table.csv"),
      (["--data", directory.appendingPathComponent("good.csv").path, "--target", "nope"], "no column named 'nope'"),
      (["--dataset_id", "999999", "--data-dir", directory.path], "was not found"),
      (["--dataset_id", "1510", "--nr_epochs", "-1"], "--nr_epochs"),
      (["--dataset_id", "1510", "--test_split_size", "1.5"], "--test_split_size"),
      (["--dataset_id", "1510", "--batch_size", "1"], "--batch_size"),
      (["--dataset_id", "1510", "--model", "mlp"], "unknown model 'mlp'"),
      (["--dataset_id", "1510", "--hidden_size", "10000000"], "hidden_size = '10000000' is not valid"),
      (["--dataset_id", "1510", "--hidden_size", "0"], "hidden_size = '0'"),
      (["--dataset_id", "1510", "--nr_blocks", "-1"], "nr_blocks = '-1'"),
      (["--dataset_id", "1510", "--param", "tau=0.2"], "tabresnet has no hyperparameter 'tau'"),
      (["--dataset_id", "1510", "--param", "hidden_size"], "not name=value"),
      (["--dataset_id", "1510", "--param", "hidden_size=8", "--hidden_size", "8"], "give it once"),
      (["--dataset_id", "1510", "--interpretable", "--model", "tabresnet"], "--interpretable means --model inn"),
      (["--dataset_id", "1510", "--nr_epochs", "9223372036854775807"], "--nr_epochs"),
      (["--dataset_id", "1510", "--nr_restarts", "64"], "--scheduler_t_mult"),
      (["--dataset_id", "1510", "--learning_rate", "1e30"], "--learning_rate"),
      (["--dataset_id", "1510", "--interpretable", "--learning_rate", "1e30"], "--learning_rate"),
      (["--dataset_id", "1510", "--scheduler_t_mult", "1000000000"], "--scheduler_t_mult must be an integer in 1...1000"),
      (["--dataset_id", "1510", "--nr_epochs", "1000000000"], "--nr_epochs must be an integer in 1...1000000"),
      (["--dataset_id", "1510", "--hidden_size", "4611686018427387904"], "hidden_size = '4611686018427387904' is not valid"),
      (["--dataset_id", "1510", "--interpretable", "--hidden_size", "4611686018427387904"], "hidden_size = '4611686018427387904' is not valid"),
      (["--dataset_id", "1510", "--nr_blocks", "100000000"], "nr_blocks = '100000000' is not valid"),
      (["--dataset_id", "61", "--data-dir", "/nonexistent-data-dir"], "does not exist"),
      (["--dataset_id", "1510", "--threads", "3"], "--threads must be 1, 2 or auto, got '3'"),
      (["--dataset_id", "1510", "--threads", "0"], "--threads must be 1, 2 or auto"),
      (["--dataset_id", "1510", "--threads", "many"], "--threads must be 1, 2 or auto"),
    ]
    for (arguments, expected) in cases {
      let result = try SANNProcess.run(["train"] + arguments + ["--output_dir", out, "--quiet"])
      #expect(result.status != 0, "\(arguments) was accepted")
      #expect(result.stderr.contains(expected), "\(arguments): stderr was \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out), "\(arguments) left an output directory")
    }
  }
}

@Suite("sann train: runs are written as a unit")
struct RunAtomicityTests {
  /// The learning rate a run recorded in output_info.json and in its model card.
  static func learningRates(_ run: URL) throws -> (info: Double, model: Double) {
    let info = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("output_info.json"))) as? [String: Any])
    let bytes = [UInt8](try Data(contentsOf: run.appendingPathComponent("model.safetensors")))
    let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
    let metadata = try #require(header["__metadata__"] as? [String: String])
    let cardText = try #require(metadata["sannkit.model"])
    let card = try #require(try JSONSerialization.jsonObject(with: Data(cardText.utf8)) as? [String: Any])
    let training = try #require(card["configuration"] as? [String: Any])
    func rate(_ object: [String: Any]) -> Double? {
      if let value = object["learning_rate"] as? Double { return value }
      for value in object.values { if let nested = value as? [String: Any], let found = rate(nested) { return found } }
      return nil
    }
    return (try #require(rate(info)), try #require(training["learning_rate"] as? Double))
  }

  @Test("kill -9 at random moments never leaves output_info.json and model.safetensors from different runs, nor staging leftovers after the next run")
  func killAtRandom() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = directory.appendingPathComponent("tabresnet/61/0")
    var rng = SystemRandomNumberGenerator()
    var (killed, mixed) = (0, 0)
    // Calibrate: kills are spread over one run's whole duration and as long again, so some
    // land while files are written and some runs finish.
    let start = Date()
    let calibration = try SANNProcess.run(["train", "--dataset_id", "61", "--nr_epochs", "40", "--output_dir", directory.path, "--quiet"])
    #expect(calibration.status == 0, "\(calibration.stderr)")
    let duration = Date().timeIntervalSince(start)
    for attempt in 0..<50 {
      let rate = 0.001 + Double(attempt) * 1e-4
      let process = Process()
      process.executableURL = SANNProcess.executable
      process.arguments = ["train", "--dataset_id", "61", "--nr_epochs", "40", "--learning_rate", "\(rate)", "--output_dir", directory.path, "--quiet"]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      usleep(UInt32.random(in: 0...UInt32(2 * duration * 1_000_000), using: &rng))
      if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        killed += 1
      }
      process.waitUntilExit()
      if FileManager.default.fileExists(atPath: run.path) {
        let rates = try Self.learningRates(run)
        if Float(rates.info) != Float(rates.model) { mixed += 1 }
      }
    }
    #expect(mixed == 0, "\(mixed) runs mixed files of two runs (\(killed) of 50 killed)")
    print("run atomicity: \(killed) of 50 runs killed mid-run, \(mixed) mixed")
    #expect(killed > 0 && killed < 50, "\(killed) of 50 attempts were killed; the kills did not spread over the run")
    // A complete run afterwards leaves only the run and its lock.
    let final = try SANNProcess.run(["train", "--dataset_id", "61", "--nr_epochs", "2", "--output_dir", directory.path, "--quiet"])
    #expect(final.status == 0, "\(final.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: run.deletingLastPathComponent().path).sorted() == [".0.lock", "0"])
  }

  @Test("a second train into the same run folder is refused while the first holds it; an unwritable output folder fails before training")
  func lockAndWritability() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let first = Process()
    first.executableURL = SANNProcess.executable
    first.arguments = ["train", "--dataset_id", "61", "--nr_epochs", "3000", "--output_dir", directory.path, "--quiet"]
    first.standardOutput = FileHandle.nullDevice
    first.standardError = FileHandle.nullDevice
    try first.run()
    defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) }; first.waitUntilExit() }
    // Wait until the first holds the lock (its staging folder exists).
    let parent = directory.appendingPathComponent("tabresnet/61")
    for _ in 0..<200 where ((try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []).allSatisfy({ !$0.contains("staging") }) { usleep(20_000) }
    let second = try SANNProcess.run(["train", "--dataset_id", "61", "--nr_epochs", "2", "--output_dir", directory.path, "--quiet"])
    #expect(second.status != 0 && second.stderr.contains("another sann train is writing"), "\(second.stderr)")
    let file = directory.appendingPathComponent("a-file")
    try Data("x".utf8).write(to: file)
    let blocked = try SANNProcess.run(["train", "--dataset_id", "61", "--nr_epochs", "2", "--output_dir", file.path, "--quiet"])
    #expect(blocked.status != 0 && blocked.stderr.contains("cannot create the output folder") && !blocked.stderr.contains("NSCocoaErrorDomain"), "\(blocked.stderr)")
  }
}

extension TrainCommandTests {
  @Test("train never replaces what is not an earlier run's: a file where the run folder goes, a folder where its files go; an old run set aside by a killed commit is put back with the user's files")
  func runFolderObstacles() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fm = FileManager.default
    let parent = directory.appendingPathComponent("tabresnet/61")
    let run = parent.appendingPathComponent("0")
    func train() throws -> SANNProcess.Result {
      try SANNProcess.run(["train", "--dataset_id", "61", "--nr_epochs", "2", "--output_dir", directory.path, "--quiet"])
    }
    // A file of the user's named like the run folder.
    try fm.createDirectory(at: parent, withIntermediateDirectories: true)
    try Data("precious".utf8).write(to: run)
    var result = try train()
    #expect(result.status != 0 && result.stderr.contains("\(run.path) is a file"), "\(result.stderr)")
    #expect(try String(contentsOf: run, encoding: .utf8) == "precious")
    try fm.removeItem(at: run)
    // A folder of the user's where the run writes output_info.json.
    let notes = run.appendingPathComponent("output_info.json/sub/notes.txt")
    try fm.createDirectory(at: notes.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data("precious".utf8).write(to: notes)
    result = try train()
    #expect(result.status != 0 && result.stderr.contains("output_info.json is a folder"), "\(result.stderr)")
    #expect(try String(contentsOf: notes, encoding: .utf8) == "precious")
    try fm.removeItem(at: run)
    // A commit killed between setting the old run aside and moving the new one in.
    result = try train()
    #expect(result.status == 0, "\(result.stderr)")
    try Data("mine".utf8).write(to: run.appendingPathComponent("notes.txt"))
    try fm.moveItem(at: run, to: parent.appendingPathComponent(".0.old-99999"))
    try fm.createDirectory(at: parent.appendingPathComponent(".0.staging-99999"), withIntermediateDirectories: false)
    result = try train()
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try String(contentsOf: run.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine")
    #expect(try fm.contentsOfDirectory(atPath: parent.path).sorted() == [".0.lock", "0"])
  }
}

extension TrainCommandTests {
  @Test("re-training keeps everything the new run does not write (but an earlier run's companion it does not read): a saved backbone it reads (--backbone inside the run), a user's file inside the companion it rewrites, a FIFO and a socket, all without copying")
  func retrainingKeepsUserFiles() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = directory.appendingPathComponent("sop/61/0")
    func train(_ extra: [String] = []) throws {
      let result = try SANNProcess.run(["train", "--dataset_id", "61", "--model", "sop", "--nr_epochs", "1", "--hidden_size", "8",
                                        "--output_dir", directory.path, "--quiet"] + extra)
      #expect(result.status == 0, "\(extra): \(result.stderr)")
    }
    try train()
    // A note inside the companion the next run rewrites, and special files beside the run.
    let note = run.appendingPathComponent("backbone/notes.txt")
    try Data("mine".utf8).write(to: note)
    let work = run.appendingPathComponent("work")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: false)
    #expect(mkfifo(work.appendingPathComponent("fifo").path, 0o644) == 0)
    let socketPath = work.appendingPathComponent("socket").path
    let socketDescriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socketDescriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in _ = socketPath.utf8CString.withUnsafeBytes { raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(raw.count))) } }
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
    #expect(bound == 0)
    try Data("kept".utf8).write(to: work.appendingPathComponent("z.txt"))
    try train()
    #expect(try String(contentsOf: note, encoding: .utf8) == "mine")
    #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).sorted() == ["fifo", "socket", "z.txt"])
    // A run that reads its backbone from inside its own folder keeps it.
    try train(["--param", "backbone=\(run.appendingPathComponent("backbone").path)"])
    #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("backbone/model.safetensors").path))
    #expect(try String(contentsOf: note, encoding: .utf8) == "mine")
  }

  @Test("--categorical with an ARFF file: an unknown name is refused as for a CSV file, a numeric attribute with a hint, not ignored")
  func categoricalWithARFF() throws {
    let arff = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/31-credit-g.arff").path
    for (name, expected) in [("nosuch", "no column named 'nosuch'"), ("duration", "declares 'duration' numeric")] {
      let directory = try SANNProcess.temporaryDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      let result = try SANNProcess.run(["train", "--data", arff, "--categorical", name, "--nr_epochs", "1", "--output_dir", directory.path])
      #expect(result.status != 0 && result.stderr.contains(expected), "\(name): \(result.stderr)")
    }
  }
}

extension TrainCommandTests {
  @Test("columns left out are said on the terminal (a warning when --categorical names one), and so is a test split that lacks a class")
  func droppedColumnsAndSingleClassTest() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var lines = ["id,a,b,const,y"]
    for i in 0..<40 { lines.append("\(i),\(Double(i % 7) / 7),\(Double(i % 5) / 5),1,\(i < 2 ? "y" : "x")") }
    let data = directory.appendingPathComponent("rare.csv")
    try (lines.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
    let result = try SANNProcess.run(["train", "--data", data.path, "--categorical", "id", "--nr_epochs", "2", "--output_dir", directory.path])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("warning: column 'id' is left out although --categorical names it"), "\(result.stderr)")
    #expect(result.stderr.contains("note: column 'const' is left out: constant"), "\(result.stderr)")
    #expect(result.stderr.contains("warning: the test rows do not hold every class"), "\(result.stderr)")
    let quiet = try SANNProcess.run(["train", "--data", data.path, "--categorical", "id", "--nr_epochs", "2", "--output_dir", directory.path, "--quiet"])
    #expect(quiet.stderr.contains("warning: column 'id'") && !quiet.stderr.contains("note:"), "\(quiet.stderr)")
  }
}

@Suite("sann: negative numbers")
struct NegativeValueTests {
  @Test("a negative value written after a space is read as the value and refused by range, not reported as a missing value")
  func negativeAfterSpace() throws {
    for (arguments, message) in [
      (["train", "--dataset_id", "61", "--nr_epochs", "-1"], "--nr_epochs must be an integer in 1...1000000, got -1"),
      (["train", "--dataset_id", "-1"], "--dataset_id must be a positive OpenML id, got -1"),
      (["train", "--dataset_id", "61", "--batch_size", "-3"], "-3"),
      (["hypernet", "build", "pudding", "--inputs", "-3", "--output", "/tmp/unused.safetensors"], "--inputs must lie in 1...4096, got -3"),
      (["explain", "--model", "/nonexistent", "--data", "x.csv", "--steps", "-5"], "--steps must lie in 1...100000, got -5"),
    ] {
      let result = try SANNProcess.run(arguments)
      #expect(result.status != 0 && result.stderr.contains(message) && !result.stderr.contains("Missing value"), "\(arguments): \(result.stderr)")
    }
  }
}

@Suite("sann: huge finite values")
struct HugeValueTests {
  @Test("a training cell of 3.4e38 trains without NaN (INN and TabResNet); predicting or explaining a row of 1e30 or 3e38 is an error naming the problem, not NaN or inf with exit 0")
  func hugeValues() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let iris = try String(contentsOf: SANNProcess.repositoryRoot.appendingPathComponent("Datasets/61-iris.csv"), encoding: .utf8)
    var lines = iris.split(separator: "\n").map(String.init)
    var cells = lines[5].split(separator: ",").map(String.init)
    cells[0] = "3.4e38"
    lines[5] = cells.joined(separator: ",")
    let data = directory.appendingPathComponent("iris-huge.csv")
    try (lines.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
    for model in ["inn", "tabresnet"] {
      let train = try SANNProcess.run(["train", "--data", data.path, "--model", model, "--nr_epochs", "2", "--output_dir", directory.path, "--quiet"])
      #expect(train.status == 0, "\(model): \(train.stderr)")
      let info = try String(contentsOf: directory.appendingPathComponent("\(model)/iris-huge/0/output_info.json"), encoding: .utf8)
      #expect(!info.lowercased().contains("nan"), "\(model): NaN in output_info.json")
      for value in ["1e30", "3e38"] {
        let row = directory.appendingPathComponent("row-\(value).csv")
        try "\(lines[0])\n\(value),3.5,1.4,0.2,setosa\n".write(to: row, atomically: true, encoding: .utf8)
        let predict = try SANNProcess.run(["predict", "--model", directory.appendingPathComponent("\(model)/iris-huge/0").path, "--data", row.path])
        let output = predict.stdout.lowercased()
        #expect(predict.status != 0 || !(output.contains("nan") || output.contains("inf")), "\(model), \(value): \(predict.stdout) \(predict.stderr)")
        if predict.status != 0 { #expect(!predict.stderr.isEmpty && !predict.stderr.contains("Fatal error"), "\(model), \(value): \(predict.stderr)") }
        let explain = try SANNProcess.run(["explain", "--model", directory.appendingPathComponent("\(model)/iris-huge/0").path, "--data", row.path, "--rows", "0"])
        let explained = explain.stdout.lowercased()
        #expect(explain.status != 0 || !(explained.contains("nan") || explained.contains("inf")), "\(model), \(value): \(explain.stdout) \(explain.stderr)")
        #expect(!explain.stderr.contains("Fatal error"), "\(model), \(value): \(explain.stderr)")
      }
    }
  }
}
