import Tensor

/// A network for tabular data that maps encoded rows [n, features] to logits [n, outputs]
/// (one logit for binary classification and regression, one per class otherwise).
///
/// Everything the trainer, the snapshot ensemble and the explainers need from a model is here,
/// so none of them asks which architecture it holds. Registered architectures add how they are
/// configured and built (``Architecture``).
public protocol TabularModel: Layer {
  var features: Int { get }
  var outputs: Int { get }
  /// A compiled evaluation-mode forward pass over the current parameters (see
  /// ``InferencePlan``); by default the model's own forward pass (``ForwardPassPlan``).
  func inferencePlan() -> any InferencePlan
  /// What the trainer optimises for a batch: the logits and the architecture's own
  /// regulariser, if it has one (INN's λ·mean|W(x)|). Default: the forward pass, no penalty.
  func trainingOutput(_ x: Tensor) -> TrainingOutput
  /// The model's own explanation, when it explains itself (INN, logistic regression); nil
  /// for a black box. Conformers that explain themselves return `self`.
  var selfExplaining: (any SelfExplaining)? { get }
  /// The model's global explanation by per-feature functions, when it is additive (NAM); nil
  /// otherwise. Conformers return `self`.
  var globalExplaining: (any GlobalExplaining)? { get }
  /// Parts that are models in their own right, whose test metrics the report lists beside the
  /// model's (Sum-of-Parts: its frozen backbone). Default: none.
  var components: [(name: String, model: any TabularModel)] { get }
  /// How many rows one pass that differentiates with respect to the inputs should take at most,
  /// for explainers that batch points (Integrated Gradients): a model whose tape grows with more
  /// than the rows (Sum-of-Parts: a backbone pass per group) asks for fewer. Default: 4096.
  var inputGradientRows: Int { get }
}

/// One training forward pass: the logits, and the penalty the architecture adds to the task
/// loss (already multiplied by its coefficient), or nil.
public struct TrainingOutput {
  public var logits: Tensor
  public var penalty: Tensor?

  public init(logits: Tensor, penalty: Tensor? = nil) {
    self.logits = logits
    self.penalty = penalty
  }
}

// MARK: - Default implementations

extension TabularModel {
  public func trainingOutput(_ x: Tensor) -> TrainingOutput { TrainingOutput(logits: self(x)) }

  public var selfExplaining: (any SelfExplaining)? { nil }

  public var components: [(name: String, model: any TabularModel)] { [] }

  public var globalExplaining: (any GlobalExplaining)? { nil }

  public var inputGradientRows: Int { 4096 }
}
