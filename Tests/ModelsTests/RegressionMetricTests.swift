import Testing

@testable import Models

/// MSE, RMSE and R² on hand-computed cases, including scikit-learn's constant-target convention.
@Suite struct RegressionMetricTests {
  /// Residuals 0, 0, −2: SS_res = 4, MSE = 4/3, RMSE = √(4/3) ≈ 1.1547. ȳ = 2,
  /// SS_tot = 1 + 0 + 1 = 2, so R² = 1 − 4/2 = −1.
  @Test func handComputedCase() throws {
    let targets: [Double] = [1, 2, 3]
    let predictions: [Double] = [1, 2, 5]
    #expect(try Metrics.meanSquaredError(targets: targets, predictions: predictions) == 4.0 / 3.0)
    #expect(
      try Metrics.rootMeanSquaredError(targets: targets, predictions: predictions)
        == (4.0 / 3.0).squareRoot())
    #expect(try Metrics.r2Score(targets: targets, predictions: predictions) == -1)
  }

  /// Perfect predictions: R² = 1. Predicting the mean ȳ = 2 everywhere: SS_res = SS_tot, R² = 0.
  @Test func r2ReferencePoints() throws {
    #expect(try Metrics.r2Score(targets: [1, 2, 3], predictions: [1, 2, 3]) == 1)
    #expect(try Metrics.r2Score(targets: [1, 2, 3], predictions: [2, 2, 2]) == 0)
  }

  /// Constant target, SS_tot = 0: R² = 1 if the predictions are perfect, else 0 (scikit-learn's
  /// force_finite convention). For [0.1, 0.1, 0.1] the rounded mean makes scikit-learn's SS_tot
  /// ≈ 1e-33 and its R² ≈ −5.2e31; the convention still applies here.
  @Test func constantTargetConvention() throws {
    #expect(try Metrics.r2Score(targets: [2, 2, 2], predictions: [2, 2, 2]) == 1)
    #expect(try Metrics.r2Score(targets: [2, 2, 2], predictions: [2, 2, 3]) == 0)
    #expect(try Metrics.r2Score(targets: [0.1, 0.1, 0.1], predictions: [0.2, 0.2, 0.2]) == 0)
  }

  @Test func errors() {
    #expect(throws: MetricError.tooFewSamples(metric: "r2Score", count: 1, minimum: 2)) {
      try Metrics.r2Score(targets: [2], predictions: [3])
    }
    #expect(throws: MetricError.empty(metric: "meanSquaredError")) {
      try Metrics.meanSquaredError(targets: [], predictions: [])
    }
    #expect(
      throws: MetricError.lengthMismatch(
        metric: "rootMeanSquaredError", first: "targets", firstCount: 2, second: "predictions",
        secondCount: 3)
    ) {
      try Metrics.rootMeanSquaredError(targets: [1, 2], predictions: [1, 2, 3])
    }
    #expect(
      throws: MetricError.nonFinite(
        metric: "r2Score", argument: "predictions", index: 1, value: .infinity)
    ) {
      try Metrics.r2Score(targets: [1, 2], predictions: [1, .infinity])
    }
  }
}
