// Pure pieces of the command line: the exact-vs-Kernel-SHAP choice of `sann explain --method
// shap` and the line chart's x-axis.

import Foundation
@testable import SANNCLI
import Testing

@Suite("sann explain choices and chart axes")
struct ExplainChoiceTests {
  /// Exact Shapley costs 2^d coalitions per row, Kernel SHAP its budget (2d + 2048 by default):
  /// exact only when it is no more expensive.
  @Test("--method shap is exact only when 2^d ≤ the Kernel SHAP budget")
  func shapChoice() {
    #expect(Explain.shapIsExact(features: 11, budget: nil))  // 2048 ≤ 2070
    #expect(!Explain.shapIsExact(features: 12, budget: nil))  // 4096 > 2072
    #expect(!Explain.shapIsExact(features: 16, budget: nil))
    #expect(Explain.shapIsExact(features: 13, budget: 8192))
    #expect(!Explain.shapIsExact(features: 13, budget: 8191))
    #expect(!Explain.shapIsExact(features: 17, budget: 1 << 24))  // beyond ExactShapley's limit
  }

  /// Points at x = 0…10 (outside [0, 1]) are scaled to the panel, not drawn off the canvas.
  @Test("x values outside [0, 1] are scaled to the data range")
  func chartXRange() throws {
    let series = SVGLineChart.Series(name: "a", points: (0...10).map { (x: Double($0), y: Double($0 * $0)) })
    let chart = SVGLineChart(title: "t", subtitle: "s", xLabel: "x", yLabel: "y", xTicks: [0, 5, 10],
                             panels: [SVGLineChart.Panel(title: "p", series: [series])], columns: 1)
    let svg = chart.render()
    let polyline = try #require(svg.components(separatedBy: "<polyline points=\"").dropFirst().first?.components(separatedBy: "\"").first)
    let xs = polyline.split(separator: " ").compactMap { Double($0.split(separator: ",")[0]) }
    #expect(xs.count == 11)
    // The panel spans x = 70 … 370 (left margin 70, width 300).
    #expect(xs.first == 70 && xs.last == 370, "\(xs)")
    #expect(xs.allSatisfy { $0 >= 70 && $0 <= 370 })
  }
}
