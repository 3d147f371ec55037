import Foundation
import Testing
import Tensor

@Suite("sann demo")
struct DemoCommandTests {
  let dataset = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/1510-wdbc.csv").path

  @Test("trains on the bundled breast-cancer data, beats the majority class, and writes loadable weights")
  func trainsAndSaves() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let weights = directory.appendingPathComponent("demo.safetensors")
    let result = try SANNProcess.run(["demo", "--data", dataset, "--epochs", "8", "--quiet", "--output", weights.path])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    // The majority class (benign) is 357/569 = 62.7 % of the rows.
    let accuracy = try #require(result.stdout.firstMatch(of: /test accuracy ([0-9.]+)/).flatMap { Double($0.1) })
    #expect(accuracy > 0.9)
    let loaded = try SafeTensors.load(from: weights)
    #expect(loaded.tensors["0.weight"]?.shape == [64, 30])
    #expect(loaded.metadata["classes"] == "malignant,benign")
  }

  @Test("the same seed gives the same accuracy and the same weights")
  func deterministic() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var outputs: [[String: Tensor]] = []
    for run in 0..<2 {
      let weights = directory.appendingPathComponent("run\(run).safetensors")
      let result = try SANNProcess.run(["demo", "--data", dataset, "--epochs", "3", "--seed", "7", "--quiet", "--output", weights.path])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      outputs.append(try SafeTensors.load(from: weights).tensors)
    }
    #expect(outputs[0] == outputs[1])
  }

  @Test("a missing data file is reported by name with a non-zero exit")
  func missingFile() throws {
    let result = try SANNProcess.run(["demo", "--data", "/nonexistent/table.csv", "--quiet"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("/nonexistent/table.csv"))
  }

  @Test("out-of-range flags are rejected before any work, naming the flag")
  func badFlags() throws {
    for (flag, value) in [("--epochs", "-1"), ("--batch-size", "1"), ("--learning-rate", "0")] {
      let result = try SANNProcess.run(["demo", "--data", dataset, flag, value])
      #expect(result.status != 0)
      #expect(result.stderr.contains(flag), "stderr: \(result.stderr)")
    }
  }

  @Test("malformed CSV files are rejected with the line and column")
  func malformedCSV() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let cases: [(String, String, String)] = [
      ("ragged.csv", "a,b,target\n1,2,x\n3,y\n", "line 3"),
      ("text.csv", "a,b,target\n1,2,x\n3,oops,y\n", "column 'b'"),
      ("nan.csv", "a,b,target\n1,2,x\n3,nan,y\n", "column 'b'"),
      ("single.csv", "a,b,target\n1,2,x\n3,4,x\n", "single class"),
      ("empty.csv", "", "empty"),
    ]
    for (name, contents, expected) in cases {
      let file = directory.appendingPathComponent(name)
      try contents.write(to: file, atomically: true, encoding: .utf8)
      let result = try SANNProcess.run(["demo", "--data", file.path, "--quiet"])
      #expect(result.status != 0, "\(name) was accepted")
      #expect(result.stderr.contains(expected), "\(name): stderr was \(result.stderr)")
    }
  }

  @Test("an unknown target column lists the columns that exist")
  func unknownTarget() throws {
    let result = try SANNProcess.run(["demo", "--data", dataset, "--target", "nope", "--quiet"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("no column named 'nope'"))
    #expect(result.stderr.contains("mean_radius"))
  }
}
