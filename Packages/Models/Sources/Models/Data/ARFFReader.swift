import Foundation

/// Reads Weka's Attribute-Relation File Format, the format OpenML serves datasets in:
///
/// ```
/// % comment
/// @relation credit
/// @attribute duration numeric
/// @attribute 'checking status' {'<0', '0<=X<200', 'no checking'}
/// @attribute class {good, bad}
/// @data
/// 6, '<0', good
/// ```
///
/// Types: `numeric`/`real`/`integer` become numeric columns; nominal `{…}` becomes a
/// categorical column whose levels are the declared values in order; `string` and `date`
/// become categorical columns of the distinct values. `?` is missing. Names and values may be
/// quoted with `'` or `"`. Sparse data rows (`{index value, …}`) are not supported.
public enum ARFFReader {
  public static func read(url: URL) throws -> DataTable {
    try parse(try TextFile.read(url), source: url.path)
  }

  enum AttributeType {
    case numeric
    case nominal([String])
    case text
  }

  public static func parse(_ text: String, source: String) throws -> DataTable {
    var attributes: [(name: String, type: AttributeType)] = []
    var inData = false
    var cells: [[String?]] = []
    var lines: [Int] = []
    for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
      let lineNumber = offset + 1
      let line = rawLine.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("%") { continue }
      if !inData {
        let lower = line.lowercased()
        if lower.hasPrefix("@relation") { continue }
        if lower.hasPrefix("@data") {
          guard !attributes.isEmpty else { throw DatasetError.malformed(path: source, line: lineNumber, reason: "@data comes before any @attribute") }
          inData = true
          cells = Array(repeating: [], count: attributes.count)
          continue
        }
        guard lower.hasPrefix("@attribute") else {
          throw DatasetError.malformed(path: source, line: lineNumber, reason: "expected @relation, @attribute or @data, found '\(line.prefix(40))'")
        }
        let attribute = try parseAttribute(String(line.dropFirst("@attribute".count)), source: source, line: lineNumber)
        // As a CSV header may not name a column twice.
        guard !attributes.contains(where: { $0.name == attribute.name }) else {
          throw DatasetError.malformed(path: source, line: lineNumber, reason: "attribute '\(attribute.name)' is declared twice")
        }
        attributes.append(attribute)
        continue
      }
      if line.hasPrefix("{") {
        throw DatasetError.malformed(path: source, line: lineNumber, reason: "sparse ARFF rows are not supported; convert the file to dense form")
      }
      let values = try splitValues(line, source: source, line: lineNumber)
      guard values.count == attributes.count else {
        throw DatasetError.raggedRow(path: source, line: lineNumber, found: values.count, expected: attributes.count)
      }
      for (j, value) in values.enumerated() {
        cells[j].append(value.text == "?" && !value.quoted ? nil : value.text)
      }
      lines.append(lineNumber)
    }
    guard !attributes.isEmpty else { throw DatasetError.empty(path: source) }
    guard inData, !lines.isEmpty else { throw DatasetError.noRows(path: source) }
    var columns: [DataTable.Column] = []
    for (j, attribute) in attributes.enumerated() {
      switch attribute.type {
      case .numeric:
        var numbers: [Float?] = []
        for (i, cell) in cells[j].enumerated() {
          guard let cell else {
            numbers.append(nil)
            continue
          }
          guard let v = DecimalText.value(cell) else {
            if Double(cell) != nil && !cell.lowercased().contains("x") {  // nan, inf: a number, not finite
              throw DatasetError.nonFinite(path: source, line: lines[i], column: attribute.name, value: cell)
            }
            throw DatasetError.notNumeric(path: source, line: lines[i], column: attribute.name, value: cell)
          }
          guard v.isFinite, Float(v).isFinite else {
            throw DatasetError.nonFinite(path: source, line: lines[i], column: attribute.name, value: cell)
          }
          numbers.append(Float(v))
        }
        columns.append(DataTable.Column(name: attribute.name, values: .numeric(numbers)))
      case .nominal(let levels):
        let index = Dictionary(levels.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var codes: [Int?] = []
        for (i, cell) in cells[j].enumerated() {
          guard let cell else {
            codes.append(nil)
            continue
          }
          guard let code = index[cell] else {
            throw DatasetError.malformed(path: source, line: lines[i],
              reason: "value '\(cell)' of attribute '\(attribute.name)' is not one of its declared values {\(levels.joined(separator: ", "))}")
          }
          codes.append(code)
        }
        columns.append(DataTable.Column(name: attribute.name, values: .categorical(levels: levels, codes: codes)))
      case .text:
        columns.append(try CSVReader.typedColumn(name: attribute.name, cells: cells[j], lines: lines, source: source, forceCategorical: true))
      }
    }
    return DataTable(source: source, columns: columns)
  }

  private static func parseAttribute(_ rest: String, source: String, line: Int) throws -> (name: String, type: AttributeType) {
    let trimmed = rest.trimmingCharacters(in: .whitespaces)
    let name: String
    var remainder: Substring
    if let quote = trimmed.first, quote == "'" || quote == "\"" {
      guard let close = trimmed.dropFirst().firstIndex(of: quote) else {
        throw DatasetError.malformed(path: source, line: line, reason: "attribute name quote is not closed")
      }
      name = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
      remainder = trimmed[trimmed.index(after: close)...]
    } else {
      let parts = trimmed.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
      guard parts.count == 2 else { throw DatasetError.malformed(path: source, line: line, reason: "@attribute needs a name and a type") }
      name = String(parts[0])
      remainder = parts[1]
    }
    let type = remainder.trimmingCharacters(in: .whitespaces)
    if type.hasPrefix("{") {
      guard type.hasSuffix("}") else { throw DatasetError.malformed(path: source, line: line, reason: "nominal values of '\(name)' are not closed with '}'") }
      let values = try splitValues(String(type.dropFirst().dropLast()), source: source, line: line).map(\.text)
      return (name, .nominal(values))
    }
    switch type.lowercased().split(separator: " ").first.map(String.init) ?? "" {
    case "numeric", "real", "integer": return (name, .numeric)
    case "string", "date": return (name, .text)
    default:
      throw DatasetError.malformed(path: source, line: line, reason: "attribute '\(name)' has unsupported type '\(type)' (expected numeric, real, integer, string, date or {…})")
    }
  }

  /// Splits a comma-separated list of values, unquoting `'…'` and `"…"` (with `\` escapes).
  static func splitValues(_ text: String, source: String, line: Int) throws -> [(text: String, quoted: Bool)] {
    var values: [(text: String, quoted: Bool)] = []
    var current = ""
    var quote: Character? = nil
    var quoted = false
    var escaped = false
    for ch in text {
      if let q = quote {
        if escaped {
          current.append(ch)
          escaped = false
        } else if ch == "\\" {
          escaped = true
        } else if ch == q {
          quote = nil
        } else {
          current.append(ch)
        }
      } else if ch == "%" {
        // A comment runs to the end of the line.
        break
      } else if ch == "'" || ch == "\"" {
        if current.allSatisfy(\.isWhitespace) { current = "" }
        quote = ch
        quoted = true
      } else if ch == "," {
        values.append((quoted ? current : current.trimmingWhitespace, quoted))
        current = ""
        quoted = false
      } else if !(quoted && (ch == " " || ch == "\t")) {
        current.append(ch)
      }
    }
    if quote != nil { throw DatasetError.malformed(path: source, line: line, reason: "a quoted value is not closed") }
    values.append((quoted ? current : current.trimmingWhitespace, quoted))
    return values
  }
}
