import Foundation
import Tensor
import Testing

@Suite("sann: file-system errors in words")
struct FileErrorMessageTests {
  @Test("a folder, a device, a file that is not a model and a file where a folder goes are named as such, never as NSCocoaErrorDomain codes")
  func fileSystemErrors() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("a-file")
    try Data("x".utf8).write(to: file)
    let folder = directory.appendingPathComponent("a-folder")
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("model.safetensors"), withIntermediateDirectories: true)
    let json = directory.appendingPathComponent("output_info.json")
    try Data("{\"train_auroc\": 1}".utf8).write(to: json)
    let iris = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/61-iris.csv").path
    // Two catalogue slices to merge.
    for k in 1...2 {
      let slice = try SANNProcess.run(["theory", "catalogue", "--binomial-dimension", "3", "--monomial-dimension", "1", "--equal-blocks", "1",
                                       "--shard", "\(k)/2", "--output", directory.appendingPathComponent("slice\(k)").path])
      #expect(slice.status == 0, "\(slice.stderr)")
    }
    let cases: [([String], String)] = [
      (["theory", "verify", folder.path], "\(folder.path): REJECTED: is a folder"),
      (["predict", "--model", "/dev/null", "--data", iris], "/dev/null is not a regular file"),
      (["predict", "--model", folder.path, "--data", iris], "model.safetensors is a folder, not a file"),
      (["predict", "--model", json.path, "--data", iris], "it begins with text, so it is not a safetensors file"),
      (["theory", "merge", directory.appendingPathComponent("slice1").path, directory.appendingPathComponent("slice2").path,
        "--output", file.path], "\(file.path): is a file, where a folder goes"),
      (["theory", "reach", "--trained", "--binomial", "1,1,1", "--nr_epochs", "1", "--hidden_size", "8", "--quiet",
        "--save-models", file.path], "\(file.path) is a file"),
    ]
    for (arguments, expected) in cases {
      let result = try SANNProcess.run(arguments)
      #expect(result.status != 0, "\(arguments) was accepted")
      #expect(result.stderr.contains(expected) && !result.stderr.contains("NSCocoaErrorDomain"), "\(arguments): \(result.stderr)")
    }
    #expect(try String(contentsOf: file, encoding: .utf8) == "x")
  }

  @Test("a bad value found while a subcommand runs points to that subcommand's help, not to the root's usage")
  func subcommandUsage() throws {
    let result = try SANNProcess.run(["theory", "bound", "--binomial", "1,1,1", "--point", "1,2"])
    #expect(result.status == 64, "\(result.status)")
    #expect(result.stderr.contains("--point has 2 coordinates") && result.stderr.contains("See 'sann theory bound --help'")
              && !result.stderr.contains("sann <subcommand>"), "\(result.stderr)")
  }

  @Test("small refusals: --rows -1 is a bad row, not a missing value; an empty or unwritable output folder, before the work; reach --models of the wrong kind or size; drawing a network whose weights overflow")
  func smallRefusals() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let iris = SANNProcess.repositoryRoot.appendingPathComponent("Datasets/61-iris.csv").path
    let trained = try SANNProcess.run(["train", "--dataset_id", "61", "--model", "inn", "--nr_epochs", "1", "--hidden_size", "8", "--output_dir", directory.path, "--quiet"])
    #expect(trained.status == 0, "\(trained.stderr)")
    let run = directory.appendingPathComponent("inn/61/0").path
    // Models saved for d = 3, then moved into each other's folders.
    let models = directory.appendingPathComponent("models")
    let saved = try SANNProcess.run(["theory", "reach", "--trained", "--binomial", "1,1,1", "--nr_epochs", "1", "--hidden_size", "8", "--quiet",
                                     "--save-models", models.path])
    #expect(saved.status == 0, "\(saved.stderr)")
    let swapped = directory.appendingPathComponent("swapped")
    try FileManager.default.copyItem(at: models, to: swapped)
    try FileManager.default.removeItem(at: swapped.appendingPathComponent("sop"))
    try FileManager.default.copyItem(at: models.appendingPathComponent("inn"), to: swapped.appendingPathComponent("sop"))
    // A generated network whose hidden weights overflow its order parameters.
    let network = directory.appendingPathComponent("net.safetensors")
    #expect(try SANNProcess.run(["hypernet", "build", "pudding", "--inputs", "4", "--output", network.path]).status == 0)
    var (tensors, metadata) = try SafeTensors.load(from: network)
    let hidden = try #require(tensors["hidden.weight"])
    tensors["hidden.weight"] = Tensor(shape: hidden.shape, scalars: [Float](repeating: 1e38, count: hidden.count))
    try SafeTensors.save(tensors, metadata: metadata, to: network)
    let cases: [([String], String)] = [
      (["predict", "--model", run, "--data", iris, "--rows", "-1"], "--rows: '-1' is not a row number"),
      (["xai-bench", "--quick", "--output-dir", ""], "--output-dir is empty"),
      // Output folders that cannot be written are refused before the work, not after it.
      (["xai-bench", "--quick", "--output-dir", network.path], "--output-dir \(network.path) is a file"),
      (["theory", "reach", "--trained", "--binomial", "1,1,1", "--report", network.path + "/sub"], "cannot be created (\(network.path) is a file)"),
      (["theory", "reach", "--trained", "--binomial", "1,1,1", "--models", swapped.path], "holds a inn model where the sop model goes"),
      (["theory", "reach", "--trained", "--binomial", "2,2,2", "--models", models.path], "was trained on 3 features, but the polynomial has d = 6"),
      (["hypernet", "draw", network.path, "--output", directory.appendingPathComponent("net.svg").path], "overflows Float"),
    ]
    for (arguments, expected) in cases {
      let result = try SANNProcess.run(arguments)
      #expect(result.status != 0 && result.stderr.contains(expected), "\(arguments): \(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("net.svg").path))
  }
}
