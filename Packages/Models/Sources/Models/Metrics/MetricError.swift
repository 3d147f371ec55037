/// Why a metric could not be computed. Each message names the metric and the argument, the
/// offending index where there is one, and says how to fix the input.
public enum MetricError: Error, CustomStringConvertible, Equatable, Sendable {
  /// No samples were given.
  case empty(metric: String)
  /// Two per-sample arguments have different lengths.
  case lengthMismatch(
    metric: String, first: String, firstCount: Int, second: String, secondCount: Int)
  /// Fewer samples than the metric is defined for (R² needs two).
  case tooFewSamples(metric: String, count: Int, minimum: Int)
  /// A binary metric got a label other than 0 or 1.
  case labelNotBinary(metric: String, index: Int, label: Int)
  /// A multiclass label lies outside `0..<classCount`.
  case labelOutOfRange(metric: String, index: Int, label: Int, classCount: Int)
  /// Only one class occurs in the labels, so the metric is undefined.
  case singleClass(metric: String, label: Int)
  /// A class that has a probability column has no sample (one-vs-one AUROC needs every class).
  case classAbsent(metric: String, classIndex: Int, classCount: Int)
  /// Probability rows have fewer than two columns.
  case tooFewClasses(metric: String, columns: Int)
  /// A probability row has a different width from the first row.
  case raggedRow(metric: String, row: Int, found: Int, expected: Int)
  /// A value is NaN or infinite.
  case nonFinite(metric: String, argument: String, index: Int, value: Double)
  /// A probability lies outside [0, 1]; `column` is nil for the binary overloads, which take
  /// one probability per sample.
  case probabilityOutOfRange(metric: String, row: Int, column: Int?, value: Double)
  /// A probability row does not sum to 1 within `Metrics.probabilitySumTolerance`.
  case rowSumNotOne(metric: String, row: Int, sum: Double)

  public var description: String {
    switch self {
    case .empty(let metric):
      return "\(metric): no samples; pass at least one label and one prediction"
    case .lengthMismatch(let metric, let first, let firstCount, let second, let secondCount):
      return
        "\(metric): \(first) has \(firstCount) entries but \(second) has \(secondCount); pass exactly one \(second) entry per \(first) entry"
    case .tooFewSamples(let metric, let count, let minimum):
      return
        "\(metric): \(count) sample(s) given but the metric needs at least \(minimum); evaluate on more samples"
    case .labelNotBinary(let metric, let index, let label):
      return
        "\(metric): labels[\(index)] is \(label) but binary labels must be 0 or 1; encode the positive class as 1 and the negative as 0, or use the one-vs-one variant for more classes"
    case .labelOutOfRange(let metric, let index, let label, let classCount):
      return
        "\(metric): labels[\(index)] is \(label) but the probability rows have \(classCount) columns, so labels must lie in 0..<\(classCount); encode classes as column indices"
    case .singleClass(let metric, let label):
      return
        "\(metric): every label is \(label), so the metric is undefined; evaluate on a sample that contains both classes"
    case .classAbsent(let metric, let classIndex, let classCount):
      return
        "\(metric): class \(classIndex) has a probability column but no sample; every class in 0..<\(classCount) needs at least one labelled row (drop the column or evaluate on a sample that contains the class)"
    case .tooFewClasses(let metric, let columns):
      return
        "\(metric): probability rows have \(columns) column(s) but need at least 2, one per class; for a binary problem pass the probability of class 1 to the binary overload"
    case .raggedRow(let metric, let row, let found, let expected):
      return
        "\(metric): probabilities[\(row)] has \(found) entries but probabilities[0] has \(expected); every row needs one entry per class"
    case .nonFinite(let metric, let argument, let index, let value):
      return
        "\(metric): \(argument)[\(index)] is \(value); every value must be finite, so remove or impute that sample"
    case .probabilityOutOfRange(let metric, let row, let column, let value):
      return
        "\(metric): probabilities[\(row)]\(column.map { "[\($0)]" } ?? "") is \(value) but probabilities must lie in [0, 1]; pass probabilities (e.g. a softmax or sigmoid output), not logits"
    case .rowSumNotOne(let metric, let row, let sum):
      return
        "\(metric): probabilities[\(row)] sums to \(sum), not 1; pass a softmax output or divide each row by its sum"
    }
  }
}
