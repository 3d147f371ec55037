import Foundation
import Tensor
import Testing

@Suite("sann predict and sann explain")
struct PredictExplainTests {
  @Test("values of a categorical column the model was not trained on are named in a warning; numbers written another way are not")
  func warnsAboutUnseenLevels() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var train = "a,color,code,y\n"
    for i in 0..<90 { train += "\(Double(i % 7) - 3),\(["red", "green", "blue"][i % 3]),\(i % 2 + 1),\(i % 7 > 3 ? "p" : "n")\n" }
    let data = directory.appendingPathComponent("train.csv")
    try train.write(to: data, atomically: true, encoding: .utf8)
    let trained = try SANNProcess.run(["train", "--data", data.path, "--model", "logistic", "--categorical", "color,code", "--output_dir", directory.path, "--quiet"])
    #expect(trained.status == 0, "\(trained.stderr)")
    let rows = directory.appendingPathComponent("rows.csv")
    try "a,color,code,y\n1,RED,1,p\n0,purple,2.0,n\n2,red,1,p\n1,RED,3,p\n".write(to: rows, atomically: true, encoding: .utf8)
    let model = directory.appendingPathComponent("logistic/train/0").path
    for command in ["predict", "explain"] {
      let result = try SANNProcess.run([command, "--model", model, "--data", rows.path])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stderr.contains("warning: column 'color' holds 2 values the model was not trained on ('RED', 'purple'), in 3 rows; they are read as missing"),
              "\(command): \(result.stderr)")
      #expect(result.stderr.contains("warning: column 'code' holds 1 value the model was not trained on ('3'), in 1 row"), "\(command): \(result.stderr)")
    }
    let clean = try SANNProcess.run(["predict", "--model", model, "--data", data.path])
    #expect(clean.status == 0 && !clean.stderr.contains("warning"), "\(clean.stderr)")
  }

  @Test("features named like the explanation's own fields (bias, logit, row, …) are written as feature:<name>, and bias + contributions = logit")
  func featureNamesLikeFields() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var text = "bias,logit,row,explained_output,contributions,y\n"
    for i in 0..<120 {
      let x = (0..<5).map { k in sin(Double(i * 7 + k * 13) * 0.37) }
      text += x.map { String(format: "%.3f", $0) }.joined(separator: ",") + (x[0] + x[1] > 0 ? ",p\n" : ",n\n")
    }
    let data = directory.appendingPathComponent("collide.csv")
    try text.write(to: data, atomically: true, encoding: .utf8)
    let trained = try SANNProcess.run(["train", "--data", data.path, "--model", "inn", "--nr_epochs", "3", "--hidden_size", "16",
                                       "--output_dir", directory.path, "--quiet"])
    #expect(trained.status == 0, "\(trained.stderr)")
    let model = directory.appendingPathComponent("inn/collide/0").path
    let csv = try SANNProcess.run(["explain", "--model", model, "--data", data.path, "--rows", "2"])
    #expect(csv.status == 0 && csv.stderr.contains("note: the feature 'bias' is written as 'feature:bias'"), "\(csv.stderr)")
    let lines = csv.stdout.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    #expect(lines[0] == ["row", "explained_output", "logit", "bias", "feature:bias", "feature:logit", "feature:row", "feature:explained_output",
                         "feature:contributions"])
    #expect(lines[1][0] == "2" && lines[1][1] == "logit(p)")
    let values = lines[1].dropFirst(2).compactMap(Double.init)
    #expect(abs(values[1] + values.dropFirst(2).reduce(0, +) - values[0]) < 1e-5, "\(lines[1])")
    let json = try SANNProcess.run(["explain", "--model", model, "--data", data.path, "--rows", "2", "--format", "json"])
    let record = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])?.first)
    #expect(record["row"] as? Int == 2)
    let contributions = ["bias", "logit", "row", "explained_output", "contributions"].compactMap { record["feature:\($0)"] as? Double }
    let (bias, logit) = (try #require(record["bias"] as? Double), try #require(record["logit"] as? Double))
    #expect(contributions.count == 5 && abs(bias + contributions.reduce(0, +) - logit) < 1e-5, "\(record)")
  }

  @Test("predictions are probabilities and explanations add up to the logit")
  func predictAndExplain() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/1510-wdbc.csv").path
    let trained = try SANNProcess.run(["train", "--data", data, "--interpretable", "--nr_epochs", "4", "--hidden_size", "16",
                                       "--output_dir", directory.path, "--quiet"])
    #expect(trained.status == 0, "stderr: \(trained.stderr)")
    let run = directory.appendingPathComponent("inn/1510-wdbc/0").path

    let predicted = try SANNProcess.run(["predict", "--model", run, "--data", data, "--rows", "0,5", "--format", "json"])
    #expect(predicted.status == 0, "stderr: \(predicted.stderr)")
    let predictions = try #require(try JSONSerialization.jsonObject(with: Data(predicted.stdout.utf8)) as? [[String: Any]])
    #expect(predictions.map { $0["row"] as? Int } == [0, 5])
    for p in predictions {
      let benign = try #require(p["p_benign"] as? Double)
      let malignant = try #require(p["p_malignant"] as? Double)
      #expect(Swift.abs(benign + malignant - 1) < 1e-6)
    }

    let explained = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "3", "--format", "json", "--weights"])
    #expect(explained.status == 0, "stderr: \(explained.stderr)")
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(explained.stdout.utf8)) as? [[String: Any]])
    let row = try #require(rows.first)
    let contributions = row.filter { !["row", "explained_output", "logit", "bias", "contributions"].contains($0.key) && !$0.key.hasPrefix("w:") }
    #expect(contributions.count == 30)
    #expect(row.keys.filter { $0.hasPrefix("w:") }.count == 30)
    let total = contributions.values.compactMap { $0 as? Double }.reduce(row["bias"] as? Double ?? .nan, +)
    #expect(Swift.abs(total - (row["logit"] as? Double ?? .nan)) < 1e-9)
  }

  @Test("a row whose output overflows is named by its row in the file (also in a sampled background), and a text cell in a numeric column gets advice that fits a trained model")
  func rowsNamedInTheFile() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let iris = try String(contentsOf: SANNProcess.repositoryRoot.appendingPathComponent("Datasets/61-iris.csv"), encoding: .utf8)
    let lines = iris.split(separator: "\n").map(String.init)
    let trained = try SANNProcess.run(["train", "--dataset_id", "61", "--model", "inn", "--nr_epochs", "2", "--hidden_size", "8", "--output_dir", directory.path, "--quiet"])
    #expect(trained.status == 0, "stderr: \(trained.stderr)")
    let run = directory.appendingPathComponent("inn/61/0").path
    // The huge row is the file's last (data row 150): sampled into every background of 150 rows.
    let huge = directory.appendingPathComponent("huge.csv")
    try ((lines + ["1e37,3.0,1.4,0.2,setosa"]).joined(separator: "\n") + "\n").write(to: huge, atomically: true, encoding: .utf8)
    let predicted = try SANNProcess.run(["predict", "--model", run, "--data", huge.path, "--rows", "150"])
    #expect(predicted.status != 0 && predicted.stderr.contains("data row 150 of \(huge.path)"), "\(predicted.stderr)")
    let explained = try SANNProcess.run(["explain", "--model", run, "--data", huge.path, "--rows", "0", "--method", "kernel-shap",
                                         "--background", "151", "--budget", "64"])
    #expect(explained.status != 0 && explained.stderr.contains("data row 150 of \(huge.path)"), "\(explained.stderr)")
    let text = directory.appendingPathComponent("text.csv")
    try ([lines[0], "abc,3.0,1.4,0.2,setosa"].joined(separator: "\n") + "\n").write(to: text, atomically: true, encoding: .utf8)
    let refused = try SANNProcess.run(["predict", "--model", run, "--data", text.path])
    #expect(refused.status != 0 && refused.stderr.contains("'abc' is not a number, and the model was trained with")
              && !refused.stderr.contains("--categorical"), "\(refused.stderr)")
  }

  @Test("a missing model and out-of-range rows are reported with a non-zero exit")
  func badInput() throws {
    let data = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/1510-wdbc.csv").path
    let missing = try SANNProcess.run(["predict", "--model", "/nonexistent/run", "--data", data])
    #expect(missing.status != 0)
    #expect(missing.stderr.contains("/nonexistent/run"))
  }

  @Test("logistic regression: predict, its own explanation with --weights (the coefficients, the same on every row), and a value that overflows once standardised")
  func logistic() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/61-iris.csv").path
    let trained = try SANNProcess.run(["train", "--data", data, "--model", "logistic", "--param", "C=0.5", "--output_dir", directory.path, "--quiet"])
    #expect(trained.status == 0, "stderr: \(trained.stderr)")
    let run = directory.appendingPathComponent("logistic/61-iris/0").path
    let explained = try SANNProcess.run(["explain", "--model", run, "--data", data, "--rows", "0,60,120", "--format", "json", "--weights"])
    #expect(explained.status == 0, "stderr: \(explained.stderr)")
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(explained.stdout.utf8)) as? [[String: Any]])
    #expect(rows.map { $0["explained_output"] as? String } == ["setosa", "versicolor", "virginica"])
    let predicted = try SANNProcess.run(["predict", "--model", run, "--data", data, "--rows", "0,60,120"])
    #expect(predicted.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] } == ["setosa", "versicolor", "virginica"])
    let big = directory.appendingPathComponent("big.csv")
    try "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,target\n3e38,3,1,0.2,setosa\n".write(to: big, atomically: true, encoding: .utf8)
    for command in [["predict"], ["explain"], ["explain", "--method", "occlusion"]] {
      let result = try SANNProcess.run(command + ["--model", run, "--data", big.path])
      #expect(result.status == 1 && result.stderr.contains("overflows once standardised"), "\(command): \(result.stderr)")
    }
  }
}

