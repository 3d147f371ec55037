import Foundation

/// A small SVG writer for grids of line charts sharing one y-axis: a panel per cell, a line
/// with markers per series, tick labels on both axes, axis titles and a legend below the grid.
/// Linear or base-10 logarithmic y-axis (non-positive values are left out on a log axis).
struct SVGLineChart {
  struct Series {
    var name: String
    var points: [(x: Double, y: Double)]
  }

  struct Panel {
    var title: String
    var series: [Series]
  }

  var title: String
  var subtitle: String
  var xLabel: String
  var yLabel: String
  var xTicks: [Double]
  /// Row-major, `columns` panels per row.
  var panels: [Panel]
  var columns: Int
  var logScale = false

  static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#7f7f7f", "#17becf", "#8c564b"]
  static let markers = ["circle", "square", "diamond", "triangle", "circle", "square", "diamond", "triangle"]

  private let panelWidth = 300.0
  private let panelHeight = 210.0
  private let left = 70.0
  private let gapX = 40.0
  private let gapY = 70.0
  private let top = 80.0

  func render() -> String {
    let names = panels.flatMap { $0.series.map(\.name) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    let rows = (panels.count + columns - 1) / Swift.max(columns, 1)
    let width = left + Double(columns) * panelWidth + Double(columns - 1) * gapX + 30
    let legendTop = top + Double(rows) * panelHeight + Double(rows - 1) * gapY + 55
    let height = legendTop + 40
    let (lo, hi, ticks) = yAxis()
    let (xLo, xHi) = xRange()
    var svg = SVGDocument.opening(width: width, height: height, title: title, subtitle: subtitle)
    for (p, panel) in panels.enumerated() {
      let x0 = left + Double(p % columns) * (panelWidth + gapX)
      let y0 = top + Double(p / columns) * (panelHeight + gapY)
      func px(_ x: Double) -> Double { x0 + (x - xLo) / (xHi - xLo) * panelWidth }
      func py(_ y: Double) -> Double {
        let t = logScale ? (log10(y) - log10(lo)) / (log10(hi) - log10(lo)) : (y - lo) / (hi - lo)
        return y0 + panelHeight * (1 - t)
      }
      svg += "<text x=\"\(f(x0 + panelWidth / 2))\" y=\"\(f(y0 - 8))\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\">\(escape(panel.title))</text>\n"
      svg += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(panelWidth))\" height=\"\(f(panelHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
      for t in ticks {
        let y = py(t)
        svg += "<line x1=\"\(f(x0))\" y1=\"\(f(y))\" x2=\"\(f(x0 + panelWidth))\" y2=\"\(f(y))\" stroke=\"#e3e3e3\"/>\n"
        svg += "<line x1=\"\(f(x0 - 5))\" y1=\"\(f(y))\" x2=\"\(f(x0))\" y2=\"\(f(y))\" stroke=\"#333\"/>\n"
        svg += "<text x=\"\(f(x0 - 8))\" y=\"\(f(y + 4))\" font-size=\"11\" text-anchor=\"end\">\(tickLabel(t))</text>\n"
      }
      for t in xTicks {
        let x = px(t)
        svg += "<line x1=\"\(f(x))\" y1=\"\(f(y0))\" x2=\"\(f(x))\" y2=\"\(f(y0 + panelHeight))\" stroke=\"#f0f0f0\"/>\n"
        svg += "<line x1=\"\(f(x))\" y1=\"\(f(y0 + panelHeight))\" x2=\"\(f(x))\" y2=\"\(f(y0 + panelHeight + 5))\" stroke=\"#333\"/>\n"
        svg += "<text x=\"\(f(x))\" y=\"\(f(y0 + panelHeight + 18))\" font-size=\"11\" text-anchor=\"middle\">\(xTickLabel(t))</text>\n"
      }
      svg += "<text x=\"\(f(x0 + panelWidth / 2))\" y=\"\(f(y0 + panelHeight + 36))\" font-size=\"12\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
      if p % columns == 0 {
        let cy = y0 + panelHeight / 2
        svg += "<text x=\"\(f(x0 - 52))\" y=\"\(f(cy))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 \(f(x0 - 52)) \(f(cy)))\">\(escape(yLabel))</text>\n"
      }
      for series in panel.series {
        let i = names.firstIndex(of: series.name) ?? 0
        let color = Self.palette[i % Self.palette.count]
        let style = Self.lineStyle(series.name, index: i)
        let visible = series.points.filter { $0.x.isFinite && !$0.y.isNaN && (!logScale || $0.y > 0) }.sorted { $0.x < $1.x }
        if visible.count > 1 {
          let path = visible.map { "\(f(px($0.x))),\(f(py(Swift.min(Swift.max($0.y, lo), hi))))" }.joined(separator: " ")
          svg += "<polyline points=\"\(path)\" fill=\"none\"\(style)/>\n"
        }
        for point in visible {
          svg += marker(Self.markers[i % Self.markers.count], x: px(point.x), y: py(Swift.min(Swift.max(point.y, lo), hi)), color: color)
        }
      }
    }
    // Legend, centred under the grid.
    let itemWidth = 175.0
    var x = Swift.max(10, (width - itemWidth * Double(names.count)) / 2)
    for (i, name) in names.enumerated() {
      let color = Self.palette[i % Self.palette.count]
      svg += "<line x1=\"\(f(x))\" y1=\"\(f(legendTop))\" x2=\"\(f(x + 30))\" y2=\"\(f(legendTop))\"\(Self.lineStyle(name, index: i))/>\n"
      svg += marker(Self.markers[i % Self.markers.count], x: x + 15, y: legendTop, color: color)
      svg += "<text x=\"\(f(x + 36))\" y=\"\(f(legendTop + 4))\" font-size=\"12\">\(escape(name))</text>\n"
      x += itemWidth
    }
    return svg + "</svg>\n"
  }

