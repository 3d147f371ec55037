import Tensor

extension Hypernetwork {
  /// The folded evaluation-mode forward: W(x) = TabResNetTrunk(x)·W_headᵀ + b_head and
  /// logits = [x, 1]·W(x), with the BatchNorms folded into the Linears (``TabResNetPlan``).
  /// A snapshot of the current parameters, whatever `isTraining` says.
  public func inferencePlan() -> any InferencePlan {
    TabResNetPlan(trunk: TabResNetTrunkPlan(backbone), head: AffineMap(head), readout: .perInstanceLinear)
  }
}
