/// What is predicted: a class out of two, a class out of several, or a number.
public enum PredictionTask: String, Codable, Sendable, CaseIterable {
  case binary, multiclass, regression

  /// The width of the network output: 1 logit for binary (sigmoid) and regression, one per
  /// class for multiclass (softmax).
  public func outputs(classes: Int) -> Int { self == .multiclass ? classes : 1 }
}
