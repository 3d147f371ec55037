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
    // d = 5, so Kernel SHAP's default budget (2·5 + 2048) enumerates every coalition: it must
    // score exactly as exact Shapley on every metric, and exact Shapley's ground-truth error
    // must beat a random attribution's.
    let cells = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    func row(_ key: [String], _ explainer: String) -> [String]? { cells.first { Array($0[0..<3]) == key && $0[3] == explainer } }
    let settings = Set(cells.map { Array($0[0..<3]) })
    #expect(settings.count == 12)
    for key in settings {
      let kernel = try #require(row(key, "kernel-shap"))
      let exact = try #require(row(key, "exact-shapley"))
      let random = try #require(row(key, "random"))
      for (metric, column) in zip(header[4...8], 4...8) {
        let a = Double(kernel[column]) ?? .nan
        let b = Double(exact[column]) ?? .nan
        #expect(Swift.abs(a - b) <= 1e-6 * Swift.max(1, Swift.abs(b)), "\(key) \(metric): kernel-shap \(a), exact-shapley \(b)")
      }
      #expect((Double(exact[7]) ?? .nan) < (Double(random[7]) ?? .nan), "\(key): exact-shapley MSE \(exact[7]) vs random \(random[7])")
    }
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
