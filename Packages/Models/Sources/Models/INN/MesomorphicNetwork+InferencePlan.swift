import Tensor

extension MesomorphicNetwork {
  /// The folded evaluation-mode forward: W(x) = TabResNetTrunk(x)·W_headᵀ + b_head and
  /// logits = [x, 1]·W(x), with the BatchNorms folded into the Linears (``TabResNetPlan``).
  /// A snapshot of the current parameters, whatever `isTraining` says.
  public func inferencePlan() -> any InferencePlan {
    TabResNetPlan(trunk: TabResNetTrunkPlan(backbone), head: AffineMap(head), readout: .perInstanceLinear)
  }

  /// The folded evaluation-mode hypernetwork alone: its outputs are the generated weights
  /// W(x) ∈ R^{(F+1)×C} per row (row F the bias), row-major — INN's explanation at the cost of
  /// one forward pass (``explain(_:threads:)`` reads it).
  public func weightsPlan() -> TabResNetPlan {
    TabResNetPlan(trunk: TabResNetTrunkPlan(backbone), head: AffineMap(head), readout: .logits)
  }
}
