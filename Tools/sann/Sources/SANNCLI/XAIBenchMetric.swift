/// One XAI-Bench score of one explainer on one trained model.
struct XAIBenchRecord {
  var dataset: String
  var rho: Double
  var model: String
  var explainer: String
  var scores: [XAIBenchMetric: Double]
  var explainSeconds: Double
  /// R² of the explained network on the validation rows.
  var modelR2: Double
}

/// The metrics `sann xai-bench` reports, with how to read them.
enum XAIBenchMetric: String, CaseIterable {
  case faithfulness
  case monotonicity
  case infidelity
  case shapleyMSE = "shapley_mse"
  case shapleyCorrelation = "shapley_corr"

  var title: String {
    switch self {
    case .faithfulness: "Faithfulness: corr(|φ|, drop under conditional replacement)"
    case .monotonicity: "Monotonicity: share of rising marginal effects"
    case .infidelity: "Infidelity (Yeh et al. 2019)"
    case .shapleyMSE: "Ground-truth Shapley MSE"
    case .shapleyCorrelation: "Ground-truth Shapley correlation (per row)"
    }
  }

  var higherIsBetter: Bool { !(self == .infidelity || self == .shapleyMSE) }

  /// Errors span orders of magnitude across explainers: plotted on a log scale.
  var logScale: Bool { !higherIsBetter }
}
