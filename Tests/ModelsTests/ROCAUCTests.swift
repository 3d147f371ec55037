import Testing

@testable import Models

/// Binary AUROC on cases small enough to count the positive–negative pairs by hand.
@Suite struct ROCAUCTests {
  /// Pairs (positive, negative): (0.35, 0.1) ordered, (0.35, 0.4) reversed, (0.8, 0.1) and
  /// (0.8, 0.4) ordered, so 3 of 4 pairs are ordered: AUC = 3/4.
  @Test func countsOrderedPairs() throws {
    #expect(try Metrics.rocAUC(labels: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8]) == 0.75)
  }

  /// Every positive above every negative gives 1; the reverse gives 0.
  @Test func perfectAndReversedRankings() throws {
    #expect(try Metrics.rocAUC(labels: [0, 0, 1, 1], scores: [0.1, 0.2, 0.3, 0.4]) == 1)
    #expect(try Metrics.rocAUC(labels: [1, 1, 0, 0], scores: [0.1, 0.2, 0.3, 0.4]) == 0)
  }

  /// Positives score 0.5 and 0.9, negatives 0.5 and 0.2. Pairs: (0.5, 0.5) tied → ½,
  /// (0.5, 0.2) → 1, (0.9, 0.5) → 1, (0.9, 0.2) → 1; AUC = 3.5/4 = 0.875. By ranks: 0.2 → 1,
  /// both 0.5s → 2.5, 0.9 → 4; R₊ = 6.5, U = 6.5 − 2·3/2 = 3.5.
  @Test func tiedScoresCountOneHalf() throws {
    #expect(try Metrics.rocAUC(labels: [0, 1, 0, 1], scores: [0.5, 0.5, 0.2, 0.9]) == 0.875)
  }

  /// All scores equal: every pair is a tie, so AUC = ½ whatever the labels.
  @Test func constantScoresGiveOneHalf() throws {
    #expect(try Metrics.rocAUC(labels: [0, 1, 1, 0, 1], scores: [3, 3, 3, 3, 3]) == 0.5)
  }

  /// One positive (0.3) against negatives 0.1, 0.3, 0.5: 1 + ½ + 0 = 1.5 of 3 pairs → 0.5.
  @Test func imbalancedClasses() throws {
    #expect(try Metrics.rocAUC(labels: [1, 0, 0, 0], scores: [0.3, 0.1, 0.3, 0.5]) == 0.5)
  }

  /// Only the order matters, so logits or any real scores work: the ranking of
  /// [−3, 1e6, 2, −0.5] with labels [0, 1, 0, 1] orders 3 of 4 pairs (−0.5 < 2 is the one
  /// reversed) → 0.75.
  @Test func scoresNeedNotBeProbabilities() throws {
    #expect(try Metrics.rocAUC(labels: [0, 1, 0, 1], scores: [-3, 1e6, 2, -0.5]) == 0.75)
  }

  /// −0.0 and 0.0 compare equal, so they tie as in NumPy: ½ of 1 pair.
  @Test func signedZerosTie() throws {
    #expect(try Metrics.rocAUC(labels: [0, 1], scores: [0.0, -0.0]) == 0.5)
  }
}

// MARK: - Errors

extension ROCAUCTests {
  @Test func singleClassThrows() {
    #expect(throws: MetricError.singleClass(metric: "rocAUC", label: 1)) {
      try Metrics.rocAUC(labels: [1, 1, 1], scores: [0.1, 0.2, 0.3])
    }
    #expect(throws: MetricError.singleClass(metric: "rocAUC", label: 0)) {
      try Metrics.rocAUC(labels: [0], scores: [0.1])
    }
  }

  @Test func nonBinaryLabelThrows() {
    #expect(throws: MetricError.labelNotBinary(metric: "rocAUC", index: 2, label: 2)) {
      try Metrics.rocAUC(labels: [0, 1, 2], scores: [0.1, 0.2, 0.3])
    }
    #expect(throws: MetricError.labelNotBinary(metric: "rocAUC", index: 0, label: -1)) {
      try Metrics.rocAUC(labels: [-1, 1], scores: [0.1, 0.2])
    }
  }

  @Test func countMismatchAndEmptyThrow() {
    #expect(
      throws: MetricError.lengthMismatch(
        metric: "rocAUC", first: "labels", firstCount: 3, second: "scores", secondCount: 2)
    ) {
      try Metrics.rocAUC(labels: [0, 1, 1], scores: [0.1, 0.2])
    }
    #expect(throws: MetricError.empty(metric: "rocAUC")) {
      try Metrics.rocAUC(labels: [], scores: [])
    }
  }

  @Test func nonFiniteScoreThrows() {
    #expect {
      try Metrics.rocAUC(labels: [0, 1, 0], scores: [0.1, .nan, 0.3])
    } throws: { error in
      guard case .nonFinite(let metric, let argument, let index, let value) = error as? MetricError
      else { return false }
      return metric == "rocAUC" && argument == "scores" && index == 1 && value.isNaN
    }
    #expect(
      throws: MetricError.nonFinite(
        metric: "rocAUC", argument: "scores", index: 0, value: -.infinity)
    ) {
      try Metrics.rocAUC(labels: [0, 1], scores: [-.infinity, 0.3])
    }
  }

  @Test func messagesSayWhatAndHowToFix() {
    let message = MetricError.singleClass(metric: "rocAUC", label: 1).description
    #expect(message.contains("every label is 1"))
    #expect(message.contains("both classes"))
    let label = MetricError.labelNotBinary(metric: "rocAUC", index: 2, label: 2).description
    #expect(label.contains("labels[2] is 2"))
    #expect(label.contains("must be 0 or 1"))
  }
}
