import Foundation

extension Metrics {
  /// The clipping bound of `logLoss`: the machine epsilon of `Double`, 2⁻⁵² ≈ 2.22e-16, which is
  /// scikit-learn 1.9's `np.finfo(float64).eps`.
  public static let logLossEpsilon = Double.ulpOfOne

  /// Binary cross-entropy; matches `sklearn.metrics.log_loss(labels, probabilities, labels=[0, 1])`.
  ///
  /// `probabilities[i]` is the predicted probability that sample i is of class 1. As scikit-learn
  /// does, each row becomes (1 − pᵢ, pᵢ) and each entry is then clipped to [ε, 1 − ε] with
  /// ε = `logLossEpsilon`, so a confident mistake costs −ln ε ≈ 36.04 rather than infinity:
  ///
  ///     logLoss = −(1/n) · Σᵢ ln clip(yᵢ = 1 ? pᵢ : 1 − pᵢ, ε, 1 − ε)
  ///
  /// The `labels=[0, 1]` in the scikit-learn call matters only when one class is absent: without
  /// it scikit-learn refuses such labels; here they are fine.
  ///
  /// - Throws: `MetricError` when the counts differ or are zero, a label is not 0 or 1, or a
  ///   probability is not finite or lies outside [0, 1] (scikit-learn rejects those too).
  public static func logLoss(labels: [Int], probabilities: [Double]) throws(MetricError) -> Double {
    let metric = "logLoss"
    try requireSameCount(metric, "labels", labels.count, "probabilities", probabilities.count)
    try requireBinary(metric, labels)
    try requireFinite(metric, "probabilities", probabilities)
    for (i, p) in probabilities.enumerated() where p < 0 || p > 1 {
      throw .probabilityOutOfRange(metric: metric, row: i, column: nil, value: p)
    }
    let losses = zip(labels, probabilities).map { y, p in clippedNegativeLog(y == 1 ? p : 1 - p) }
    return losses.reduce(0, +) / Double(losses.count)
  }

  /// Multiclass cross-entropy; matches
  /// `sklearn.metrics.log_loss(labels, probabilities, labels=range(K))`.
  ///
  /// `probabilities[i][k]` is the predicted probability that sample i is of class k, and
  /// `labels[i]` is a column index in `0..<K`:
  ///
  ///     logLoss = −(1/n) · Σᵢ ln clip(p_{i, yᵢ}, ε, 1 − ε),   ε = `logLossEpsilon`
  ///
  /// Rows are not renormalised after clipping. scikit-learn stopped doing that (it divided each
  /// clipped row by its sum until 1.5) and now only warns when a row's sum differs from 1 by more
  /// than about 2.5e-8. Here a row whose sum differs from 1 by more than
  /// `probabilitySumTolerance` (about 1e-5) throws instead; within it the value is
  /// scikit-learn's. Classes need not all occur in `labels`.
  ///
  /// - Throws: `MetricError` when the counts differ or are zero, rows are ragged or have fewer
  ///   than two columns, a label is outside `0..<K`, a probability is not finite or lies outside
  ///   [0, 1], or a row does not sum to 1.
  public static func logLoss(labels: [Int], probabilities: [[Double]]) throws(MetricError) -> Double
  {
    let metric = "logLoss"
    _ = try validateProbabilityRows(metric, labels: labels, probabilities: probabilities)
    for (i, row) in probabilities.enumerated() {
      if let k = row.firstIndex(where: { $0 < 0 || $0 > 1 }) {
        throw .probabilityOutOfRange(metric: metric, row: i, column: k, value: row[k])
      }
    }
    let losses = zip(labels, probabilities).map { y, row in clippedNegativeLog(row[y]) }
    return losses.reduce(0, +) / Double(losses.count)
  }

  /// −ln clip(p, ε, 1 − ε).
  static func clippedNegativeLog(_ p: Double) -> Double {
    -log(min(max(p, logLossEpsilon), 1 - logLossEpsilon))
  }
}
