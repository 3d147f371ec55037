import Testing

@testable import Models

/// Fixed inputs against values computed with scikit-learn 1.9.1; each literal's comment holds
/// the one-liner that produced it. Tolerance 1e-12: scikit-learn integrates the ROC curve with
/// the trapezoidal rule and sums with NumPy's pairwise summation, so last digits may differ.
@Suite struct SklearnReferenceTests {
  static func expectClose(
    _ actual: Double, _ expected: Double, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(
      abs(actual - expected) <= 1e-12, "got \(actual), scikit-learn gives \(expected)",
      sourceLocation: sourceLocation)
  }

  static let labels3 = [0, 1, 2, 2, 1, 0, 2, 1, 0]
  static let probabilities3: [[Double]] = [
    [0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.4, 0.4, 0.2], [0.3, 0.3, 0.4],
    [0.6, 0.2, 0.2], [0.2, 0.2, 0.6], [0.5, 0.1, 0.4], [0.3, 0.4, 0.3],
  ]

  @Test func binaryAUCWithTies() throws {
    // python3 -c "from sklearn.metrics import roc_auc_score as f; print(repr(f([0,1,1,0,1,0,1,1,0,0,1,0], [0.2,0.7,0.2,0.5,0.9,0.7,0.5,0.1,0.3,0.2,0.65,0.05])))"
    // → 0.6666666666666665 (the exact value is 24/36 = 2/3).
    let auc = try Metrics.rocAUC(
      labels: [0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0],
      scores: [0.2, 0.7, 0.2, 0.5, 0.9, 0.7, 0.5, 0.1, 0.3, 0.2, 0.65, 0.05])
    Self.expectClose(auc, 0.666_666_666_666_666_5)
  }

  @Test func threeClassOneVsOne() throws {
    // python3 -c "from sklearn.metrics import roc_auc_score as f; print(repr(float(f([0,1,2,2,1,0,2,1,0], [[.5,.3,.2],[.2,.5,.3],[.1,.3,.6],[.4,.4,.2],[.3,.3,.4],[.6,.2,.2],[.2,.2,.6],[.5,.1,.4],[.3,.4,.3]], multi_class='ovo'))))"
    let auc = try Metrics.rocAUCOneVsOne(labels: Self.labels3, probabilities: Self.probabilities3)
    Self.expectClose(auc, 0.685_185_185_185_185_1)
  }

  @Test func fourClassOneVsOne() throws {
    // python3 -c "from sklearn.metrics import roc_auc_score as f; print(repr(float(f([0,1,2,3,3,2,1,0,2,3], [[.4,.3,.2,.1],[.1,.2,.3,.4],[.25,.25,.25,.25],[.1,.1,.2,.6],[.3,.2,.1,.4],[.2,.1,.6,.1],[.3,.4,.2,.1],[.2,.3,.25,.25],[.1,.5,.3,.1],[.25,.25,.25,.25]], multi_class='ovo'))))"
    let probabilities: [[Double]] = [
      [0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25], [0.1, 0.1, 0.2, 0.6],
      [0.3, 0.2, 0.1, 0.4], [0.2, 0.1, 0.6, 0.1], [0.3, 0.4, 0.2, 0.1], [0.2, 0.3, 0.25, 0.25],
      [0.1, 0.5, 0.3, 0.1], [0.25, 0.25, 0.25, 0.25],
    ]
    let auc = try Metrics.rocAUCOneVsOne(
      labels: [0, 1, 2, 3, 3, 2, 1, 0, 2, 3], probabilities: probabilities)
    Self.expectClose(auc, 0.761_574_074_074_074_1)
  }

  @Test func binaryLogLossWithClipping() throws {
    // python3 -c "from sklearn.metrics import log_loss as f; print(repr(f([0,1,1,0,1], [0.1,0.8,1.0,0.0,0.0])))"
    Self.expectClose(
      try Metrics.logLoss(labels: [0, 1, 1, 0, 1], probabilities: [0.1, 0.8, 1.0, 0.0, 0.0]),
      7.274_431_491_217_838)
    // python3 -c "from sklearn.metrics import log_loss as f; print(repr(f([0,1,1,0], [0.3,0.6,0.9,0.45])))"
    Self.expectClose(
      try Metrics.logLoss(labels: [0, 1, 1, 0], probabilities: [0.3, 0.6, 0.9, 0.45]),
      0.392_674_521_029_542_5)
  }

  @Test func multiclassLogLoss() throws {
    // python3 -c "from sklearn.metrics import log_loss as f; print(repr(f([0,1,2,2,1,0,2,1,0], [[.5,.3,.2],[.2,.5,.3],[.1,.3,.6],[.4,.4,.2],[.3,.3,.4],[.6,.2,.2],[.2,.2,.6],[.5,.1,.4],[.3,.4,.3]])))"
    Self.expectClose(
      try Metrics.logLoss(labels: Self.labels3, probabilities: Self.probabilities3),
      1.026_526_649_610_875_8)
    // python3 -c "from sklearn.metrics import log_loss as f; print(repr(f([0,2,1], [[.7,.3,0.],[.7,.3,0.],[.2,.5,.3]], labels=[0,1,2])))"
    let clipped = try Metrics.logLoss(
      labels: [0, 2, 1], probabilities: [[0.7, 0.3, 0], [0.7, 0.3, 0], [0.2, 0.5, 0.3]])
    Self.expectClose(clipped, 12.364_491_837_871_945)
  }

  @Test func accuracies() throws {
    let labels = [0, 0, 0, 0, 1, 1, 2, 2, 2]
    let predictions = [0, 1, 0, 0, 1, 1, 2, 0, 1]
    // python3 -c "from sklearn.metrics import balanced_accuracy_score as f; print(repr(f([0,0,0,0,1,1,2,2,2], [0,1,0,0,1,1,2,0,1])))"
    Self.expectClose(
      try Metrics.balancedAccuracy(labels: labels, predictions: predictions),
      0.694_444_444_444_444_5)
    // python3 -c "from sklearn.metrics import accuracy_score as f; print(repr(f([0,0,0,0,1,1,2,2,2], [0,1,0,0,1,1,2,0,1])))"
    Self.expectClose(
      try Metrics.accuracy(labels: labels, predictions: predictions), 0.666_666_666_666_666_6)
  }

  @Test func regression() throws {
    let targets = [3.0, -0.5, 2.0, 7.0, 4.25]
    let predictions = [2.5, 0.0, 2.0, 8.0, 3.5]
    // python3 -c "from sklearn.metrics import mean_squared_error as f; print(repr(f([3.0,-0.5,2.0,7.0,4.25], [2.5,0.0,2.0,8.0,3.5])))"
    Self.expectClose(
      try Metrics.meanSquaredError(targets: targets, predictions: predictions), 0.4125)
    // python3 -c "from sklearn.metrics import root_mean_squared_error as f; print(repr(f([3.0,-0.5,2.0,7.0,4.25], [2.5,0.0,2.0,8.0,3.5])))"
    Self.expectClose(
      try Metrics.rootMeanSquaredError(targets: targets, predictions: predictions),
      0.642_261_628_933_256_4)
    // python3 -c "from sklearn.metrics import r2_score as f; print(repr(f([3.0,-0.5,2.0,7.0,4.25], [2.5,0.0,2.0,8.0,3.5])))"
    Self.expectClose(
      try Metrics.r2Score(targets: targets, predictions: predictions), 0.932_817_589_576_547_3)
  }
}