  /// The x-range every panel spans: from the smallest to the largest of the x ticks and the
  /// finite x of every point (so points outside the ticks stay inside the panel); a single
  /// value is padded by ±0.5, and no data at all gives [0, 1].
  func xRange() -> (lo: Double, hi: Double) {
    let xs = (xTicks + panels.flatMap { $0.series.flatMap { $0.points.map(\.x) } }).filter(\.isFinite)
    guard let lo = xs.min(), let hi = xs.max() else { return (0, 1) }
    return hi - lo < 1e-12 ? (lo - 0.5, hi + 0.5) : (lo, hi)
  }

  /// The y-range and its ticks: "nice" steps of 1, 2 or 5 × 10ᵏ (linear) or powers of ten (log).
  func yAxis() -> (lo: Double, hi: Double, ticks: [Double]) {
    let ys = panels.flatMap { $0.series.flatMap { $0.points.map(\.y) } }.filter { $0.isFinite && (!logScale || $0 > 0) }
    guard var lo = ys.min(), var hi = ys.max() else { return logScale ? (0.1, 10, [0.1, 1, 10]) : (0, 1, [0, 0.5, 1]) }
    if logScale {
      let a = floor(log10(lo))
      var b = ceil(log10(hi))
      if b <= a { b = a + 1 }
      let stride = Swift.max(1, Int(((b - a) / 6).rounded(.up)))
      let ticks = Swift.stride(from: Int(a), through: Int(b), by: stride).map { pow(10, Double($0)) }
      return (pow(10, a), pow(10, b), ticks)
    }
    if hi - lo < 1e-9 {
      lo -= 0.5
      hi += 0.5
    }
    let raw = (hi - lo) / 5
    let magnitude = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
    let first = floor(lo / step) * step
    let last = ceil(hi / step) * step
    let ticks = Swift.stride(from: first, through: last + step / 2, by: step).map { ($0 / step).rounded() * step }
    return (first, last, ticks)
  }

  private func tickLabel(_ t: Double) -> String {
    if logScale {
      let e = Int(log10(t).rounded())
      return e >= -2 && e <= 3 ? String(format: e < 0 ? "%.\(-e)f" : "%.0f", t) : "1e\(e)"
    }
    if t == 0 { return "0" }
    return Swift.abs(t) >= 1 && t == t.rounded() ? String(format: "%.0f", t) : String(format: "%g", (t * 1e6).rounded() / 1e6)
  }

  private func xTickLabel(_ t: Double) -> String { t == 0 ? "0" : String(format: "%g", t) }

  /// Stroke attributes of a series: dashed for the random baseline; a wide translucent band
  /// for the second series so it stays visible where a later series coincides with it (Kernel
  /// SHAP and exact Shapley agree exactly at d = 5).
  static func lineStyle(_ name: String, index i: Int) -> String {
    let color = palette[i % palette.count]
    if name == "random" { return " stroke=\"\(color)\" stroke-width=\"2\" stroke-dasharray=\"5 4\"" }
    if i == 1 { return " stroke=\"\(color)\" stroke-width=\"6\" stroke-opacity=\"0.45\"" }
    return " stroke=\"\(color)\" stroke-width=\"2\""
  }

  private func marker(_ shape: String, x: Double, y: Double, color: String) -> String {
    switch shape {
    case "square":
      return "<rect x=\"\(f(x - 4))\" y=\"\(f(y - 4))\" width=\"8\" height=\"8\" fill=\"\(color)\"/>\n"
    case "diamond":
      return "<polygon points=\"\(f(x)),\(f(y - 5)) \(f(x + 5)),\(f(y)) \(f(x)),\(f(y + 5)) \(f(x - 5)),\(f(y))\" fill=\"\(color)\"/>\n"
    case "triangle":
      return "<polygon points=\"\(f(x)),\(f(y - 5)) \(f(x + 5)),\(f(y + 4)) \(f(x - 5)),\(f(y + 4))\" fill=\"\(color)\"/>\n"
    default:
      return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"4\" fill=\"\(color)\"/>\n"
    }
  }

  private func f(_ v: Double) -> String { SVGDocument.number(v) }

  private func escape(_ s: String) -> String { SVGDocument.escape(s) }
}
