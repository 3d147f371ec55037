import Foundation
import Models

/// The shape functions of an additive model as an SVG: one panel per feature, in order of
/// importance, its own x-range (the feature in its original units) and y-range; a line per
/// output, a band of ± one standard deviation over the ensemble when there is one, and the
/// training rows' density as grey bars along the bottom of each panel.
struct SVGShapePlot {
  struct Panel {
    var title: String
    /// Ascending x (original units), the training rows at each, f per output, spread per output.
    var x: [Double]
    var counts: [Int]
    var curves: [[Double]]
    var spread: [[Double]]?
  }

  var title: String
  var subtitle: String
  var outputs: [String]
  var panels: [Panel]
  var columns = 4

  private let panelWidth = 240.0
  private let panelHeight = 170.0
  private let left = 60.0
  private let gapX = 50.0
  private let gapY = 70.0
  private let top = 80.0

  func render() -> String {
    let columns = Swift.max(1, Swift.min(self.columns, panels.count))
    let rows = (panels.count + columns - 1) / columns
    let width = left + Double(columns) * panelWidth + Double(columns - 1) * gapX + 30
    let legendTop = top + Double(rows) * panelHeight + Double(Swift.max(rows - 1, 0)) * gapY + 50
    let height = legendTop + (outputs.count > 1 ? 40 : 10)
    var svg = SVGDocument.opening(width: width, height: height, title: title, subtitle: subtitle)
    for (p, panel) in panels.enumerated() {
      let x0 = left + Double(p % columns) * (panelWidth + gapX)
      let y0 = top + Double(p / columns) * (panelHeight + gapY)
      let xLo = panel.x.first ?? 0
      var xHi = panel.x.last ?? 1
      if xHi - xLo < 1e-12 { xHi = xLo + 1 }
      var yValues = panel.curves.flatMap { $0 }
      if let spread = panel.spread {
        for (v, row) in panel.curves.enumerated() { for (o, y) in row.enumerated() { yValues += [y - spread[v][o], y + spread[v][o]] } }
      }
      var yLo = Swift.min(yValues.filter(\.isFinite).min() ?? -1, 0)
      var yHi = Swift.max(yValues.filter(\.isFinite).max() ?? 1, 0)
      if yHi - yLo < 1e-9 { (yLo, yHi) = (yLo - 0.5, yHi + 0.5) }
      let pad = (yHi - yLo) * 0.05
      (yLo, yHi) = (yLo - pad, yHi + pad)
      func px(_ x: Double) -> Double { x0 + (x - xLo) / (xHi - xLo) * panelWidth }
      func py(_ y: Double) -> Double { y0 + panelHeight * (1 - (y - yLo) / (yHi - yLo)) }
      svg += "<text x=\"\(f(x0 + panelWidth / 2))\" y=\"\(f(y0 - 8))\" font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\">\(escape(panel.title))</text>\n"
      // Density: a bar per value, height proportional to its share of the largest count.
      let most = Double(panel.counts.max() ?? 1)
      let barWidth = Swift.max(1.5, Swift.min(12, panelWidth / Double(Swift.max(panel.x.count, 1)) * 0.8))
      for (x, count) in zip(panel.x, panel.counts) {
        let h = 0.22 * panelHeight * Double(count) / most
        svg += "<rect x=\"\(f(px(x) - barWidth / 2))\" y=\"\(f(y0 + panelHeight - h))\" width=\"\(f(barWidth))\" height=\"\(f(h))\" fill=\"#cfcfcf\"/>\n"
      }
      svg += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(panelWidth))\" height=\"\(f(panelHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
      if yLo < 0 && yHi > 0 {
        svg += "<line x1=\"\(f(x0))\" y1=\"\(f(py(0)))\" x2=\"\(f(x0 + panelWidth))\" y2=\"\(f(py(0)))\" stroke=\"#999\" stroke-dasharray=\"3 3\"/>\n"
      }
      for (value, anchor) in [(yLo, "end"), (yHi, "end")] {
        svg += "<text x=\"\(f(x0 - 6))\" y=\"\(f(py(value) + 4))\" font-size=\"10\" text-anchor=\"\(anchor)\">\(label(value))</text>\n"
      }
      svg += "<text x=\"\(f(x0))\" y=\"\(f(y0 + panelHeight + 15))\" font-size=\"10\" text-anchor=\"start\">\(label(xLo))</text>\n"
      svg += "<text x=\"\(f(x0 + panelWidth))\" y=\"\(f(y0 + panelHeight + 15))\" font-size=\"10\" text-anchor=\"end\">\(label(xHi))</text>\n"
      for o in outputs.indices {
        let color = SVGLineChart.palette[o % SVGLineChart.palette.count]
        if let spread = panel.spread, panel.x.count > 1 {
          let upper = panel.x.indices.map { "\(f(px(panel.x[$0]))),\(f(py(panel.curves[$0][o] + spread[$0][o])))" }
          let lower = panel.x.indices.reversed().map { "\(f(px(panel.x[$0]))),\(f(py(panel.curves[$0][o] - spread[$0][o])))" }
          svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.2\" stroke=\"none\"/>\n"
        }
        // A step function: each value's level holds until the next value (as ExU units jump).
        var points: [String] = []
        for v in panel.x.indices {
          if v > 0 { points.append("\(f(px(panel.x[v]))),\(f(py(panel.curves[v - 1][o])))") }
          points.append("\(f(px(panel.x[v]))),\(f(py(panel.curves[v][o])))")
        }
        if panel.x.count == 1 { points.append("\(f(px(panel.x[0]) + 4)),\(f(py(panel.curves[0][o])))") }
        svg += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
      }
    }
    if outputs.count > 1 {
      var x = Swift.max(10, (width - 160 * Double(outputs.count)) / 2)
      for (o, name) in outputs.enumerated() {
        let color = SVGLineChart.palette[o % SVGLineChart.palette.count]
        svg += "<line x1=\"\(f(x))\" y1=\"\(f(legendTop))\" x2=\"\(f(x + 30))\" y2=\"\(f(legendTop))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
        svg += "<text x=\"\(f(x + 36))\" y=\"\(f(legendTop + 4))\" font-size=\"12\">\(escape(name))</text>\n"
        x += 160
      }
    }
    return svg + "</svg>\n"
  }

  private func label(_ v: Double) -> String { String(format: "%.3g", v) }
  private func f(_ v: Double) -> String { SVGDocument.number(v) }
  private func escape(_ s: String) -> String { SVGDocument.escape(s) }
}
