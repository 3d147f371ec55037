import Testing

@testable import Models

/// Accuracy and balanced accuracy on hand-counted confusion tables.
@Suite struct AccuracyTests {
  /// Matches at positions 0, 2, 3: 3 of 4.
  @Test func accuracyCountsMatches() throws {
    #expect(try Metrics.accuracy(labels: [0, 1, 2, 2], predictions: [0, 2, 2, 2]) == 0.75)
    #expect(try Metrics.accuracy(labels: [-4, 7], predictions: [-4, 7]) == 1)
  }

  /// Always predicting the majority: class 0 recall 3/3 = 1, class 1 recall 0/1 = 0, so
  /// balanced accuracy (1 + 0)/2 = ½ while accuracy is ¾.
  @Test func balancedAccuracyAveragesRecalls() throws {
    let labels = [0, 0, 0, 1]
    let predictions = [0, 0, 0, 0]
    #expect(try Metrics.balancedAccuracy(labels: labels, predictions: predictions) == 0.5)
    #expect(try Metrics.accuracy(labels: labels, predictions: predictions) == 0.75)
  }

  /// Class 2 is predicted but never a label, so it has no recall and is left out:
  /// class 0 recall 1/2, class 1 recall 1/1 → (½ + 1)/2 = 0.75 (scikit-learn: 0.75, with a warning).
  @Test func predictedClassAbsentFromLabelsIsIgnored() throws {
    #expect(try Metrics.balancedAccuracy(labels: [0, 0, 1], predictions: [0, 2, 1]) == 0.75)
  }

  /// One class in the labels: the result is its recall, 2/3 (scikit-learn: 0.666…).
  @Test func singleLabelClassGivesItsRecall() throws {
    #expect(try Metrics.balancedAccuracy(labels: [1, 1, 1], predictions: [1, 0, 1]) == 2.0 / 3.0)
  }

  @Test func countMismatchAndEmptyThrow() {
    #expect(
      throws: MetricError.lengthMismatch(
        metric: "accuracy", first: "labels", firstCount: 2, second: "predictions", secondCount: 1)
    ) {
      try Metrics.accuracy(labels: [0, 1], predictions: [0])
    }
    #expect(throws: MetricError.empty(metric: "balancedAccuracy")) {
      try Metrics.balancedAccuracy(labels: [], predictions: [])
    }
  }
}
