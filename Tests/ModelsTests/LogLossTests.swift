import Foundation
import Testing

@testable import Models

/// Log loss on hand-computed cases, including scikit-learn's clipping at ε = 2⁻⁵².
@Suite struct LogLossTests {
  /// Label 1 with p = 0.8 costs −ln 0.8; label 0 with p = 0.4 costs −ln(1 − 0.4) = −ln 0.6.
  /// Mean: (0.22314 + 0.51083)/2 ≈ 0.36698.
  @Test func binaryAveragesNegativeLogLikelihood() throws {
    let loss = try Metrics.logLoss(labels: [1, 0], probabilities: [0.8, 0.4])
    #expect(abs(loss - (-(log(0.8) + log(0.6)) / 2)) < 1e-15)
    #expect(abs(loss - 0.366_984_587_540_100_2) < 1e-15)
  }

  /// A confident mistake is clipped to ε = 2⁻⁵², costing −ln ε = 52 ln 2 ≈ 36.0437, not ∞;
  /// a perfect prediction is clipped to 1 − ε and costs −ln(1 − ε) ≈ ε, not 0.
  @Test func probabilitiesAreClippedToMachineEpsilon() throws {
    let worst = 52 * log(2.0)
    #expect(abs(try Metrics.logLoss(labels: [1], probabilities: [0]) - worst) < 1e-12)
    #expect(abs(try Metrics.logLoss(labels: [0], probabilities: [1]) - worst) < 1e-12)
    let perfect = try Metrics.logLoss(labels: [0, 1], probabilities: [0, 1])
    #expect(perfect > 0 && abs(perfect - Double.ulpOfOne) < 1e-30)
  }

  /// Only the true class's column counts: −(ln 0.7 + ln 0.5)/2 ≈ 0.52491.
  @Test func multiclassUsesTrueColumn() throws {
    let loss = try Metrics.logLoss(
      labels: [0, 2], probabilities: [[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]])
    #expect(abs(loss - (-(log(0.7) + log(0.5)) / 2)) < 1e-15)
  }

  /// Rows are not renormalised (scikit-learn ≥ 1.5): a row summing to 1.000004, within the
  /// tolerance, costs −ln 0.6 exactly, not −ln(0.6/1.000004).
  @Test func rowsAreNotRenormalised() throws {
    let loss = try Metrics.logLoss(labels: [0], probabilities: [[0.6, 0.400_004]])
    #expect(loss == -log(0.6))
  }

  /// Classes need not all occur in the labels (scikit-learn needs `labels=range(K)` for this).
  @Test func absentClassesAreAllowed() throws {
    #expect(
      try Metrics.logLoss(labels: [1, 1], probabilities: [[0.5, 0.5], [0.5, 0.5]]) == -log(0.5))
    #expect(try Metrics.logLoss(labels: [1, 1], probabilities: [0.5, 0.5]) == -log(0.5))
  }
}

// MARK: - Errors

extension LogLossTests {
  @Test func binaryErrors() {
    #expect(throws: MetricError.labelNotBinary(metric: "logLoss", index: 1, label: 2)) {
      try Metrics.logLoss(labels: [0, 2], probabilities: [0.1, 0.2])
    }
    #expect(
      throws: MetricError.probabilityOutOfRange(metric: "logLoss", row: 1, column: nil, value: 1.2)
    ) {
      try Metrics.logLoss(labels: [0, 1], probabilities: [0.2, 1.2])
    }
    #expect(throws: MetricError.empty(metric: "logLoss")) {
      try Metrics.logLoss(labels: [], probabilities: [Double]())
    }
    #expect {
      try Metrics.logLoss(labels: [0, 1], probabilities: [0.3, .nan])
    } throws: { error in
      guard case .nonFinite(_, "probabilities", 1, let value) = error as? MetricError else {
        return false
      }
      return value.isNaN
    }
  }

  @Test func multiclassErrors() {
    #expect(throws: MetricError.rowSumNotOne(metric: "logLoss", row: 0, sum: 1.1)) {
      try Metrics.logLoss(labels: [0, 1], probabilities: [[0.5, 0.6], [0.2, 0.8]])
    }
    #expect(
      throws: MetricError.probabilityOutOfRange(metric: "logLoss", row: 1, column: 0, value: -0.25)
    ) {
      try Metrics.logLoss(labels: [0, 1], probabilities: [[0.5, 0.5], [-0.25, 1.25]])
    }
    #expect(
      throws: MetricError.labelOutOfRange(metric: "logLoss", index: 0, label: 2, classCount: 2)
    ) {
      try Metrics.logLoss(labels: [2], probabilities: [[0.5, 0.5]])
    }
    let message = MetricError.rowSumNotOne(metric: "logLoss", row: 0, sum: 1.1).description
    #expect(message.contains("probabilities[0] sums to 1.1"))
    #expect(message.contains("softmax"))
    let binary = MetricError.probabilityOutOfRange(
      metric: "logLoss", row: 1, column: nil, value: 1.2)
    #expect(binary.description.contains("probabilities[1] is 1.2"))
    let multiclass = MetricError.probabilityOutOfRange(
      metric: "logLoss", row: 1, column: 0, value: -0.25)
    #expect(multiclass.description.contains("probabilities[1][0] is -0.25"))
  }
}
