/// What went wrong when explaining, with how to fix it.
public enum AttributionError: Error, Equatable, CustomStringConvertible {
  case wrongWidth(expected: Int, got: Int)
  case emptyBackground
  case budgetTooSmall(budget: Int, minimum: Int)
  /// A Kernel SHAP budget above ``KernelSHAP/maximumBudget`` coalitions per row.
  case budgetTooLarge(budget: Int, maximum: Int)
  /// Row-major values that do not split into rows of the model's width.
  case notAMultiple(values: Int, features: Int)
  /// The model (or value function) returned NaN or ±∞; `location` says for which input.
  case nonFiniteModelOutput(location: String, value: Double)
  case tooManyFeatures(features: Int, maximum: Int, method: String)
  case badModelOutput(expected: Int, got: Int)
  case invalidArgument(String)
  /// A covariance matrix (or a conditional covariance) that is not positive definite.
  case notPositiveDefinite(pivot: Int, value: Double)

  public var description: String {
    switch self {
    case .wrongWidth(let expected, let got):
      return "the data has \(got) columns but the model takes \(expected) features; pass rows with exactly \(expected) values (after the same preprocessing the model was trained with)"
    case .emptyBackground:
      return "the background set is empty; pass at least one background row (for example a sample of the training data)"
    case .budgetTooSmall(let budget, let minimum):
      return "a budget of \(budget) coalitions is too small; Kernel SHAP needs at least d + 1 = \(minimum) coalitions"
    case .budgetTooLarge(let budget, let maximum):
      return "a budget of \(budget) coalitions is too large; Kernel SHAP accepts at most \(maximum) coalitions per row (the default is 2d + 2048; 2^d − 2 already enumerates every coalition)"
    case .notAMultiple(let values, let features):
      return "\(values) values is not a multiple of d = \(features); pass rows of exactly \(features) values each, row-major"
    case .nonFiniteModelOutput(let location, let value):
      return "the model returned \(value) for \(location); explainers need finite outputs (check the model's parameters and that the inputs are on the scale it was trained on)"
    case .tooManyFeatures(let features, let maximum, let method):
      return "\(method) enumerates every subset of features and supports at most \(maximum) features, but the model has \(features); use kernel-shap or a Monte-Carlo estimate instead"
    case .badModelOutput(let expected, let got):
      return "the model returned \(got) values where \(expected) were expected (rows × outputs)"
    case .invalidArgument(let message):
      return message
    case .notPositiveDefinite(let pivot, let value):
      return "the covariance matrix is not positive definite (Cholesky pivot \(pivot) is \(value)); use a correlation ρ with −1/(d − 1) < ρ < 1 and a symmetric matrix with a positive spectrum"
    }
  }
}
