import Foundation

/// What every SANNKit chart shares: the document's opening (white page, a title and a subtitle
/// centred on top), number formatting and text escaping.
enum SVGDocument {
  /// The `<svg>` element's opening and the title lines, for a `width` × `height` page.
  static func opening(width: Double, height: Double, title: String, subtitle: String) -> String {
    """
    <svg xmlns="http://www.w3.org/2000/svg" width="\(number(width))" height="\(number(height))" viewBox="0 0 \(number(width)) \(number(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
    <rect width="100%" height="100%" fill="white"/>
    <text x="\(number(width / 2))" y="28" font-size="18" font-weight="bold" text-anchor="middle">\(escape(title))</text>
    <text x="\(number(width / 2))" y="50" font-size="13" fill="#444" text-anchor="middle">\(escape(subtitle))</text>

    """
  }

  /// A coordinate with one decimal.
  static func number(_ v: Double) -> String { String(format: "%.1f", v) }

  /// Text with &, < and > escaped.
  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
  }
}
