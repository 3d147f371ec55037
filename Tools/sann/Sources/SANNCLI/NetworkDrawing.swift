import Foundation
import Models

/// A generated network as SVG: inputs on the left, hidden units in the middle ordered so that an
/// input's partners sit together, the output on the right; edge width |w|, colour the sign.
struct NetworkDrawing {
  let network: GeneratedNetwork
  let title: String

  init(_ network: GeneratedNetwork, title: String) {
    self.network = network
    self.title = title
  }

  static let positive = "#2166ac"
  static let negative = "#b2182b"

  func render() -> String {
    let (n, h) = (network.inputs, network.hidden)
    let roles = OrderParameters.roles(network)
    func rank(_ j: Int) -> (Int, Int, Int) {
      switch roles[j] {
      case let .partner(input, side): (0, input, -side)
      case .uniform: (1, 0, 0)
      case .diffuse: (2, 0, 0)
      case .inactive: (3, 0, 0)
      }
    }
    let order = (0..<h).sorted { j, k in
      let (a, b) = (rank(j), rank(k))
      return (a.0, a.1, a.2, j) < (b.0, b.1, b.2, k)
    }
    let spacing = 16.0
    let top = 90.0
    let height = top + Double(Swift.max(n, h)) * spacing + 40
    let width = 760.0
    let (xIn, xHidden, xOut) = (120.0, 380.0, 640.0)
    func y(_ index: Int, of count: Int) -> Double {
      top + (Double(Swift.max(n, h)) - Double(count)) * spacing / 2 + (Double(index) + 0.5) * spacing
    }
    var hiddenY = [Double](repeating: 0, count: h)
    for (slot, j) in order.enumerated() { hiddenY[j] = y(slot, of: h) }
    let order1 = OrderParameters(network)
    var svg = SVGDocument.opening(
      width: width, height: height, title: "\(title): \(n) → \(h) (\(network.activation.rawValue)) → 1 — \(order1.label)",
      subtitle: String(format: "D = %.2f, P = %.2f, K = %.2f, slopes %.2f / %.2f, %d active units; blue > 0, red < 0, width |w| per unit",
                       order1.twoSidedShare, order1.oneSidedShare, order1.concentratedShare, order1.partnerSlope, order1.otherSlope, order1.activeUnits))
    // Inputs beside their partners when every input has some, evenly spaced otherwise.
    var inputY = (0..<n).map { y($0, of: n) }
    var partnerY = [[Double]](repeating: [], count: n)
    for j in 0..<h { if case let .partner(input, _) = roles[j] { partnerY[input].append(hiddenY[j]) } }
    if partnerY.allSatisfy({ !$0.isEmpty }) { inputY = partnerY.map { $0.reduce(0, +) / Double($0.count) } }
    for j in 0..<h {
      let unit = network.weights(ofUnit: j)
      let largest = unit.map { Swift.abs($0) }.max() ?? 0
      guard largest > 0 else { continue }
      for (i, w) in unit.enumerated() where Swift.abs(w) >= 0.05 * largest {
        svg += edge(from: (xIn, inputY[i]), to: (xHidden, hiddenY[j]), weight: Double(w), largest: Double(largest))
      }
    }
    // In Double: |v|·‖W‖ of Float weights can overflow Float.
    let strengths = (0..<h).map { j in
      Double(Swift.abs(network.outputWeight[j])) * network.weights(ofUnit: j).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }
    let strongest = strengths.max() ?? 0
    for j in 0..<h where strongest > 0 && strengths[j] >= 0.05 * strongest {
      let signed = network.outputWeight[j] < 0 ? -strengths[j] : strengths[j]
      svg += edge(from: (xHidden, hiddenY[j]), to: (xOut, y(0, of: 1)), weight: signed, largest: strongest)
    }
    for i in 0..<n {
      svg += "<circle cx=\"\(SVGDocument.number(xIn))\" cy=\"\(SVGDocument.number(inputY[i]))\" r=\"5\" fill=\"#333\"/>\n"
      svg += "<text x=\"\(SVGDocument.number(xIn - 12))\" y=\"\(SVGDocument.number(inputY[i] + 4))\" font-size=\"11\" text-anchor=\"end\">x\(i + 1)</text>\n"
    }
    for j in 0..<h {
      let colour = roles[j] == .inactive ? "#ccc" : "#333"
      svg += "<circle cx=\"\(SVGDocument.number(xHidden))\" cy=\"\(SVGDocument.number(hiddenY[j]))\" r=\"5\" fill=\"\(colour)\"/>\n"
      if roles[j] == .uniform {
        svg += "<text x=\"\(SVGDocument.number(xHidden + 10))\" y=\"\(SVGDocument.number(hiddenY[j] - 4))\" font-size=\"11\" font-weight=\"bold\">Σ</text>\n"
      }
    }
    svg += "<circle cx=\"\(SVGDocument.number(xOut))\" cy=\"\(SVGDocument.number(y(0, of: 1)))\" r=\"7\" fill=\"#333\"/>\n"
    svg += "<text x=\"\(SVGDocument.number(xOut + 14))\" y=\"\(SVGDocument.number(y(0, of: 1) + 4))\" font-size=\"12\">f(x)</text>\n"
    svg += "<text x=\"\(SVGDocument.number(xIn))\" y=\"\(SVGDocument.number(top - 12))\" font-size=\"12\" text-anchor=\"middle\">inputs</text>\n"
    svg += "<text x=\"\(SVGDocument.number(xHidden))\" y=\"\(SVGDocument.number(top - 12))\" font-size=\"12\" text-anchor=\"middle\">hidden units</text>\n"
    return svg + "</svg>\n"
  }

  private func edge(from a: (Double, Double), to b: (Double, Double), weight: Double, largest: Double) -> String {
    let stroke = 0.3 + 3.7 * Swift.abs(weight) / largest
    return "<line x1=\"\(SVGDocument.number(a.0))\" y1=\"\(SVGDocument.number(a.1))\" x2=\"\(SVGDocument.number(b.0))\" y2=\"\(SVGDocument.number(b.1))\" "
      + "stroke=\"\(weight > 0 ? Self.positive : Self.negative)\" stroke-width=\"\(String(format: "%.2f", stroke))\" stroke-opacity=\"0.7\"/>\n"
  }
}
