import Tensor

/// The feature transform of the INN reference, fitted on training rows and reused for test
/// rows and for new data at prediction time:
///
/// - numeric column: z = (x − μ)/σ with μ, σ (population) from the training rows (σ = 1 when
///   the column is constant there); a missing value becomes 0, i.e. the training mean;
/// - categorical column: one-hot over the levels seen in the full table; a column with two
///   levels becomes one 0/1 indicator of the second level (scikit-learn's `drop='if_binary'`);
///   a missing or unseen level is all zeros.
///
/// Encoded columns remember their source column, so importances can be reported per
/// original feature.
public struct Preprocessor: Codable, Sendable, Equatable {
  public enum Transform: Codable, Sendable, Equatable {
    case numeric(name: String, mean: Float, scale: Float)
    case categorical(name: String, levels: [String])

    public var name: String {
      switch self {
      case .numeric(let name, _, _), .categorical(let name, _): name
      }
    }

    /// Names of the encoded columns this transform produces.
    var encodedNames: [String] {
      switch self {
      case .numeric(let name, _, _): [name]
      case .categorical(let name, let levels):
        levels.count == 2 ? ["\(name)=\(levels[1])"] : levels.map { "\(name)=\($0)" }
      }
    }
  }

  public let transforms: [Transform]

  /// The original feature names, in order.
  public var featureNames: [String] { transforms.map(\.name) }

  /// The categorical columns' names: read new data with them as text (`DataTable.read(url:
  /// categorical:)`), so levels that look like numbers ("007", "7") stay distinct.
  public var categoricalNames: Set<String> {
    Set(transforms.compactMap { transform -> String? in
      if case .categorical(let name, _) = transform { return name }
      return nil
    })
  }

  /// The encoded column names (what the network sees), in order.
  public var encodedNames: [String] { transforms.flatMap(\.encodedNames) }

  /// For each encoded column, the index of its original feature.
  public var encodedSources: [Int] {
    transforms.enumerated().flatMap { i, t in Array(repeating: i, count: t.encodedNames.count) }
  }

  public var encodedWidth: Int { transforms.reduce(0) { $0 + $1.encodedNames.count } }

  /// An encoded value of encoded column j back in the original column's units: x·σ + μ for a
  /// numeric column; a category's 0/1 indicator as it is.
  public func originalValue(encodedFeature j: Int, _ value: Float) -> Float {
    if case let .numeric(_, mean, scale) = transforms[encodedSources[j]] { return value * scale + mean }
    return value
  }

  /// The given transforms, in order.
  public init(transforms: [Transform]) { self.transforms = transforms }

  /// Fits the transform of every column of `features` on the rows `trainRows`.
  public init(fitting features: DataTable, trainRows: [Int]) {
    transforms = features.columns.map { column in
      switch column.values {
      case .numeric(let values):
        let present = trainRows.compactMap { values[$0] }.map(Double.init)
        let mean = present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
        let variance = present.isEmpty ? 0 : present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count)
        let scale = variance > 0 ? variance.squareRoot() : 1
        return .numeric(name: column.name, mean: Float(mean), scale: Float(scale))
      case .categorical(let levels, let codes):
        let used = Set(codes.compactMap { $0 })
        return .categorical(name: column.name, levels: levels.enumerated().filter { used.contains($0.offset) }.map(\.element))
      }
    }
  }

  /// Encodes the rows `rows` of `table` (all rows when nil) into an [n, encodedWidth] tensor.
  /// Columns are matched by name.
  ///
  /// - Throws: ``DatasetError/unknownColumn(source:name:available:)`` when a feature the model
  ///   was trained on is absent, ``DatasetError/outOfRange(source:row:column:value:mean:scale:)``
  ///   when a value overflows Float once standardised (3e38 on a column of scale 0.5).
  public func transform(_ table: DataTable, rows: [Int]? = nil) throws -> Tensor {
    let rowIndices = rows ?? Array(0..<table.rowCount)
    let width = encodedWidth
    var values = [Float](repeating: 0, count: rowIndices.count * width)
    var offset = 0
    for transform in transforms {
      let column = table.columns[try table.columnIndex(named: transform.name)]
      switch (transform, column.values) {
      case let (.numeric(name, mean, scale), .numeric(cells)):
        for (r, row) in rowIndices.enumerated() {
          guard let v = cells[row] else { continue }
          let z = (v - mean) / scale
          guard z.isFinite else { throw DatasetError.outOfRange(source: table.source, row: row + 1, column: name, value: v, mean: mean, scale: scale) }
          values[r * width + offset] = z
        }
        offset += 1
      case let (.numeric(name, _, _), .categorical(levels, codes)):
        // A numeric feature read as text (for example all cells missing) is missing.
        if let row = rowIndices.first(where: { codes[$0] != nil }) {
          throw DatasetError.notNumeric(path: table.source, line: row + 2, column: name, value: levels[codes[row]!])
        }
        offset += 1
      case let (.categorical(_, levels), _):
        let lookup = Dictionary(levels.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let binary = levels.count == 2
        for (r, row) in rowIndices.enumerated() {
          guard let level = Self.levelName(column.values, row: row), let k = Self.index(of: level, lookup, levels) else { continue }
          if binary {
            if k == 1 { values[r * width + offset] = 1 }
          } else {
            values[r * width + offset + k] = 1
          }
        }
        offset += binary ? 1 : levels.count
      }
    }
    return Tensor(shape: [rowIndices.count, width], scalars: values)
  }

  /// Per categorical column of `table` (the rows `rows`, default all), the values the model was
  /// not trained on, which ``transform(_:rows:)`` reads as missing (all its codes 0), and in how
  /// many rows they stand; columns without any are left out.
  public func unseenLevels(_ table: DataTable, rows: [Int]? = nil) -> [(column: String, values: [String], rows: Int)] {
    let rowIndices = rows ?? Array(0..<table.rowCount)
    return transforms.compactMap { transform in
      guard case .categorical(let name, let levels) = transform, let index = try? table.columnIndex(named: name) else { return nil }
      let lookup = Dictionary(levels.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
      var unseen: [String] = [], seen: Set<String> = [], count = 0
      for row in rowIndices {
        guard let level = Self.levelName(table.columns[index].values, row: row), Self.index(of: level, lookup, levels) == nil else { continue }
        count += 1
        if seen.insert(level).inserted { unseen.append(level) }
      }
      return unseen.isEmpty ? nil : (name, unseen, count)
    }
  }

  /// The position of `level` among a column's trained levels: itself, or a level equal as a number.
  private static func index(of level: String, _ lookup: [String: Int], _ levels: [String]) -> Int? {
    lookup[level] ?? numericMatch(level, levels)
  }

  private static func levelName(_ values: DataTable.Values, row: Int) -> String? {
    switch values {
    case .categorical(let levels, let codes): codes[row].map { levels[$0] }
    case .numeric(let cells): cells[row].map { "\($0)" }
    }
  }

  /// A level written differently as a number ("1" vs "1.0").
  private static func numericMatch(_ level: String, _ levels: [String]) -> Int? {
    guard let v = Double(level) else { return nil }
    return levels.firstIndex { Double($0) == v }
  }
}
