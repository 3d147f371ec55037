import Foundation

/// A numeric CSV table with a class column, as the demo reads it: a header row, numeric
/// feature columns and a target column (by default the last) holding class names.
struct NumericTable {
  var featureNames: [String]
  var features: [[Float]]
  var classNames: [String]
  var labels: [Int]

  static func load(csv url: URL, target: String?) throws -> NumericTable {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw CLIError("cannot read \(url.path): \(error.localizedDescription)")
    }
    var lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    guard !lines.isEmpty else { throw CLIError("\(url.path) is empty; expected a header row and data rows") }
    let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    guard !lines.isEmpty else { throw CLIError("\(url.path) has a header but no data rows") }
    let targetIndex: Int
    if let target {
      guard let index = header.firstIndex(of: target) else {
        throw CLIError("\(url.path): no column named '\(target)'; the columns are \(header.joined(separator: ", "))")
      }
      targetIndex = index
    } else {
      targetIndex = header.count - 1
    }
    var table = NumericTable(featureNames: header.enumerated().filter { $0.offset != targetIndex }.map(\.element),
                             features: [], classNames: [], labels: [])
    var classIndex: [String: Int] = [:]
    for (i, line) in lines.enumerated() {
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
      guard cells.count == header.count else {
        throw CLIError("\(url.path), line \(i + 2): \(cells.count) fields, the header has \(header.count)")
      }
      var row: [Float] = []
      for (j, cell) in cells.enumerated() where j != targetIndex {
        guard let v = Float(cell), v.isFinite else {
          throw CLIError("\(url.path), line \(i + 2), column '\(header[j])': '\(cell)' is not a finite number")
        }
        row.append(v)
      }
      table.features.append(row)
      let name = cells[targetIndex]
      if classIndex[name] == nil {
        classIndex[name] = table.classNames.count
        table.classNames.append(name)
      }
      table.labels.append(classIndex[name]!)
    }
    guard table.classNames.count >= 2 else {
      throw CLIError("\(url.path): the target column '\(header[targetIndex])' has a single class; classification needs two or more")
    }
    return table
  }
}

/// A user-facing error: the message says what went wrong, where, and how to fix it.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
}
