import Tensor

extension TabResNet {
  /// The folded evaluation-mode forward: logits = TabResNetTrunk(x)·W_headᵀ + b_head, with
  /// the BatchNorms folded into the Linears (``TabResNetPlan``). A snapshot of the current
  /// parameters, whatever `isTraining` says.
  public func inferencePlan() -> any InferencePlan {
    TabResNetPlan(trunk: TabResNetTrunkPlan(backbone), head: AffineMap(head), readout: .logits)
  }
}
