import Tensor

/// A table turned into training and test tensors by the INN reference protocol: drop useless
/// columns (``ColumnFilter``), split train/test with the seed exactly as scikit-learn's
/// `train_test_split(random_state=seed)` does (stratified by class for classification; see
/// ``ScikitLearnSplit``; seeds are taken modulo 2³²), fit the ``Preprocessor`` on the training rows, encode labels 0..C−1, and
/// oversample the minority classes of the training set with replacement up to the majority
/// count.
public struct PreparedDataset {
  public var name: String
  public var task: PredictionTask
  public var targetName: String
  public var preprocessor: Preprocessor
  /// Class names for classification; empty for regression.
  public var labels: LabelEncoder
  public var dropped: [ColumnFilter.Dropped]
  public var xTrain: Tensor
  /// Class codes (classification) or targets (regression) of the training rows.
  public var yTrain: [Float]
  public var xTest: Tensor
  public var yTest: [Float]
  /// Regression targets are trained as (y − mean)/scale; 0 and 1 for classification.
  public var targetMean: Float = 0
  public var targetScale: Float = 1
  /// For each training row, the row of the table it came from: oversampled copies repeat
  /// their original's. Empty when every training row is distinct (datasets made from arrays).
  /// A validation split drawn from the training rows uses it to keep copies on one side.
  public var trainRowSources: [Int] = []

  public var classCount: Int { labels.classCount }

  /// Prepares `table` for training.
  ///
  /// - Parameters:
  ///   - target: the target column's name (default: the last column).
  ///   - regression: predict a number instead of a class.
  ///   - testFraction: the share of rows held out, in (0, 1).
  ///   - oversample: balance the training classes (classification only).
  public static func prepare(
    _ table: DataTable, name: String, target: String?, regression: Bool, testFraction: Double, seed: UInt64,
    oversample: Bool = true
  ) throws -> PreparedDataset {
    precondition(testFraction > 0 && testFraction < 1, "testFraction must lie in (0, 1)")
    let targetIndex = try target.map { try table.columnIndex(named: $0) } ?? (table.columns.count - 1)
    let targetColumn = table.columns[targetIndex]
    // A last column without a name or a value: every line ends with a separator.
    if target == nil, targetColumn.name.isEmpty, table.columns.count > 1, Self.isEmpty(targetColumn.values) {
      throw DatasetError.invalidTarget(source: table.source, column: targetColumn.name,
        reason: "(the last column) has no name and no values: every line ends with a separator; remove the trailing separators, or name the target with --target")
    }
    // With one row every column is constant and would be dropped as such: say what is wrong.
    guard table.rowCount >= 2 else {
      throw DatasetError.invalidTarget(source: table.source, column: targetColumn.name,
        reason: "comes with \(table.rowCount) data row; training and testing need several rows (at least 2 to train and 1 to test)")
    }
    var features = DataTable(source: table.source, columns: table.columns.enumerated().filter { $0.offset != targetIndex }.map(\.element))
    let dropped = ColumnFilter.dropped(features)
    features.columns.removeAll { column in dropped.contains { $0.column == column.name } }
    guard !features.columns.isEmpty else {
      throw DatasetError.invalidTarget(source: table.source, column: targetColumn.name,
        reason: dropped.isEmpty ? "is the only column; add feature columns to predict it from"
          + ([";", "\t", "|"].first { targetColumn.name.contains($0) }.map {
            " (the header looks separated by '\($0 == "\t" ? "\\t" : $0)': the file is read as comma-separated; convert it to commas)" } ?? "")
          : "leaves no usable feature: every other column was dropped (\(dropped.map { "\($0.column): \($0.reason)" }.joined(separator: "; ")))")
    }

    let root = RandomGenerator(seed: seed)
    var oversampleRNG = root.stream(2)
    let task: PredictionTask
    let labels: LabelEncoder
    let y: [Float]
    if regression {
      guard case .numeric(let cells) = targetColumn.values else {
        throw DatasetError.invalidTarget(source: table.source, column: targetColumn.name, reason: "is not numeric; regression needs a numeric target")
      }
      if let row = cells.firstIndex(where: { $0 == nil }) {
        throw DatasetError.invalidTarget(source: table.source, column: targetColumn.name, reason: "is missing in data row \(row + 1); remove or fill that row")
      }
      y = cells.map { $0! }
      labels = LabelEncoder(classNames: [])
      task = .regression
    } else {
      let names = try classNames(targetColumn, source: table.source)
      labels = LabelEncoder(fitting: names)
      guard labels.classCount >= 2 else {
        throw DatasetError.singleClass(source: table.source, column: targetColumn.name, value: labels.classNames.first ?? "")
      }
      y = names.map { Float(labels.encode($0)!) }
      task = labels.classCount == 2 ? .binary : .multiclass
    }

    let splitSeed = UInt32(truncatingIfNeeded: seed)
    let trainRows: [Int]
    let testRows: [Int]
    if regression {
      (trainRows, testRows) = ScikitLearnSplit.shuffleSplit(count: y.count, testFraction: testFraction, seed: splitSeed)
    } else {
      do {
        (trainRows, testRows) = try ScikitLearnSplit.stratifiedSplit(labels: y.map { Int($0) }, testFraction: testFraction, seed: splitSeed)
      } catch ScikitLearnSplit.SplitError.tooFewMembers(let c, let count) {
        // Many classes, all of them numbers: most likely a quantity to predict, not a label.
        let numeric = labels.classNames.allSatisfy { Double($0) != nil }
        let hint = numeric && labels.classCount > Swift.max(20, y.count / 5)
          ? " (its \(labels.classCount) distinct values are all numbers: to predict the value, train with --mode regression)" : ""
        throw DatasetError.invalidTarget(source: table.source, column: targetColumn.name,
          reason: "has class '\(labels.classNames[c])' in only \(count) row; a stratified split needs at least 2 rows per class\(hint)")
      } catch let error as ScikitLearnSplit.SplitError {
        throw DatasetError.invalidTarget(source: table.source, column: targetColumn.name, reason: "cannot be split: \(error)")
      }
    }
    guard trainRows.count >= 2, testRows.count >= (regression ? 2 : 1) else {
      throw DatasetError.invalidTarget(source: table.source, column: targetColumn.name,
        reason: "leaves \(trainRows.count) training and \(testRows.count) test rows after the split; the dataset is too small (training needs 2 rows, and R² on the test rows needs 2)")
    }
    let preprocessor = Preprocessor(fitting: features, trainRows: trainRows)
    try checkUniqueNames(preprocessor.encodedNames, source: table.source)
    var trainOrder = trainRows
    if task != .regression && oversample {
      trainOrder = oversampled(rows: trainRows, labels: y.map { Int($0) }, classes: labels.classCount, rng: &oversampleRNG)
    }
    var prepared = PreparedDataset(
      name: name, task: task, targetName: targetColumn.name, preprocessor: preprocessor, labels: labels, dropped: dropped,
      xTrain: try preprocessor.transform(features, rows: trainOrder), yTrain: trainOrder.map { y[$0] },
      xTest: try preprocessor.transform(features, rows: testRows), yTest: testRows.map { y[$0] })
    prepared.trainRowSources = trainOrder
    if task == .regression {
      let values = trainRows.map { Double(y[$0]) }
      let mean = values.reduce(0, +) / Double(values.count)
      let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
      prepared.targetMean = Float(mean)
      prepared.targetScale = variance > 0 ? Float(variance.squareRoot()) : 1
      // The model learns (y − mean)/scale and predicts mean + scale·output in Float: both must
      // stay finite, for every target and for outputs up to 100 standard deviations out.
      let (m, s) = (prepared.targetMean, prepared.targetScale)
      if !(s * 100).isFinite || !(Swift.abs(m) + s * 100).isFinite || y.contains(where: { !(($0 - m) / s).isFinite }) {
        let largest = y.map { Swift.abs($0) }.max() ?? 0
        throw DatasetError.invalidTarget(source: table.source, column: targetColumn.name,
          reason: "has values up to \(largest) in magnitude: standardised, or predicted some standard deviations away, they overflow Float (±3.4e38), which SANNKit computes in; rescale the column (divide it by a power of ten)")
      }
    }
    return prepared
  }

