import Foundation
import Testing

@Suite("sann explain --method")
struct ExplainMethodTests {
  /// A TabResNet (black box) trained for a few epochs on the bundled wdbc data (30 features).
  private static func trainedModel(in directory: URL, interpretable: Bool) throws -> (run: String, data: String) {
    let data = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/1510-wdbc.csv").path
    let architecture = interpretable ? ["--interpretable"] : ["--model", "tabresnet"]
    let trained = try SANNProcess.run(["train", "--data", data] + architecture + ["--nr_epochs", "2", "--hidden_size", "8",
                                       "--output_dir", directory.path, "--quiet"])
    #expect(trained.status == 0, "stderr: \(trained.stderr)")
    return (directory.appendingPathComponent("\(interpretable ? "inn" : "tabresnet")/1510-wdbc/0").path, data)
  }

  @Test("kernel-shap on a black box: scores add up to logit − base; the output file is written")
  func kernelShapAddsUp() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (run, data) = try Self.trainedModel(in: directory, interpretable: false)
    let output = directory.appendingPathComponent("phi.json").path
    let explained = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "1,7", "--method", "shap", "--background", "20",
                                         "--budget", "200", "--format", "json", "--output", output])
    #expect(explained.status == 0, "stderr: \(explained.stderr)")
    #expect(explained.stdout.isEmpty)
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [[String: Any]])
    #expect(rows.map { $0["row"] as? Int } == [1, 7])
    for row in rows {
      #expect(row["method"] as? String == "kernel-shap")
      let scores = row.filter { !["row", "method", "explained_output", "logit", "base"].contains($0.key) }
      #expect(scores.count == 30)
      let total = scores.values.compactMap { $0 as? Double }.reduce(0, +)
      let gap = (row["logit"] as? Double ?? .nan) - (row["base"] as? Double ?? .nan)
      #expect(Swift.abs(total - gap) < 1e-4, "Σφ = \(total), logit − base = \(gap)")
    }
    // Row 7 alone gets the φ it got next to row 1 (the random stream is keyed on the row number).
    let alone = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "7", "--method", "shap", "--background", "20",
                                     "--budget", "200", "--format", "json"])
    #expect(alone.status == 0, "stderr: \(alone.stderr)")
    let single = try #require(try JSONSerialization.jsonObject(with: Data(alone.stdout.utf8)) as? [[String: Any]])
    #expect(single.count == 1)
    for (key, value) in single[0] {
      if let v = value as? Double {
        let paired = rows[1][key] as? Double ?? .nan
        #expect(Swift.abs(v - paired) <= 1e-6 * Swift.max(1, Swift.abs(v)), "\(key): alone \(v), with row 1 \(paired)")
      }
    }
  }

  /// Wine (13 numeric features): `--method shap --budget 8192` is exact Shapley (2^13 ≤ 8192) and
  /// equals Kernel SHAP with the same budget (every one of the 2^13 − 2 coalitions enumerated);
  /// without --budget (2·13 + 2048 < 2^13) shap falls back to Kernel SHAP. The explained output is
  /// the class `sann predict` predicts.
  @Test("wine: shap (exact) equals kernel-shap at full enumeration; the explained output is the predicted class")
  func wineExactAgainstKernel() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/187-wine.csv").path
    let trained = try SANNProcess.run(["train", "--data", data, "--model", "tabresnet", "--nr_epochs", "3", "--hidden_size", "8",
                                       "--output_dir", directory.path, "--quiet"])
    #expect(trained.status == 0, "stderr: \(trained.stderr)")
    let run = directory.appendingPathComponent("tabresnet/187-wine/0").path
    let selection = "0,70,140,177"
    func explain(_ extra: [String]) throws -> [[String: Any]] {
      let result = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", selection, "--background", "10", "--format", "json"] + extra)
      #expect(result.status == 0, "stderr: \(result.stderr)")
      return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }
    let exact = try explain(["--method", "shap", "--budget", "8192"])
    let kernel = try explain(["--method", "kernel-shap", "--budget", "8192"])
    let fallback = try explain(["--method", "shap"])
    #expect(exact.count == 4 && kernel.count == 4)
    #expect(exact.allSatisfy { $0["method"] as? String == "exact-shapley" })
    #expect(kernel.allSatisfy { $0["method"] as? String == "kernel-shap" })
    #expect(fallback.allSatisfy { $0["method"] as? String == "kernel-shap" })
    for (e, k) in zip(exact, kernel) {
      let scores = e.keys.filter { !["row", "method", "explained_output", "logit", "base"].contains($0) }
      #expect(scores.count == 13)
      for key in scores + ["base"] {
        let a = e[key] as? Double ?? .nan
        let b = k[key] as? Double ?? .nan
        #expect(Swift.abs(a - b) < 1e-5, "row \(e["row"] ?? "?"), \(key): exact \(a), kernel \(b)")
      }
    }
    let predicted = try SANNProcess.run(["predict", "--model", run, "--data", data, "--rows", selection, "--format", "json"])
    #expect(predicted.status == 0, "stderr: \(predicted.stderr)")
    let predictions = try #require(try JSONSerialization.jsonObject(with: Data(predicted.stdout.utf8)) as? [[String: Any]])
    #expect(predictions.map { $0["prediction"] as? String } == exact.map { $0["explained_output"] as? String })
  }

  @Test("every method runs on an INN model")
  func everyMethod() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (run, data) = try Self.trainedModel(in: directory, interpretable: true)
    for method in ["own", "inn", "kernel-shap", "lime", "ig", "occlusion", "permutation"] {
      let sampling = method.hasSuffix("shap") ? ["--background", "10", "--budget", "100"] : []
      let explained = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "0,3", "--method", method] + sampling)
      #expect(explained.status == 0, "\(method): \(explained.stderr)")
      let lines = explained.stdout.split(separator: "\n")
      #expect(lines.count == (method == "permutation" ? 2 : 3), "\(method): \(explained.stdout)")
    }
    // `inn` is another name for the model's own explanation, the default.
    let own = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "0,3", "--method", "own"])
    let inn = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "0,3", "--method", "inn"])
    let plain = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "0,3"])
    #expect(own.stdout == inn.stdout && own.stdout == plain.stdout)
  }

  @Test("bad input: a setting the method does not use, budget below d + 1, empty background, wrong width, inn on a black box — clear message, non-zero exit")
  func badInput() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (run, data) = try Self.trainedModel(in: directory, interpretable: false)
    // An output that is one of the inputs would destroy it (on copies: the check failing must not
    // destroy the repository's data).
    let copy = directory.appendingPathComponent("data.csv")
    try FileManager.default.copyItem(at: URL(fileURLWithPath: data), to: copy)
    let model = URL(fileURLWithPath: run).appendingPathComponent("model.safetensors").path
    let before = try Data(contentsOf: URL(fileURLWithPath: model))
    for target in [model, copy.path, directory.path + "/./data.csv"] {
      let clobber = try SANNProcess.run(["explain", "--model", run, "--data", copy.path, "--rows", "0", "--output", target])
      #expect(clobber.status == 64 && clobber.stderr.contains("is the input file"), "\(target): \(clobber.stderr)")
    }
    let background = directory.appendingPathComponent("background.csv")
    try FileManager.default.copyItem(at: copy, to: background)
    let shap = try SANNProcess.run(["explain", "--model", run, "--data", copy.path, "--rows", "0", "--method", "kernel-shap", "--background-data",
                                    background.path, "--output", background.path])
    #expect(shap.status == 64 && shap.stderr.contains("is the input file"), "\(shap.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: model)) == before)
    #expect(try Data(contentsOf: copy) == Data(contentsOf: URL(fileURLWithPath: data)) && Data(contentsOf: background) == Data(contentsOf: copy))
    // A background of one row is said to be one.
    let lines = try String(contentsOf: URL(fileURLWithPath: data), encoding: .utf8).split(separator: "\n")
    let single = directory.appendingPathComponent("single.csv")
    try (lines.prefix(2).joined(separator: "\n") + "\n").write(to: single, atomically: true, encoding: .utf8)
    let lone = try SANNProcess.run(["explain", "--model", run, "--data", single.path, "--method", "kernel-shap"])
    #expect(lone.status == 0 && lone.stderr.contains("warning: the background is the one row of \(single.path)"), "\(lone.stderr)")
    let unused = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "0", "--method", "lime", "--background", "10"])
    #expect(unused.status == 64 && unused.stderr.contains("--background applies to --method shap and kernel-shap; --method lime does not use it"),
            "\(unused.stderr)")
    for (method, flag) in [("own", "--steps"), ("ig", "--budget"), ("occlusion", "--background-data"), ("permutation", "--steps")] {
      let ignored = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "0", "--method", method, flag, flag == "--background-data" ? data : "5"])
      #expect(ignored.status == 64 && ignored.stderr.contains("\(flag) applies to --method"), "\(method) \(flag): \(ignored.stderr)")
    }
    let budget = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "0", "--method", "kernel-shap", "--budget", "10"])
    #expect(budget.status != 0)
    #expect(budget.stderr.contains("d + 1 = 31"), "stderr: \(budget.stderr)")
    let huge = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "0", "--method", "kernel-shap",
                                    "--budget", "9223372036854775807"])
    #expect(huge.status != 0)
    #expect(huge.stderr.contains("--budget must be at most 16777216"), "stderr: \(huge.stderr)")
    let empty = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "0", "--method", "kernel-shap", "--background", "0"])
    #expect(empty.status != 0)
    #expect(empty.stderr.contains("background set is empty"), "stderr: \(empty.stderr)")
    // A file with one feature column missing.
    let text = try String(contentsOfFile: data, encoding: .utf8)
    let narrow = text.split(separator: "\n").map { line in line.split(separator: ",", omittingEmptySubsequences: false).dropFirst().joined(separator: ",") }
    let narrowPath = directory.appendingPathComponent("narrow.csv").path
    try (narrow.joined(separator: "\n") + "\n").write(toFile: narrowPath, atomically: true, encoding: .utf8)
    let wrong = try SANNProcess.run(["explain", "--model", run, "--data", narrowPath, "--rows", "0", "--method", "occlusion"])
    #expect(wrong.status != 0)
    #expect(!wrong.stderr.isEmpty)
    let inn = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "0"])
    #expect(inn.status != 0)
    #expect(inn.stderr.contains("--method shap"), "stderr: \(inn.stderr)")
  }
}
