import Foundation
import Models
import Testing
import TestSupport

@Suite("sann with Sum-of-Parts and NAM")
struct SumOfPartsNAMCommandTests {
  static let wdbc = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/1510-wdbc.csv").path
  static let iris = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/61-iris.csv").path
  static let small = ["--nr_epochs", "3", "--hidden_size", "16", "--nr_blocks", "1", "--quiet"]

  @Test("sop trains its backbone first (saved inside the run), and explains every row by groups whose contributions add up to the logit")
  func sopRun() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let trained = try SANNProcess.run(["train", "--data", Self.wdbc, "--model", "sop", "--param", "groups=5", "--param", "token_width=8",
                                       "--output_dir", directory.path] + Self.small)
    #expect(trained.status == 0, "stderr: \(trained.stderr)")
    let run = directory.appendingPathComponent("sop/1510-wdbc/0")
    let info = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("output_info.json"))) as! [String: Any]
    let configuration = info["configuration"] as! [String: Any]
    #expect(configuration["groups"] as? Int == 5 && configuration["tau"] as? Double == 0.2 && configuration["heads"] as? Int == 2)
    #expect(((info["components"] as? [String: Any])?["backbone"] as? [String: Any])?["test_auroc"] is Double)
    #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("backbone/model.safetensors").path))
    let backboneInfo = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("backbone/output_info.json"))) as! [String: Any]
    #expect(backboneInfo["model"] as? String == "tabresnet")

    let explained = try SANNProcess.run(["explain", "--model", run.path, "--data", Self.wdbc, "--rows", "0,1,2", "--format", "json"])
    #expect(explained.status == 0, "stderr: \(explained.stderr)")
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(explained.stdout.utf8)) as? [[String: Any]])
    #expect(rows.count == 3)
    for row in rows {
      let groups = try #require(row["groups"] as? [[String: Any]])
      #expect(groups.count == 5)
      let total = groups.reduce(0.0) { $0 + ($1["contribution"] as! Double) }
      #expect(Swift.abs(total - (row["logit"] as! Double)) < 1e-9)
      #expect(groups.allSatisfy { ($0["indices"] as! [Int]).count == 6 && ($0["features"] as! [String]).count == 6 })
    }
    let predicted = try SANNProcess.run(["predict", "--model", run.path, "--data", Self.wdbc, "--rows", "0"])
    #expect(predicted.status == 0, "stderr: \(predicted.stderr)")
  }

  @Test("sop: bad sizes, and a backbone that is missing, not a TabResNet or trained on other columns: a clear error, exit 64 or 1, nothing written")
  func sopBadInput() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let logistic = try SANNProcess.run(["train", "--data", Self.wdbc, "--model", "logistic", "--output_dir", directory.path, "--quiet"])
    #expect(logistic.status == 0)
    let irisBackbone = try SANNProcess.run(["train", "--data", Self.iris, "--model", "tabresnet", "--output_dir", directory.path] + Self.small)
    #expect(irisBackbone.status == 0)
    let out = directory.appendingPathComponent("out").path
    let cases: [([String], String)] = [
      (["--param", "groups=0"], "groups = '0'"),
      (["--param", "tau=0"], "tau = '0'"),
      (["--param", "tau=1.5"], "tau = '1.5'"),
      (["--param", "heads=0"], "heads = '0'"),
      (["--backbone", "/nonexistent/run"], "does not exist"),
      (["--backbone", directory.appendingPathComponent("logistic/1510-wdbc/0").path], "of kind 'logistic'"),
      (["--backbone", directory.appendingPathComponent("tabresnet/61-iris/0").path], "trained on other data"),
    ]
    for (arguments, expected) in cases {
      let result = try SANNProcess.run(["train", "--data", Self.wdbc, "--model", "sop", "--output_dir", out] + Self.small + arguments)
      #expect(result.status != 0, "\(arguments) was accepted")
      #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out), "\(arguments) wrote output")
    }
  }

  @Test("flags a model does not use are warned about and left out of its report; a stale backbone folder is replaced; --plot and --output must be distinct files")
  func flagsAndFiles() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let nam = try SANNProcess.run(["train", "--data", Self.iris, "--model", "nam", "--param", "hidden=8,4", "--nr_epochs", "2",
                                   "--augmentation_probability", "0.5", "--nr_restarts", "1", "--output_dir", directory.path, "--quiet"])
    #expect(nam.status == 0)
    #expect(nam.stderr.contains("nam does not use --augmentation_probability") && nam.stderr.contains("nam does not use --nr_restarts"), "\(nam.stderr)")
    #expect(!nam.stderr.contains("--nr_epochs"))
    let info = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("nam/61-iris/0/output_info.json"))) as! [String: Any]
    let configuration = info["configuration"] as! [String: Any]
    #expect(configuration["nr_restarts"] == nil && configuration["augmentation_probability"] == nil && configuration["nr_epochs"] as? Int == 2)

    // SOP trained its own backbone into backbone/; trained again on a saved one, the folder goes.
    let first = try SANNProcess.run(["train", "--data", Self.iris, "--model", "sop", "--output_dir", directory.path, "--param", "groups=3"] + Self.small)
    #expect(first.status == 0)
    let run = directory.appendingPathComponent("sop/61-iris/0")
    #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("backbone/model.safetensors").path))
    let saved = directory.appendingPathComponent("saved")
    try FileManager.default.copyItem(at: run.appendingPathComponent("backbone"), to: saved)
    let second = try SANNProcess.run(["train", "--data", Self.iris, "--model", "sop", "--backbone", saved.path, "--output_dir", directory.path,
                                      "--param", "groups=3", "--nr_epochs", "2", "--quiet"])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("backbone").path))
    // Trained again on the backbone inside its own folder, the run keeps it: it reads from it.
    let third = try SANNProcess.run(["train", "--data", Self.iris, "--model", "sop", "--output_dir", directory.path, "--param", "groups=3"] + Self.small)
    #expect(third.status == 0, "\(third.stderr)")
    let inside = try SANNProcess.run(["train", "--data", Self.iris, "--model", "sop", "--backbone", run.appendingPathComponent("backbone").path,
                                      "--output_dir", directory.path, "--param", "groups=3", "--nr_epochs", "2", "--quiet"])
    #expect(inside.status == 0, "\(inside.stderr)")
    #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("backbone/model.safetensors").path))

    let namRun = directory.appendingPathComponent("nam/61-iris/0").path
    for arguments in [["--plot", directory.path], ["--plot", "x.svg", "--output", "x.svg"], ["--plot", ""]] {
      let result = try SANNProcess.run(["explain", "--model", namRun, "--data", Self.iris, "--global"] + arguments)
      #expect(result.status != 0 && !result.stderr.contains("NSCocoaErrorDomain"), "\(arguments): \(result.stderr)")
    }
    let rows = try SANNProcess.run(["explain", "--model", namRun, "--data", Self.iris, "--rows", "1,"])
    #expect(rows.status != 0)
  }

  @Test("the same seed twice gives identical output_info.json (times aside) and model.safetensors, for sop and nam", arguments: ["sop", "nam"])
  func determinism(kind: String) throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var files: [(Data, [String: Any])] = []
    for attempt in 0..<2 {
      let out = directory.appendingPathComponent("\(attempt)")
      let sizes = kind == "nam" ? ["--nr_epochs", "3", "--param", "hidden=8,4", "--quiet"] : Self.small
      let result = try SANNProcess.run(["train", "--data", Self.iris, "--model", kind, "--seed", "3", "--output_dir", out.path] + sizes)
      #expect(result.status == 0, "stderr: \(result.stderr)")
      let run = out.appendingPathComponent("\(kind)/61-iris/3")
      var info = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("output_info.json"))) as! [String: Any]
      for key in ["time", "train_time", "inference_time"] { info.removeValue(forKey: key) }
      files.append((try Data(contentsOf: run.appendingPathComponent("model.safetensors")), info))
    }
    #expect(files[0].0 == files[1].0, "model.safetensors differs")
    #expect(NSDictionary(dictionary: files[0].1).isEqual(to: files[1].1), "output_info.json differs")
  }

  @Test("nam: per-row contributions per column add up to the logit; --global gives centred shape functions as CSV, JSON and an SVG")
  func namRun() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let trained = try SANNProcess.run(["train", "--data", Self.iris, "--model", "nam", "--param", "hidden=8,4", "--param", "models=2",
                                       "--output_dir", directory.path, "--nr_epochs", "3", "--quiet"])
    #expect(trained.status == 0, "stderr: \(trained.stderr)")
    let run = directory.appendingPathComponent("nam/61-iris/0").path
    let explained = try SANNProcess.run(["explain", "--model", run, "--data", Self.iris, "--rows", "0,100", "--format", "json"])
    #expect(explained.status == 0, "stderr: \(explained.stderr)")
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(explained.stdout.utf8)) as? [[String: Any]])
    for row in rows {
      let contributions = try #require(row["contributions"] as? [String: Double])
      #expect(contributions.count == 4)
      #expect(Swift.abs(contributions.values.reduce(row["bias"] as! Double, +) - (row["logit"] as! Double)) < 1e-9)
    }
    let svg = directory.appendingPathComponent("shapes.svg").path
    let global = try SANNProcess.run(["explain", "--model", run, "--data", Self.iris, "--global", "--format", "json", "--plot", svg])
    #expect(global.status == 0, "stderr: \(global.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(global.stdout.utf8)) as? [String: Any])
    let features = try #require(object["features"] as? [[String: Any]])
    #expect(features.count == 4 && (object["intercept"] as? [String: Double])?.count == 3)
    for feature in features {
      let points = feature["points"] as! [[String: Any]]
      #expect(points.reduce(0) { $0 + ($1["count"] as! Int) } == 150)
      #expect(points.allSatisfy { $0["spread"] != nil })
    }
    let picture = try String(contentsOfFile: svg, encoding: .utf8)
    #expect(picture.hasPrefix("<svg") && picture.contains("petal_length_cm") && picture.contains("<polyline"))
    let csv = try SANNProcess.run(["explain", "--model", run, "--data", Self.iris, "--global"])
    #expect(csv.status == 0 && csv.stdout.hasPrefix("feature,value,count,output,contribution,spread,importance"))
    let notAdditive = try SANNProcess.run(["explain", "--model", run, "--data", Self.iris, "--global", "--method", "lime"])
    #expect(notAdditive.status != 0)
  }
}
