extension Metrics {
  /// Multiclass AUROC by Hand & Till (2001); matches
  /// `sklearn.metrics.roc_auc_score(labels, probabilities, multi_class="ovo", average="macro")`.
  ///
  /// `probabilities` holds one row per sample and one column per class: `probabilities[i][k]`
  /// is the predicted probability that sample i is of class k, and `labels[i]` is a column
  /// index in `0..<K`. For each unordered pair of classes a < b, restricted to the samples
  /// labelled a or b,
  ///
  ///     Â(a, b) = ½ · ( AUC(class a vs b, ranked by column a) + AUC(class b vs a, ranked by column b) )
  ///
  /// with AUC as in `rocAUC(labels:scores:)`, and the result is the macro mean over the
  /// K(K−1)/2 pairs:
  ///
  ///     M = (2 / (K(K−1))) · Σ_{a<b} Â(a, b)
  ///
  /// As scikit-learn requires, every class 0..<K must have at least one sample (scikit-learn
  /// infers the classes from the labels and demands one column each) and every row must sum
  /// to 1 within `probabilitySumTolerance`. For K = 2 scikit-learn refuses a two-column matrix
  /// and wants `roc_auc_score(labels, probabilities[:, 1])`; this function computes the
  /// Hand–Till mean instead, which equals that value when rows sum to 1 exactly.
  ///
  /// Complexity: O(K · n log n), each sample taking part in K − 1 pairs.
  ///
  /// - Throws: `MetricError` when the counts differ or are zero, rows are ragged or have fewer
  ///   than two columns, a value is not finite, a row does not sum to 1, a label is outside
  ///   `0..<K`, or a class has no sample.
  public static func rocAUCOneVsOne(labels: [Int], probabilities: [[Double]]) throws(MetricError)
    -> Double
  {
    let metric = "rocAUCOneVsOne"
    let classCount = try validateProbabilityRows(
      metric, labels: labels, probabilities: probabilities)
    var rowsOfClass = [[Int]](repeating: [], count: classCount)
    for (i, y) in labels.enumerated() { rowsOfClass[y].append(i) }
    if let absent = rowsOfClass.firstIndex(where: \.isEmpty) {
      throw .classAbsent(metric: metric, classIndex: absent, classCount: classCount)
    }
    var total = 0.0
    for a in 0..<classCount {
      for b in (a + 1)..<classCount {
        let rows = rowsOfClass[a] + rowsOfClass[b]
        let isA = rows.map { labels[$0] == a }
        let aVersusB = mannWhitneyAUC(isPositive: isA, scores: rows.map { probabilities[$0][a] })!
        let bVersusA = mannWhitneyAUC(
          isPositive: isA.map { !$0 }, scores: rows.map { probabilities[$0][b] })!
        total += (aVersusB + bVersusA) / 2
      }
    }
    return total / Double(classCount * (classCount - 1) / 2)
  }
}
