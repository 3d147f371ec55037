import Foundation
import Models

/// The β sweep as SVG: relative error and D_KL against β, both on log scales, each point
/// coloured by the algorithm its network implements.
struct SweepChart {
  let rows: [SweepRow]
  let inputs: Int
  let title: String

  static let colours = ["double-sided": "#1f77b4", "pudding": "#2ca02c", "convexity": "#ff7f0e", "none": "#7f7f7f"]

  func render() -> String {
    let (panelWidth, panelHeight, left, top, gap) = (330.0, 230.0, 80.0, 90.0, 90.0)
    let width = left + 2 * panelWidth + gap + 30
    let height = top + panelHeight + 110
    var svg = SVGDocument.opening(width: width, height: height, title: "β sweep of \(title) (n = \(inputs))",
                                  subtitle: "each point a generated network, coloured by the algorithm its order parameters indicate")
    let betas = rows.map { Foundation.log10($0.beta) }
    let (xLo, xHi) = (betas.min() ?? 0, Swift.max((betas.max() ?? 1), (betas.min() ?? 0) + 1e-9))
    let panels: [(String, [Double])] = [
      ("relative error on ‖x‖₁", rows.map { Swift.max($0.relativeError, 1e-12) }),
      ("D_KL (nats)", rows.map { Swift.max($0.kl, 1e-6) }),
    ]
    for (p, panel) in panels.enumerated() {
      let x0 = left + Double(p) * (panelWidth + gap)
      let logs = panel.1.map { Foundation.log10($0) }
      var (yLo, yHi) = ((logs.min() ?? 0).rounded(.down), (logs.max() ?? 1).rounded(.up))
      if yHi <= yLo { yHi = yLo + 1 }
      func px(_ v: Double) -> Double { x0 + (v - xLo) / (xHi - xLo) * panelWidth }
      func py(_ v: Double) -> Double { top + panelHeight - (v - yLo) / (yHi - yLo) * panelHeight }
      svg += "<rect x=\"\(SVGDocument.number(x0))\" y=\"\(SVGDocument.number(top))\" width=\"\(SVGDocument.number(panelWidth))\" height=\"\(SVGDocument.number(panelHeight))\" fill=\"none\" stroke=\"#999\"/>\n"
      svg += "<text x=\"\(SVGDocument.number(x0 + panelWidth / 2))\" y=\"\(SVGDocument.number(top - 10))\" font-size=\"13\" text-anchor=\"middle\">\(SVGDocument.escape(panel.0))</text>\n"
      let step = Swift.max(1, Int(((yHi - yLo) / 6).rounded(.up)))
      for e in stride(from: Int(yLo), through: Int(yHi), by: step) {
        svg += "<text x=\"\(SVGDocument.number(x0 - 6))\" y=\"\(SVGDocument.number(py(Double(e)) + 4))\" font-size=\"10\" text-anchor=\"end\">1e\(e)</text>\n"
        svg += "<line x1=\"\(SVGDocument.number(x0))\" y1=\"\(SVGDocument.number(py(Double(e))))\" x2=\"\(SVGDocument.number(x0 + panelWidth))\" y2=\"\(SVGDocument.number(py(Double(e))))\" stroke=\"#eee\"/>\n"
      }
      for e in Int(xLo.rounded(.up))...Swift.max(Int(xLo.rounded(.up)), Int(xHi.rounded(.down))) {
        svg += "<text x=\"\(SVGDocument.number(px(Double(e))))\" y=\"\(SVGDocument.number(top + panelHeight + 16))\" font-size=\"10\" text-anchor=\"middle\">1e\(e)</text>\n"
      }
      svg += "<text x=\"\(SVGDocument.number(x0 + panelWidth / 2))\" y=\"\(SVGDocument.number(top + panelHeight + 36))\" font-size=\"12\" text-anchor=\"middle\">β</text>\n"
      let points = zip(betas, logs).map { "\(SVGDocument.number(px($0))),\(SVGDocument.number(py($1)))" }.joined(separator: " ")
      svg += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\"/>\n"
      for (r, (b, v)) in zip(rows, zip(betas, logs)) {
        let name = r.order.algorithm?.rawValue ?? "none"
        svg += "<circle cx=\"\(SVGDocument.number(px(b)))\" cy=\"\(SVGDocument.number(py(v)))\" r=\"4.5\" fill=\"\(Self.colours[name] ?? "#000")\"><title>β = \(String(format: "%.3g", r.beta)): \(SVGDocument.escape(r.order.label))</title></circle>\n"
      }
    }
    var x = left
    let legendY = top + panelHeight + 70
    for name in ["double-sided", "pudding", "convexity", "none"] {
      svg += "<circle cx=\"\(SVGDocument.number(x))\" cy=\"\(SVGDocument.number(legendY))\" r=\"5\" fill=\"\(Self.colours[name]!)\"/>\n"
      svg += "<text x=\"\(SVGDocument.number(x + 10))\" y=\"\(SVGDocument.number(legendY + 4))\" font-size=\"12\">\(name)</text>\n"
      x += 130
    }
    return svg + "</svg>\n"
  }
}