/// Categorical levels that look like numbers ("007" and "7", "1e1x"): `sann predict` reads the
/// model's categorical columns as text, so each row gets its own level's code.
@Suite("sann predict with numeric-looking categorical levels")
struct NumericLookingLevelTests {
  @Test("'007' and '7' are different levels, '1e1x' is a level, and predict agrees with the numpy reader on every row")
  func levelsStayText() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var lines = ["code,size,tag,class"]
    var rng = RandomGenerator(seed: 3)
    for i in 0..<240 {
      let code = ["007", "7", "7.0", "1e1x"][i % 4]
      let size = rng.nextUniform() * 4
      // The class depends on the level, so the model's weights for the levels differ.
      let positive = (code == "7" || code == "1e1x") != (size > 3.2)
      lines.append("\(code),\(size),t\(i % 3),\(positive ? "yes" : "no")")
    }
    let data = directory.appendingPathComponent("levels.csv")
    try (lines.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
    let trained = try SANNProcess.run(["train", "--data", data.path, "--target", "class", "--categorical", "code", "--model", "logistic",
                                       "--seed", "0", "--output_dir", directory.path, "--quiet"])
    try #require(trained.status == 0, "\(trained.stderr)")
    let run = directory.appendingPathComponent("logistic/levels/0").path
    let predicted = try SANNProcess.run(["predict", "--model", run, "--data", data.path, "--format", "json"])
    try #require(predicted.status == 0, "sann predict could not read the model's own training data: \(predicted.stderr)")
    let rows = try PredictExplainAgreementTests.json(predicted.stdout)
    // Rows of level "007" and "7" with the same size would have the same probability if "7"
    // were read as the number 7 and matched to "007".
    let p = rows.map { $0["p_yes"] as? Double ?? -1 }
    #expect(Set(stride(from: 0, to: 240, by: 4).map { p[$0] }) != Set(stride(from: 1, to: 240, by: 4).map { p[$0] }))
    guard PredictExplainAgreementTests.numpy else { return }
    let reader = SANNProcess.repositoryRoot.appendingPathComponent("Tools/scripts/sannkit_model.py").path
    let numpy = try SANNProcess.runTool("/usr/bin/env", ["python3", reader, "predict", run, data.path])
    try #require(numpy.status == 0, "\(numpy.stderr)")
    for (a, b) in zip(rows, try PredictExplainAgreementTests.json(numpy.stdout)) {
      #expect(Swift.abs((a["p_yes"] as? Double ?? 0) - (b["p_yes"] as? Double ?? 1)) < 1e-5, "row \(a["row"] ?? "?")")
    }
  }
}

