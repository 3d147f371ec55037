/// Numbers in data files are decimal: an optional sign, digits with an optional point, an
/// optional exponent (`-1.5`, `.5`, `2e-3`, `1E+06`). Swift's `Double(_:)` also reads
/// hexadecimal (`0x10` = 16), `nan` and `inf`, which no CSV or ARFF writer means as numbers.
enum DecimalText {
  /// The value of decimal text; nil for anything else.
  static func value(_ text: String) -> Double? {
    var utf8 = Array(text.utf8)[...]
    guard !utf8.isEmpty else { return nil }
    if utf8.first == UInt8(ascii: "+") || utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
    var digits = 0
    while let c = utf8.first, c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { digits += 1; utf8 = utf8.dropFirst() }
    if utf8.first == UInt8(ascii: ".") {
      utf8 = utf8.dropFirst()
      while let c = utf8.first, c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { digits += 1; utf8 = utf8.dropFirst() }
    }
    guard digits > 0 else { return nil }
    if let e = utf8.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      utf8 = utf8.dropFirst()
      if utf8.first == UInt8(ascii: "+") || utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
      var exponentDigits = 0
      while let c = utf8.first, c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { exponentDigits += 1; utf8 = utf8.dropFirst() }
      guard exponentDigits > 0 else { return nil }
    }
    return utf8.isEmpty ? Double(text) : nil
  }

  /// Text that Swift would read as a number but is not decimal: hexadecimal, nan, inf.
  static func isNonDecimalNumber(_ text: String) -> Bool { value(text) == nil && Double(text) != nil }
}
