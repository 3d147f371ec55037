import Attribution
import Foundation

/// `results.csv` and the console tables of `sann xai-bench`.
enum XAIBenchReport {
  /// The explainers in the order the runner produced them: the models' own explanations
  /// first, then the post-hoc ones.
  static func explainerOrder(_ records: [XAIBenchRecord]) -> [String] {
    var order: [String] = []
    for r in records where !order.contains(r.explainer) { order.append(r.explainer) }
    return order
  }

  /// One line per (dataset, ρ, model, explainer) with every metric.
  static func csv(_ records: [XAIBenchRecord]) -> String {
    var lines = ["dataset,rho,model,explainer," + XAIBenchMetric.allCases.map(\.rawValue).joined(separator: ",") + ",explain_seconds,model_val_r2"]
    for r in records {
      let scores = XAIBenchMetric.allCases.map { r.scores[$0].map { String($0) } ?? "" }
      lines.append(([r.dataset, String(r.rho), r.model, r.explainer] + scores + [String(r.explainSeconds), String(r.modelR2)]).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// One table per metric: a row per (dataset, model, ρ), a column per explainer.
  static func tables(_ records: [XAIBenchRecord]) -> String {
    let explainers = explainerOrder(records)
    var keys: [(String, String, Double)] = []
    for r in records where !keys.contains(where: { $0 == (r.dataset, r.model, r.rho) }) { keys.append((r.dataset, r.model, r.rho)) }
    let datasetWidth = Swift.max(7, records.map(\.dataset.count).max() ?? 0)
    var out = ""
    for metric in XAIBenchMetric.allCases {
      out += "\n\(metric.title) — \(metric.higherIsBetter ? "higher" : "lower") is better\n"
      var header = pad("dataset", datasetWidth) + "  " + pad("model", 9) + "  " + pad("rho", 4)
      for e in explainers { header += "  " + pad(short(e), 9, right: true) }
      out += header + "\n" + String(repeating: "-", count: header.count) + "\n"
      for (dataset, model, rho) in keys {
        var line = pad(dataset, datasetWidth) + "  " + pad(model, 9) + "  " + pad(String(format: "%.2f", rho), 4)
        for e in explainers {
          let value = records.first { $0.dataset == dataset && $0.model == model && $0.rho == rho && $0.explainer == e }?.scores[metric]
          line += "  " + pad(value.map { format($0, metric) } ?? "—", 9, right: true)
        }
        out += line + "\n"
      }
    }
    return out
  }

  static func short(_ explainer: String) -> String {
    switch explainer {
    case "kernel-shap": "kernelshap"
    case "exact-shapley": "exactshap"
    case "integrated-gradients": "intgrad"
    default: explainer
    }
  }

  static func format(_ value: Double, _ metric: XAIBenchMetric) -> String {
    metric.logScale && value != 0 && Swift.abs(value) < 1e-3 ? String(format: "%.2e", value) : String(format: "%.4f", value)
  }

  static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let gap = String(repeating: " ", count: Swift.max(0, width - text.count))
    return right ? gap + text : text + gap
  }
}
