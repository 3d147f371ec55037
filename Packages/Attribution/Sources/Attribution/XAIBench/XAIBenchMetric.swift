/// One XAI-Bench score of one explainer on one trained model.
public struct XAIBenchRecord: Sendable {
  public var dataset: String
  public var rho: Double
  /// The architecture's kind.
  public var model: String
  /// The explainer: a post-hoc method's name, or the method name of the model's own explanation ("inn").
  public var explainer: String
  public var scores: [XAIBenchMetric: Double]
  public var explainSeconds: Double
  /// R² of the explained network on the validation rows.
  public var modelR2: Double
}

/// The metrics `sann xai-bench` reports, with how to read them.
public enum XAIBenchMetric: String, CaseIterable, Sendable {
  case faithfulness
  case monotonicity
  case infidelity
  case shapleyMSE = "shapley_mse"
  case shapleyCorrelation = "shapley_corr"

  public var title: String {
    switch self {
    case .faithfulness: "Faithfulness: corr(|φ|, drop under conditional replacement)"
    case .monotonicity: "Monotonicity: share of rising marginal effects"
    case .infidelity: "Infidelity (Yeh et al. 2019)"
    case .shapleyMSE: "Ground-truth Shapley MSE"
    case .shapleyCorrelation: "Ground-truth Shapley correlation (per row)"
    }
  }

  public var higherIsBetter: Bool { !(self == .infidelity || self == .shapleyMSE) }

  /// Errors span orders of magnitude across explainers: plotted on a log scale.
  public var logScale: Bool { !higherIsBetter }
}