@Suite("sann predict and sann explain describe one function")
struct PredictExplainAgreementTests {
  /// Whether python3 with numpy is on the PATH (CI installs numpy with pip).
  static let numpy = SANNProcess.python(imports: "numpy")

  static func json(_ text: String) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
  }

  /// Issue 15's check on the bundled iris, wdbc and credit-g, seeds 0–2: for every row, INN's
  /// explanation adds up to the logit `predict`'s probabilities come from, and the predicted
  /// class is the class whose logit is explained. With python3 and numpy, the numpy reader
  /// written from Docs/model-file.md reproduces both on every row.
  @Test("for every row, predict's probabilities are the sigmoid/softmax of the logit explain adds up to, the classes agree, and the numpy reader reproduces both",
        arguments: ["61-iris.csv", "1510-wdbc.csv", "31-credit-g.arff"])
  func sameFunction(_ file: String) throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/\(file)").path
    let reader = SANNProcess.repositoryRoot.appendingPathComponent("Tools/scripts/sannkit_model.py").path
    if !Self.numpy { print("python3 with numpy not found: the numpy reader is not checked (CI installs it)") }
    for seed in 0..<3 {
      let trained = try SANNProcess.run(["train", "--data", data, "--interpretable", "--nr_epochs", "9", "--hidden_size", "32", "--seed", "\(seed)",
                                         "--output_dir", directory.path, "--quiet"])
      #expect(trained.status == 0, "stderr: \(trained.stderr)")
      let run = directory.appendingPathComponent("inn/\((file as NSString).deletingPathExtension)/\(seed)").path
      let predicted = try SANNProcess.run(["predict", "--model", run, "--data", data, "--format", "json"])
      let explained = try SANNProcess.run(["explain", "--model", run, "--data", data, "--format", "json"])
      #expect(predicted.status == 0 && explained.status == 0, "stderr: \(predicted.stderr) \(explained.stderr)")
      let predictions = try Self.json(predicted.stdout)
      let explanations = try Self.json(explained.stdout)
      #expect(predictions.count == explanations.count && predictions.count > 100)
      let classes = predictions[0].keys.filter { $0.hasPrefix("p_") }.sorted()
      for (p, e) in zip(predictions, explanations) {
        let logit = try #require(e["logit"] as? Double)
        let contributions = try #require(e["contributions"] as? [String: Double])
        #expect(Swift.abs(contributions.values.reduce(e["bias"] as! Double, +) - logit) < 1e-6 * (1 + Swift.abs(logit)))
        let prediction = try #require(p["prediction"] as? String)
        if classes.count == 2 {
          // Binary: the logit is the second class's; its probability is sigmoid(logit).
          let second = try #require((e["explained_output"] as? String)?.dropFirst(6).dropLast())
          let p2 = try #require(p["p_\(second)"] as? Double)
          #expect(Swift.abs(1 / (1 + Foundation.exp(-logit)) - p2) < 1e-6, "seed \(seed) row \(p["row"]!)")
        } else {
          // Multiclass: the explained class is the predicted one, the most probable.
          #expect(e["explained_output"] as? String == prediction, "seed \(seed) row \(p["row"]!)")
          #expect((p["p_\(prediction)"] as? Double ?? -1) >= classes.compactMap { p[$0] as? Double }.max()!)
        }
      }
      guard Self.numpy else { continue }
      for (command, expected, tolerance) in [("predict", predictions, 1e-5), ("explain", explanations, 1e-4)] {
        let result = try SANNProcess.runTool("/usr/bin/env", ["python3", reader, command, run, data])
        #expect(result.status == 0, "numpy reader \(command): \(result.stderr)")
        let read = try Self.json(result.stdout)
        #expect(read.count == expected.count)
        for (a, b) in zip(expected, read) {
          for (key, value) in a where key != "contributions" {
            if let x = value as? Double, key != "row" {
              let y = try #require(b[key] as? Double, "\(command) seed \(seed) row \(a["row"]!): no \(key)")
              #expect(Swift.abs(x - y) <= tolerance, "\(command) seed \(seed) row \(a["row"]!) \(key): sann \(x), numpy \(y)")
            } else {
              #expect("\(value)" == "\(b[key] ?? "nil")", "\(command) seed \(seed) row \(a["row"]!) \(key)")
            }
          }
        }
      }
    }
  }
}
