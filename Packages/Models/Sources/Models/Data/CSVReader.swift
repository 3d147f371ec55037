import Foundation

/// Reads comma-separated tables (RFC 4180): a header row, then one row per line; fields may
/// be quoted with `"` (a doubled `""` inside quotes is a literal quote, and quoted fields may
/// hold commas and line breaks). Cells that are empty or `?` are missing.
///
/// Column types: a column listed in `categorical` is categorical; otherwise a column whose
/// present cells all parse as numbers is numeric, and one where none do is categorical. A
/// column mixing both is an error naming the first non-numeric cell, since it is usually a
/// typo in a numeric column (list it in `categorical` if it is not).
public enum CSVReader {
  public static func read(url: URL, categorical: Set<String> = []) throws -> DataTable {
    try parse(try TextFile.read(url), source: url.path, categorical: categorical)
  }

  public static func parse(_ text: String, source: String, categorical: Set<String> = []) throws -> DataTable {
    var records = try splitRecords(text, source: source)
    guard let header = records.first else { throw DatasetError.empty(path: source) }
    let names = header.fields.map(\.trimmingWhitespace)
    if let duplicate = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
      throw DatasetError.malformed(path: source, line: header.line, reason: "the header names column '\(duplicate)' twice")
    }
    for name in categorical where !names.contains(name) {
      throw DatasetError.unknownColumn(source: source, name: name, available: names)
    }
    guard records.count > 1 else { throw DatasetError.noRows(path: source) }
    var cells = [[String?]](repeating: [], count: names.count)
    for j in cells.indices { cells[j].reserveCapacity(records.count - 1) }
    var lines: [Int] = []
    lines.reserveCapacity(records.count - 1)
    for record in records.dropFirst() {
      guard record.fields.count == names.count else {
        throw DatasetError.raggedRow(path: source, line: record.line, found: record.fields.count, expected: names.count)
      }
      for (j, field) in record.fields.enumerated() {
        let value = field.trimmingWhitespace
        cells[j].append(value.isEmpty || value == "?" ? nil : value)
      }
      lines.append(record.line)
    }
    // The records and then each column's text are released as soon as they are read (a large
    // file's cells take several times its size).
    records = []
    var columns: [DataTable.Column] = []
    for (j, name) in names.enumerated() {
      columns.append(try typedColumn(name: name, cells: cells[j], lines: lines, source: source,
                                     forceCategorical: categorical.contains(name)))
      cells[j] = []
    }
    return DataTable(source: source, columns: columns)
  }

  /// Types one column by the rule in the type's documentation.
  static func typedColumn(name: String, cells: [String?], lines: [Int], source: String, forceCategorical: Bool) throws -> DataTable.Column {
    if !forceCategorical {
      var numbers: [Float?] = []
      numbers.reserveCapacity(cells.count)
      var firstText: Int? = nil
      var anyNumber = false
      for (i, cell) in cells.enumerated() {
        guard let cell else {
          numbers.append(nil)
          continue
        }
        if let v = DecimalText.value(cell) {
          guard v.isFinite, Float(v).isFinite else {
            throw DatasetError.nonFinite(path: source, line: lines[i], column: name, value: cell)
          }
          anyNumber = true
          numbers.append(Float(v))
        } else if Double(cell) != nil {
          // nan and inf are not finite; 0x10 is not decimal.
          throw cell.lowercased().contains("x")
            ? DatasetError.malformed(path: source, line: lines[i], reason: "column '\(name)' holds '\(cell)', a hexadecimal number; data files hold decimal numbers — write it in decimal, or quote it to make the column categorical")
            : DatasetError.nonFinite(path: source, line: lines[i], column: name, value: cell)
        } else {
          if firstText == nil { firstText = i }
          numbers.append(nil)
        }
      }
      if firstText == nil { return DataTable.Column(name: name, values: .numeric(numbers)) }
      if anyNumber {
        throw DatasetError.notNumeric(path: source, line: lines[firstText!], column: name, value: cells[firstText!]!)
      }
    }
    var levels: [String] = []
    var index: [String: Int] = [:]
    let codes = cells.map { cell -> Int? in
      guard let cell else { return nil }
      if let k = index[cell] { return k }
      index[cell] = levels.count
      levels.append(cell)
      return levels.count - 1
    }
    return DataTable.Column(name: name, values: .categorical(levels: levels, codes: codes))
  }

  /// Splits text into records of fields, honouring quotes; records that are entirely empty
  /// are skipped. Each record carries its 1-based starting line.
  static func splitRecords(_ text: String, source: String) throws -> [(line: Int, fields: [String])] {
    var records: [(line: Int, fields: [String])] = []
    var fields: [String] = []
    var field: [UInt8] = []
    var inQuotes = false
    var line = 1
    var recordLine = 1
    var fieldWasQuoted = false
    let bytes = Array(text.utf8)
    var i = 0
    func endField() {
      fields.append(String(decoding: field, as: UTF8.self))
      field.removeAll(keepingCapacity: true)
      fieldWasQuoted = false
    }
    func endRecord() {
      endField()
      if !(fields.count == 1 && fields[0].trimmingWhitespace.isEmpty) {
        records.append((recordLine, fields))
      }
      fields.removeAll(keepingCapacity: true)
    }
    while i < bytes.count {
      let b = bytes[i]
      if inQuotes {
        if b == UInt8(ascii: "\"") {
          if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
            field.append(b)
            i += 1
          } else {
            inQuotes = false
          }
        } else {
          if b == UInt8(ascii: "\n") { line += 1 }
          field.append(b)
        }
      } else if b == UInt8(ascii: "\"") && field.allSatisfy({ $0 == UInt8(ascii: " ") }) && !fieldWasQuoted {
        field.removeAll()
        inQuotes = true
        fieldWasQuoted = true
      } else if b == UInt8(ascii: ",") {
        endField()
      } else if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
        if b == UInt8(ascii: "\r") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
        endRecord()
        line += 1
        recordLine = line
      } else {
        field.append(b)
      }
      i += 1
    }
    if inQuotes {
      throw DatasetError.malformed(path: source, line: recordLine, reason: "a quoted field is not closed")
    }
    if !field.isEmpty || !fields.isEmpty { endRecord() }
    return records
  }
}
