import Tensor

// MARK: - Every tabular model has one

extension TabularModel {
  /// The default plan: the model's own forward pass in evaluation mode, chunk by chunk
  /// (``ForwardPassPlan``). INN and TabResNet provide folded plans instead (``TabResNetPlan``).
  public func inferencePlan() -> any InferencePlan { ForwardPassPlan(self) }
}
