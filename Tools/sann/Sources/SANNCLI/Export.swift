import ArgumentParser
import Foundation
import Models
import ModelsONNX
import Tensor

/// `sann export`: a trained model as a file other engines read (ONNX).
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Export a trained model to ONNX: raw rows in, probabilities (or the regression value) and the model's own explanation out.",
    discussion: """
      The graph holds the fitted preprocessing, every snapshot and the ensemble's rule, so it computes what \
      `sann predict` and `sann explain` print. Input `features`, float [N, D]: the model's columns in the \
      order its metadata lists, numeric values as they are, categorical columns as 0-based level codes, NaN \
      for missing. Outputs: `probabilities` or `prediction`, `logits`, and `contributions` + `bias` (INN, \
      logistic, NAM) or `group_masks` + `group_scores` (Sum-of-Parts). The JSON metadata entry \
      'sannkit.onnx' describes them. Tools/scripts/sannkit_onnx.py scores a CSV with ONNX Runtime.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable { case onnx }

  @Argument(help: ArgumentHelp("A run directory written by `sann train` (or its model.safetensors).", valueName: "run-dir"))
  var directory: String

  @Option(help: "The file format: onnx.")
  var format: Format

  @Option(help: "The file to write (atomically; an existing file is replaced only on success).")
  var output: String

  @Flag(help: "Print nothing on success.")
  var quiet = false

  func run() throws {
    let url = try ModelInput.modelFile(directory)
    try ModelInput.distinct(output, flag: "--output", from: [url.path])
    let (card, ensemble) = try ModelFile.load(from: url)
    let graph = try ONNXExport.graph(card: card, ensemble: ensemble)
    let bytes = try ONNXFile.write(graph, to: URL(fileURLWithPath: output), producerVersion: "1")
    if !quiet {
      let outputs = graph.outputs.map(\.name).joined(separator: ", ")
      let summary = """
        wrote \(output): \(card.kind), \(card.task.rawValue), \(card.snapshotCount) snapshot(s); \(graph.nodes.count) nodes, \(graph.constantScalars) constants, \(bytes) bytes
        input features [N, \(card.preprocessor.transforms.count)]: \(card.preprocessor.featureNames.joined(separator: ", "))
        outputs: \(outputs)

        """
      // The model itself may be going to standard output: the summary goes to standard error then.
      if AtomicFile.isStandardOutput(output) {
        FileHandle.standardError.write(Data(summary.utf8))
      } else {
        print(summary, terminator: "")
      }
    }
  }
}
