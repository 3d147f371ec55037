/// Why a dataset could not be read or used. Each message names the file, the line or column,
/// and says how to fix it.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
  case unreadable(path: String, reason: String)
  case empty(path: String)
  case noRows(path: String)
  case raggedRow(path: String, line: Int, found: Int, expected: Int)
  case notNumeric(path: String, line: Int, column: String, value: String)
  case nonFinite(path: String, line: Int, column: String, value: String)
  case unknownColumn(source: String, name: String, available: [String])
  case malformed(path: String, line: Int, reason: String)
  case singleClass(source: String, column: String, value: String)
  case notFound(id: String, searched: [String])
  case invalidTarget(source: String, column: String, reason: String)
  /// Two columns that encode to the same name (two ARFF attributes called alike, or a CSV
  /// column `c=x` beside a categorical column `c` with level `x`).
  case duplicateColumn(source: String, name: String)
  /// A finite value that is not finite once standardised, (value − mean)/scale.
  case outOfRange(source: String, row: Int, column: String, value: Float, mean: Float, scale: Float)

  public var description: String {
    switch self {
    case let .unreadable(path, reason):
      return "cannot read \(path): \(reason)"
    case let .empty(path):
      return "\(path) is empty; expected a header row followed by data rows"
    case let .noRows(path):
      return "\(path) has a header but no data rows"
    case let .raggedRow(path, line, found, expected):
      return "\(path), line \(line): \(found) fields but the header has \(expected); check for a missing or extra delimiter on that line"
    case let .notNumeric(path, line, column, value):
      return "\(path), line \(line), column '\(column)': '\(value)' is not a number; mark the column categorical (--categorical \(column)) or fix the value (missing values are empty or '?')"
    case let .nonFinite(path, line, column, value):
      return "\(path), line \(line), column '\(column)': '\(value)' is not a finite 32-bit number (SANNKit computes in Float, up to ±3.4e38); rescale the column, or write missing values as empty or '?'"
    case let .unknownColumn(source, name, available):
      return "\(source): no column named '\(name)'; the columns are \(available.joined(separator: ", "))"
    case let .malformed(path, line, reason):
      return "\(path), line \(line): \(reason)"
    case let .singleClass(source, column, value):
      return "\(source): the target column '\(column)' has a single class ('\(value)'); classification needs at least two (use --mode regression for a numeric target)"
    case let .notFound(id, searched):
      return "dataset \(id) was not found; looked in:\n  " + searched.joined(separator: "\n  ")
        + "\nPut \(id).arff or \(id).csv (last column the target) in one of these directories, pass --data-dir DIR or set SANN_DATA_DIR, or train on a file with --data FILE --target COLUMN"
    case let .invalidTarget(source, column, reason):
      return "\(source): target column '\(column)' \(reason)"
    case let .outOfRange(source, row, column, value, mean, scale):
      return "\(source), data row \(row), column '\(column)': \(value) overflows once standardised ((x − \(mean))/\(scale)); the model handles values of the scale it was trained on — check the units, or remove the row"
    case let .duplicateColumn(source, name):
      return "\(source): two feature columns are both called '\(name)' after encoding (a categorical column c with level x is encoded as 'c=x'); rename one of them"
    }
  }
}
