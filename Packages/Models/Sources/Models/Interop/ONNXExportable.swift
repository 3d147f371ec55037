/// A model that can write its evaluation-mode forward pass — and its own explanation, when it
/// has one — as an ONNX graph (`sann export --format onnx`). Each architecture conforms in its
/// own folder; ``ONNXExport`` adds the preprocessing, the snapshot ensemble and the outputs.
public protocol ONNXExportable: TabularModel {
  /// Appends the forward pass to `graph`, reading encoded rows [N, ``TabularModel/features``]
  /// (float) from the value `input`, and returns the names of what it computed.
  func exportONNX(into graph: inout ONNXGraph, input: String) throws -> ONNXModelOutputs
}

/// The values one exported network computes.
public struct ONNXModelOutputs {
  /// What the network's own explanation is, as graph values.
  public enum Explanation {
    /// A black box.
    case none
    /// Per-feature contributions [N, outputs, features] and the bias [N, outputs]: bias +
    /// Σ contributions = logits.
    case features(contributions: String, bias: String)
    /// Group masks [N, groups, features] (0/1) and the groups' scores [N, outputs, groups]:
    /// Σ scores = logits.
    case groups(masks: String, scores: String)
  }

  /// The logits [N, outputs].
  public var logits: String
  public var explanation: Explanation

  public init(logits: String, explanation: Explanation = .none) {
    self.logits = logits
    self.explanation = explanation
  }
}

/// Why a model could not be exported.
public enum ONNXExportError: Error, Equatable, CustomStringConvertible {
  /// The architecture has no ONNX exporter.
  case unsupported(kind: String)

  public var description: String {
    switch self {
    case .unsupported(let kind):
      "the \(kind) architecture has no ONNX exporter yet; an architecture gets one by conforming to ONNXExportable in its own folder (CONTRIBUTING.md, 'Adding a model')"
    }
  }
}
