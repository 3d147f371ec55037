import Foundation

/// A table of typed columns as read from a CSV or ARFF file, before preprocessing.
///
/// Missing cells are `nil`. A numeric column holds finite values; a categorical column holds
/// indices into its `levels` (for ARFF, the declared nominal values in order; for CSV, the
/// distinct values in order of first appearance).
public struct DataTable: Sendable {
  public enum Values: Sendable, Equatable {
    case numeric([Float?])
    case categorical(levels: [String], codes: [Int?])
  }

  public struct Column: Sendable, Equatable {
    public var name: String
    public var values: Values

    public init(name: String, values: Values) {
      self.name = name
      self.values = values
    }

    public var count: Int {
      switch values {
      case .numeric(let v): v.count
      case .categorical(_, let c): c.count
      }
    }

    public var isCategorical: Bool {
      if case .categorical = values { return true }
      return false
    }

    /// The number of missing cells.
    public var missingCount: Int {
      switch values {
      case .numeric(let v): v.reduce(0) { $0 + ($1 == nil ? 1 : 0) }
      case .categorical(_, let c): c.reduce(0) { $0 + ($1 == nil ? 1 : 0) }
      }
    }
  }

  /// Where the table came from (a path or a dataset name), for messages.
  public var source: String
  public var columns: [Column]

  public init(source: String, columns: [Column]) {
    self.source = source
    self.columns = columns
  }

  public var rowCount: Int { columns.first?.count ?? 0 }

  /// Reads a CSV or ARFF file, chosen by its extension (`.arff`, any other is CSV).
  /// `categorical` names CSV columns to read as categories (ARFF declares its own types).
  ///
  /// - Throws: ``DatasetError`` naming the file (missing, unreadable, malformed).
  public static func read(url: URL, categorical: Set<String> = []) throws -> DataTable {
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw DatasetError.unreadable(path: url.path, reason: "no such file")
    }
    return url.pathExtension.lowercased() == "arff" ? try ARFFReader.read(url: url) : try CSVReader.read(url: url, categorical: categorical)
  }

  /// The index of the column called `name`.
  public func columnIndex(named name: String) throws -> Int {
    guard let index = columns.firstIndex(where: { $0.name == name }) else {
      throw DatasetError.unknownColumn(source: source, name: name, available: columns.map(\.name))
    }
    return index
  }
}
