/// Classification and regression metrics that reproduce scikit-learn 1.9's definitions.
///
/// Every metric computes in `Double`, validates its input at the boundary and throws a
/// `MetricError` whose message says what is wrong and how to fix it. Where scikit-learn
/// would only warn or return NaN (a single class for AUROC, R² on one sample, probability
/// rows that do not sum to 1), these functions throw instead; each doc comment says so.
///
/// ```swift
/// let auc = try Metrics.rocAUC(labels: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8])  // 0.75
/// ```
public enum Metrics {
  /// How far a probability row may sum from 1: |Σⱼ pᵢⱼ − 1| ≤ 1e-8 + 1e-5·|Σⱼ pᵢⱼ|, the
  /// `numpy.allclose` tolerance scikit-learn uses to reject multiclass AUROC scores. Loose
  /// enough for a `Float` softmax converted to `Double`.
  public static let probabilitySumTolerance = (absolute: 1e-8, relative: 1e-5)
}

// MARK: - Validation shared by the metrics

extension Metrics {
  static func requireSameCount(
    _ metric: String, _ first: String, _ firstCount: Int, _ second: String, _ secondCount: Int
  ) throws(MetricError) {
    guard firstCount == secondCount else {
      throw .lengthMismatch(
        metric: metric, first: first, firstCount: firstCount, second: second,
        secondCount: secondCount)
    }
    guard firstCount > 0 else { throw .empty(metric: metric) }
  }

  static func requireFinite(_ metric: String, _ argument: String, _ values: [Double])
    throws(MetricError)
  {
    for (i, v) in values.enumerated() where !v.isFinite {
      throw .nonFinite(metric: metric, argument: argument, index: i, value: v)
    }
  }

  static func requireBinary(_ metric: String, _ labels: [Int]) throws(MetricError) {
    for (i, y) in labels.enumerated() where y != 0 && y != 1 {
      throw .labelNotBinary(metric: metric, index: i, label: y)
    }
  }

  /// Checks that `probabilities` is a rectangular matrix with at least two finite columns,
  /// that every label indexes a column, and that every row sums to 1 within
  /// `probabilitySumTolerance`. Returns the column count.
  static func validateProbabilityRows(
    _ metric: String, labels: [Int], probabilities: [[Double]]
  ) throws(MetricError) -> Int {
    try requireSameCount(metric, "labels", labels.count, "probabilities", probabilities.count)
    let classCount = probabilities[0].count
    guard classCount >= 2 else { throw .tooFewClasses(metric: metric, columns: classCount) }
    for (i, y) in labels.enumerated() where y < 0 || y >= classCount {
      throw .labelOutOfRange(metric: metric, index: i, label: y, classCount: classCount)
    }
    for (i, row) in probabilities.enumerated() {
      guard row.count == classCount else {
        throw .raggedRow(metric: metric, row: i, found: row.count, expected: classCount)
      }
      try requireFinite(metric, "probabilities[\(i)]", row)
      let sum = row.reduce(0, +)
      let tolerance = probabilitySumTolerance
      guard abs(sum - 1) <= tolerance.absolute + tolerance.relative * abs(sum) else {
        throw .rowSumNotOne(metric: metric, row: i, sum: sum)
      }
    }
    return classCount
  }
}
