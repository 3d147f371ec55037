import Foundation
import Testing

@Suite("sann xai-bench")
struct XAIBenchCommandTests {
  /// The quick configuration: 3 datasets × 2 correlations × (6 INN + 5 TabResNet explainers) =
  /// 66 result rows, every metric a finite number, and one readable SVG per metric.
  @Test("--quick writes results.csv, one SVG per metric and prints the tables")
  func quickRun() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try SANNProcess.run(["xai-bench", "--quick", "--output-dir", directory.path, "--quiet"])
    #expect(run.status == 0, "stderr: \(run.stderr)")
    let csv = try String(contentsOf: directory.appendingPathComponent("results.csv"), encoding: .utf8)
    let lines = csv.split(separator: "\n").map(String.init)
    let header = lines[0].split(separator: ",").map(String.init)
    #expect(header == ["dataset", "rho", "model", "explainer", "faithfulness", "monotonicity", "infidelity", "shapley_mse",
                       "shapley_corr", "explain_seconds", "model_val_r2"])
    #expect(lines.count == 67)
    for line in lines.dropFirst() {
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      #expect(cells.count == header.count)
      for cell in cells[4...] { #expect(Double(cell)?.isFinite == true, "not a number in: \(line)") }
    }
    #expect(lines.filter { $0.contains(",inn,inn,") }.count == 6)
    #expect(Set(lines.dropFirst().map { $0.split(separator: ",")[3] }) == ["inn", "kernel-shap", "exact-shapley", "lime", "integrated-gradients", "random"])
    for metric in ["faithfulness", "monotonicity", "infidelity", "shapley_mse", "shapley_corr"] {
      let svg = try String(contentsOf: directory.appendingPathComponent("\(metric).svg"), encoding: .utf8)
      #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
      #expect(svg.contains("INN · gaussianLinear") && svg.contains("TabResNet · gaussianPiecewiseConstant"))
      #expect(svg.contains(">kernel-shap</text>") && svg.contains("feature correlation ρ"))
      #expect(svg.components(separatedBy: "<polyline").count - 1 == 33)
    }
    #expect(run.stdout.contains("Faithfulness") && run.stdout.contains("Ground-truth Shapley MSE"))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }
    #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
  }

  @Test("a bad --jobs value is rejected with a message")
  func badJobs() throws {
    let run = try SANNProcess.run(["xai-bench", "--quick", "--jobs", "0"])
    #expect(run.status != 0)
    #expect(run.stderr.contains("--jobs"))
  }
}
