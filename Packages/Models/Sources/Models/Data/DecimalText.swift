/// Numbers in data files are decimal: an optional sign, digits with an optional point, an
/// optional exponent (`-1.5`, `.5`, `2e-3`, `1E+06`). Swift's `Double(_:)` also reads
/// hexadecimal (`0x10` = 16), `nan` and `inf`, which no CSV or ARFF writer means as numbers.
enum DecimalText {
  /// The value of decimal text; nil for anything else.
  static func value(_ text: String) -> Double? {
    var text = text
    return text.withUTF8(isDecimal) ? Double(text) : nil
  }

  /// Whether the bytes are a decimal number: sign, digits, point, exponent (no allocation; the
  /// data readers call it for every cell).
  static func isDecimal(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    let n = utf8.count
    func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    if i < n && (utf8[i] == UInt8(ascii: "+") || utf8[i] == UInt8(ascii: "-")) { i += 1 }
    var digits = 0
    while i < n && isDigit(utf8[i]) { digits += 1; i += 1 }
    if i < n && utf8[i] == UInt8(ascii: ".") {
      i += 1
      while i < n && isDigit(utf8[i]) { digits += 1; i += 1 }
    }
    guard digits > 0 else { return false }
    if i < n && (utf8[i] == UInt8(ascii: "e") || utf8[i] == UInt8(ascii: "E")) {
      i += 1
      if i < n && (utf8[i] == UInt8(ascii: "+") || utf8[i] == UInt8(ascii: "-")) { i += 1 }
      var exponentDigits = 0
      while i < n && isDigit(utf8[i]) { exponentDigits += 1; i += 1 }
      guard exponentDigits > 0 else { return false }
    }
    return i == n
  }
}

