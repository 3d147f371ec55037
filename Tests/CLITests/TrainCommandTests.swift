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
    ]
    for (arguments, expected) in cases {
      let result = try SANNProcess.run(["train"] + arguments + ["--output_dir", out, "--quiet"])
      #expect(result.status != 0, "\(arguments) was accepted")
      #expect(result.stderr.contains(expected), "\(arguments): stderr was \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out), "\(arguments) left an output directory")
    }
  }
}
