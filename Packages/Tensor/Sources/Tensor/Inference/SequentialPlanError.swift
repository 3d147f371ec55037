/// Why a `Sequential` could not be compiled into a ``SequentialPlan``. `path` is the layer's
/// index in the model ("3"), or its index path through nested `Sequential`s ("2.1").
public enum SequentialPlanError: Error, Equatable, CustomStringConvertible {
  /// A layer the plan has no compiled form for (any layer but `Linear`, `BatchNorm1d`,
  /// `Dropout` and `Activation` .relu/.gelu/.identity).
  case unsupportedLayer(path: String, layer: String)
  /// A layer whose input width differs from the width the layers before it produce.
  case widthMismatch(path: String, layer: String, expected: Int, got: Int)
  /// An activation before any `Linear` or `BatchNorm1d`, so the input width is unknown.
  case unknownInputWidth(path: String, layer: String)
  /// No `Linear` or `BatchNorm1d` at all (an empty model, or only activations and dropout).
  case noAffineLayer

  public var description: String {
    switch self {
    case .unsupportedLayer(let path, let layer):
      return "layer \(path) (\(layer)) is not supported by SequentialPlan, which compiles Linear, BatchNorm1d, Dropout and "
        + "Activation(.relu, .gelu, .identity) layers; evaluate this model with its ordinary forward "
        + "(withoutGradient { model(x) }) instead"
    case .widthMismatch(let path, let layer, let expected, let got):
      return "layer \(path) (\(layer)) takes \(got) features but the layers before it produce \(expected); "
        + "the model's forward would fail too: fix the layer sizes"
    case .unknownInputWidth(let path, let layer):
      return "layer \(path) (\(layer)) comes before any Linear or BatchNorm1d, so SequentialPlan cannot tell the input width; "
        + "start the model with a Linear or BatchNorm1d layer"
    case .noAffineLayer:
      return "the Sequential has no Linear or BatchNorm1d layer, so SequentialPlan cannot tell its input width; "
        + "add a Linear layer (or evaluate the model with its ordinary forward)"
    }
  }
}