  /// Encoded column names must be distinct: they key importances and explanations.
  static func checkUniqueNames(_ names: [String], source: String) throws {
    var seen = Set<String>()
    if let repeated = names.first(where: { !seen.insert($0).inserted }) {
      throw DatasetError.duplicateColumn(source: source, name: repeated)
    }
  }

  /// Whether a column holds no value at all.
  private static func isEmpty(_ values: DataTable.Values) -> Bool {
    switch values {
    case .numeric(let cells): cells.allSatisfy { $0 == nil }
    case .categorical(_, let codes): codes.allSatisfy { $0 == nil }
    }
  }

  /// The class name of every row; a missing class is an error naming the row.
  static func classNames(_ column: DataTable.Column, source: String) throws -> [String] {
    switch column.values {
    case .categorical(let levels, let codes):
      return try codes.enumerated().map { row, code in
        guard let code else { throw DatasetError.invalidTarget(source: source, column: column.name, reason: "is missing in data row \(row + 1); remove that row") }
        return levels[code]
      }
    case .numeric(let cells):
      return try cells.enumerated().map { row, value in
        guard let value else { throw DatasetError.invalidTarget(source: source, column: column.name, reason: "is missing in data row \(row + 1); remove that row") }
        return value == value.rounded() && Swift.abs(value) < 1e9 ? "\(Int(value))" : "\(value)"
      }
    }
  }

  /// All rows, plus for every class below the majority count enough draws with replacement
  /// from its own rows to reach it.
  static func oversampled(rows: [Int], labels: [Int], classes: Int, rng: inout RandomGenerator) -> [Int] {
    var byClass = [[Int]](repeating: [], count: classes)
    for row in rows { byClass[labels[row]].append(row) }
    let majority = byClass.map(\.count).max() ?? 0
    var result = rows
    for members in byClass where !members.isEmpty && members.count < majority {
      for _ in members.count..<majority { result.append(members[rng.nextInt(below: members.count)]) }
    }
    return result
  }
}
