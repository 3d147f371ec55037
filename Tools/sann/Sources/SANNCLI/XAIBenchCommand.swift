import ArgumentParser
import Attribution
import Foundation
import Models
import Tensor

/// `sann xai-bench`: INN's own explanations against Kernel SHAP, exact Shapley, LIME,
/// Integrated Gradients and a random baseline on XAI-Bench's synthetic data.
struct XAIBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "xai-bench",
    abstract: "Score explainers on XAI-Bench's synthetic Gaussian data with known ground truth.",
    discussion: """
      For gaussianLinear, gaussianNonLinearAdditive and gaussianPiecewiseConstant (d = 5) at \
      ρ = 0, 0.25, 0.5, 0.75, 0.99, trains INN and TabResNet as regressors on 1,000 rows, \
      explains 100 validation rows with INN's own explanation (INN only), Kernel SHAP, exact \
      Shapley, LIME, Integrated Gradients and a random baseline, and scores them: faithfulness, \
      monotonicity, infidelity, and the error against ground-truth Shapley values computed from \
      exact conditional Gaussian expectations. Writes results.csv and one SVG plot per metric to \
      --output-dir and prints a table per metric. --quick runs a tiny configuration in seconds.
      """
  )

  @Option(name: [.customLong("output-dir"), .customLong("output_dir")], help: "Where results.csv and the SVG plots go.")
  var outputDir = "xai-bench"

  @Option(parsing: .unconditional, help: "Random seed for data, training, explainers and metrics.")
  var seed: UInt64 = 0

  @Flag(help: "A tiny configuration (two correlations, small networks, few samples) for a smoke test.")
  var quick = false

  @Option(parsing: .unconditional, help: "Worker threads, one (dataset, ρ) pair each; results do not depend on it. Default: the number of cores.")
  var jobs: Int?

  @Flag(help: "No progress output on standard error.")
  var quiet = false

  func validate() throws {
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
    if outputDir.isEmpty { throw ValidationError("--output-dir is empty; give a directory (default: xai-bench)") }
  }

  func run() throws {
    try ModelInput.checkOutputFolder(outputDir, flag: "--output-dir")
    let settings = quick ? XAIBenchSettings.quick(seed: seed) : XAIBenchSettings.full(seed: seed)
    let quiet = self.quiet
    let start = Date()
    let runner = XAIBenchRunner(settings: settings, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount) { message in
      if !quiet { FileHandle.standardError.write(Data(message.utf8)) }
    }
    let records = try runner.run()
    let directory = URL(fileURLWithPath: outputDir)
    try AtomicFile.write(XAIBenchReport.csv(records), to: directory.appendingPathComponent("results.csv"))
    var written = ["results.csv"]
    for metric in XAIBenchMetric.allCases {
      let file = "\(metric.rawValue).svg"
      try AtomicFile.write(Self.chart(metric, records: records, settings: settings).render(), to: directory.appendingPathComponent(file))
      written.append(file)
    }
    print(XAIBenchReport.tables(records))
    if !quiet {
      let seconds = Date().timeIntervalSince(start)
      FileHandle.standardError.write(Data(String(format: "wrote %@ to %@ in %.1f s\n", written.joined(separator: ", "), directory.path, seconds).utf8))
    }
  }

  /// A panel per (model, dataset): rows are models, columns datasets; a line per explainer.
  static func chart(_ metric: XAIBenchMetric, records: [XAIBenchRecord], settings: XAIBenchSettings) -> SVGLineChart {
    var panels: [SVGLineChart.Panel] = []
    for architecture in settings.architectures {
      for dataset in settings.datasets {
        let own = records.filter { $0.model == architecture.kind && $0.dataset == dataset.rawValue }
        let series = XAIBenchReport.explainerOrder(records).compactMap { e -> SVGLineChart.Series? in
          let points = own.filter { $0.explainer == e }.compactMap { r in r.scores[metric].map { (x: r.rho, y: $0) } }
          return points.isEmpty ? nil : SVGLineChart.Series(name: e, points: points)
        }
        let name = (try? architecture.architecture.displayName) ?? architecture.kind
        panels.append(.init(title: "\(name) · \(dataset.rawValue)", series: series))
      }
    }
    let better = metric.higherIsBetter ? "higher is better" : "lower is better (log scale)"
    let d = settings.dimension
    let enumerated = (1 << d) - 2 <= KernelSHAP.defaultBudget(features: d) ? "; kernel-shap enumerates all coalitions, so it lies under exact-shapley" : ""
    return SVGLineChart(
      title: metric.title, subtitle: "XAI-Bench, d = \(d), \(settings.validationRows) validation rows, seed \(settings.seed) — \(better)\(enumerated)",
      xLabel: "feature correlation ρ", yLabel: metric.rawValue.replacingOccurrences(of: "_", with: " "),
      xTicks: settings.rhos, panels: panels, columns: settings.datasets.count, logScale: metric.logScale)
  }
}
