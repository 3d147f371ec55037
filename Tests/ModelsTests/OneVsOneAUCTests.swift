import Testing

@testable import Models

/// Hand & Till one-vs-one AUROC on cases worked out pair by pair.
@Suite struct OneVsOneAUCTests {
  /// Rows (label: p₀, p₁, p₂): 0: .5 .3 .2 | 0: .2 .5 .3 | 1: .3 .3 .4 | 2: .4 .2 .4
  ///
  /// (0,1), rows 0–2. Column 0, class 0 {.5, .2} vs class 1 {.3}: 1 + 0 → ½. Column 1,
  ///   class 1 {.3} vs class 0 {.3, .5}: ½ (tie) + 0 → ¼. Â = (½ + ¼)/2 = 0.375.
  /// (0,2), rows 0, 1, 3. Column 0, {.5, .2} vs {.4}: 1 + 0 → ½. Column 2, {.4} vs {.2, .3}:
  ///   1 + 1 → 1. Â = 0.75.
  /// (1,2), rows 2, 3. Column 1, {.3} vs {.2} → 1. Column 2, {.4} vs {.4} → ½ (tie). Â = 0.75.
  /// M = (0.375 + 0.75 + 0.75)/3 = 0.625 (scikit-learn agrees).
  @Test func threeClassesWithTies() throws {
    let probabilities: [[Double]] = [
      [0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4], [0.4, 0.2, 0.4],
    ]
    #expect(
      try Metrics.rocAUCOneVsOne(labels: [0, 0, 1, 2], probabilities: probabilities) == 0.625)
  }

  /// Each row puts most mass on its own class, so every pairwise AUC is 1.
  @Test func perfectSeparation() throws {
    let probabilities: [[Double]] = [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7]]
    #expect(try Metrics.rocAUCOneVsOne(labels: [0, 1, 2], probabilities: probabilities) == 1)
  }

  /// Uniform rows tie everywhere: every AUC is ½, so the mean is ½.
  @Test func uniformProbabilitiesGiveOneHalf() throws {
    let row = [0.25, 0.25, 0.25, 0.25]
    #expect(
      try Metrics.rocAUCOneVsOne(
        labels: [0, 1, 2, 3, 1], probabilities: Array(repeating: row, count: 5)) == 0.5)
  }

  /// Two classes with rows (1 − p, p): column 1 ranks class 1 as `rocAUC` does, and column 0
  /// ranks class 0 by the reversed order, which gives the same AUC. Scores 0.25 0.75 0.5 0.5
  /// for labels 0 1 0 1: positives {.75, .5} vs negatives {.25, .5} → 1 + 1 + 1 + ½ = 3.5/4.
  @Test func twoClassesMatchBinaryAUC() throws {
    let p = [0.25, 0.75, 0.5, 0.5]
    let labels = [0, 1, 0, 1]
    let ovo = try Metrics.rocAUCOneVsOne(labels: labels, probabilities: p.map { [1 - $0, $0] })
    #expect(ovo == 0.875)
    #expect(try Metrics.rocAUC(labels: labels, scores: p) == ovo)
  }
}

// MARK: - Errors

extension OneVsOneAUCTests {
  static let metric = "rocAUCOneVsOne"

  @Test func absentClassThrows() {
    #expect(throws: MetricError.classAbsent(metric: Self.metric, classIndex: 1, classCount: 3)) {
      try Metrics.rocAUCOneVsOne(
        labels: [0, 2], probabilities: [[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    }
  }

  @Test func labelOutsideColumnsThrows() {
    #expect(
      throws: MetricError.labelOutOfRange(metric: Self.metric, index: 1, label: 3, classCount: 3)
    ) {
      try Metrics.rocAUCOneVsOne(
        labels: [0, 3], probabilities: [[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    }
  }

  @Test func malformedRowsThrow() {
    #expect(throws: MetricError.raggedRow(metric: Self.metric, row: 1, found: 2, expected: 3)) {
      try Metrics.rocAUCOneVsOne(labels: [0, 1], probabilities: [[0.5, 0.3, 0.2], [0.5, 0.5]])
    }
    #expect(throws: MetricError.tooFewClasses(metric: Self.metric, columns: 1)) {
      try Metrics.rocAUCOneVsOne(labels: [0, 0], probabilities: [[1], [1]])
    }
    #expect(throws: MetricError.rowSumNotOne(metric: Self.metric, row: 0, sum: 1.5)) {
      try Metrics.rocAUCOneVsOne(
        labels: [0, 1, 2], probabilities: [[1, 0.25, 0.25], [0, 1, 0], [0, 0, 1]])
    }
    #expect(
      throws: MetricError.nonFinite(
        metric: Self.metric, argument: "probabilities[1]", index: 0, value: .infinity)
    ) {
      try Metrics.rocAUCOneVsOne(labels: [0, 1], probabilities: [[0.5, 0.5], [.infinity, 0.5]])
    }
  }

  @Test func countMismatchAndEmptyThrow() {
    #expect(
      throws: MetricError.lengthMismatch(
        metric: Self.metric, first: "labels", firstCount: 1, second: "probabilities", secondCount: 2
      )
    ) {
      try Metrics.rocAUCOneVsOne(labels: [0], probabilities: [[0.5, 0.5], [0.5, 0.5]])
    }
    #expect(throws: MetricError.empty(metric: Self.metric)) {
      try Metrics.rocAUCOneVsOne(labels: [], probabilities: [])
    }
  }
}
