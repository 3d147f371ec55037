extension Metrics {
  /// Fraction of exact matches; matches `sklearn.metrics.accuracy_score(labels, predictions)`.
  ///
  ///     accuracy = (1/n) · Σᵢ [ŷᵢ = yᵢ]
  ///
  /// Labels may be any integers.
  ///
  /// - Throws: `MetricError` when the counts differ or are zero.
  public static func accuracy(labels: [Int], predictions: [Int]) throws(MetricError) -> Double {
    try requireSameCount("accuracy", "labels", labels.count, "predictions", predictions.count)
    let correct = zip(labels, predictions).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
    return Double(correct) / Double(labels.count)
  }

  /// Mean per-class recall; matches `sklearn.metrics.balanced_accuracy_score(labels, predictions)`
  /// (with its default `adjusted=False`).
  ///
  /// Over the set C of classes that occur in `labels`,
  ///
  ///     balanced accuracy = (1/|C|) · Σ_{c∈C} #{i : yᵢ = c, ŷᵢ = c} / #{i : yᵢ = c}
  ///
  /// A class that is predicted but never occurs in `labels` has no recall and is left out,
  /// as scikit-learn does (it warns "y_pred contains classes not in y_true"). With one class in
  /// `labels` the result is that class's recall. Labels may be any integers.
  ///
  /// - Throws: `MetricError` when the counts differ or are zero.
  public static func balancedAccuracy(labels: [Int], predictions: [Int]) throws(MetricError)
    -> Double
  {
    try requireSameCount(
      "balancedAccuracy", "labels", labels.count, "predictions", predictions.count)
    var support: [Int: Int] = [:]
    var hits: [Int: Int] = [:]
    for (y, yHat) in zip(labels, predictions) {
      support[y, default: 0] += 1
      if y == yHat { hits[y, default: 0] += 1 }
    }
    let recalls = support.keys.sorted().map { Double(hits[$0, default: 0]) / Double(support[$0]!) }
    return recalls.reduce(0, +) / Double(recalls.count)
  }
}
