extension Metrics {
  /// Area under the ROC curve of binary scores; matches `sklearn.metrics.roc_auc_score(labels, scores)`.
  ///
  /// With P positives (label 1) and N negatives (label 0), the AUROC is the probability that a
  /// random positive scores above a random negative, ties counting one half:
  ///
  ///     AUC = (1 / (P·N)) · Σ_{i: yᵢ=1} Σ_{j: yⱼ=0} ( [sᵢ > sⱼ] + ½·[sᵢ = sⱼ] )
  ///
  /// This is the Mann–Whitney U statistic over P·N, U = R₊ − P(P+1)/2 with R₊ the sum of the
  /// positives' ranks and tied scores given their average rank. scikit-learn integrates the
  /// ROC curve with the trapezoidal rule, which equals this exactly; the two agree to
  /// rounding (~1e-16). Only the order of the scores matters, so they need not be probabilities.
  ///
  /// Complexity: O(n log n) for a sort, then one pass over the tie groups.
  ///
  /// - Throws: `MetricError` when the counts differ or are zero, a label is not 0 or 1, a score
  ///   is NaN or infinite (scikit-learn rejects both), or only one class is present.
  ///   (scikit-learn 1.9 returns NaN with an `UndefinedMetricWarning` for a single class.)
  public static func rocAUC(labels: [Int], scores: [Double]) throws(MetricError) -> Double {
    let metric = "rocAUC"
    try requireSameCount(metric, "labels", labels.count, "scores", scores.count)
    try requireBinary(metric, labels)
    try requireFinite(metric, "scores", scores)
    guard let auc = mannWhitneyAUC(isPositive: labels.map { $0 == 1 }, scores: scores) else {
      throw .singleClass(metric: metric, label: labels[0])
    }
    return auc
  }

  /// U / (P·N) for finite scores, or nil when either class is empty.
  ///
  /// Walks the scores in ascending order one tie group at a time. A group holding p positives
  /// and q negatives, above b negatives, contributes p·b + p·q/2 to U; the doubled sum
  /// 2U = Σ p·(2b + q) is an integer, so U is exact and the result is one correctly rounded
  /// division.
  static func mannWhitneyAUC(isPositive: [Bool], scores: [Double]) -> Double? {
    let positives = isPositive.reduce(0) { $0 + ($1 ? 1 : 0) }
    let negatives = isPositive.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var twiceU = 0
    var negativesBelow = 0
    var start = 0
    while start < order.count {
      var end = start
      var p = 0
      var q = 0
      while end < order.count, scores[order[end]] == scores[order[start]] {
        if isPositive[order[end]] { p += 1 } else { q += 1 }
        end += 1
      }
      twiceU += p * (2 * negativesBelow + q)
      negativesBelow += q
      start = end
    }
    return Double(twiceU) / (2 * Double(positives) * Double(negatives))
  }
}
