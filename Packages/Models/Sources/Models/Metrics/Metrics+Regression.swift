extension Metrics {
  /// Mean squared error; matches `sklearn.metrics.mean_squared_error(targets, predictions)`.
  ///
  ///     MSE = (1/n) · Σᵢ (yᵢ − ŷᵢ)²
  ///
  /// - Throws: `MetricError` when the counts differ or are zero, or a value is NaN or infinite.
  public static func meanSquaredError(targets: [Double], predictions: [Double]) throws(MetricError)
    -> Double
  {
    try validateRegression("meanSquaredError", targets, predictions)
    return sumOfSquaredResiduals(targets, predictions) / Double(targets.count)
  }

  /// Root mean squared error; matches `sklearn.metrics.root_mean_squared_error(targets, predictions)`.
  ///
  ///     RMSE = √( (1/n) · Σᵢ (yᵢ − ŷᵢ)² )
  ///
  /// - Throws: `MetricError` when the counts differ or are zero, or a value is NaN or infinite.
  public static func rootMeanSquaredError(targets: [Double], predictions: [Double])
    throws(MetricError) -> Double
  {
    try validateRegression("rootMeanSquaredError", targets, predictions)
    return (sumOfSquaredResiduals(targets, predictions) / Double(targets.count)).squareRoot()
  }

  /// Coefficient of determination; matches `sklearn.metrics.r2_score(targets, predictions)`
  /// (its default `force_finite=True`).
  ///
  ///     R² = 1 − SS_res / SS_tot,   SS_res = Σᵢ (yᵢ − ŷᵢ)²,   SS_tot = Σᵢ (yᵢ − ȳ)²
  ///
  /// For a constant target (SS_tot = 0) scikit-learn's convention applies: R² = 1 when the
  /// predictions are perfect (SS_res = 0), else 0, where the formula would give NaN or −∞. A
  /// target counts as constant when all its values are equal; scikit-learn instead tests the
  /// computed SS_tot, which round-off in ȳ can leave tiny but nonzero (for [0.1, 0.1, 0.1] it
  /// returns about −5.2e31 rather than 0).
  ///
  /// - Throws: `MetricError` when the counts differ, there are fewer than two samples
  ///   (scikit-learn returns NaN with a warning), or a value is NaN or infinite.
  public static func r2Score(targets: [Double], predictions: [Double]) throws(MetricError) -> Double
  {
    let metric = "r2Score"
    try validateRegression(metric, targets, predictions)
    guard targets.count >= 2 else {
      throw .tooFewSamples(metric: metric, count: targets.count, minimum: 2)
    }
    let residual = sumOfSquaredResiduals(targets, predictions)
    let isConstant = targets.allSatisfy { $0 == targets[0] }
    if isConstant { return residual == 0 ? 1 : 0 }
    let mean = targets.reduce(0, +) / Double(targets.count)
    let total = targets.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return residual == 0 ? 1 : 1 - residual / total
  }

  static func validateRegression(_ metric: String, _ targets: [Double], _ predictions: [Double])
    throws(MetricError)
  {
    try requireSameCount(metric, "targets", targets.count, "predictions", predictions.count)
    try requireFinite(metric, "targets", targets)
    try requireFinite(metric, "predictions", predictions)
  }

  static func sumOfSquaredResiduals(_ targets: [Double], _ predictions: [Double]) -> Double {
    zip(targets, predictions).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
  }
}
