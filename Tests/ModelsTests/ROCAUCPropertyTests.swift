import PropertyBased
import Testing

@testable import Models

/// `rocAUC` against the O(n²) pair-counting definition, and its symmetries, on random inputs.
@Suite struct ROCAUCPropertyTests {
  /// Samples of (label, score level); six levels make ties common.
  static let tiedSamples = zip(Gen.int(in: 0...1), Gen.int(in: 0...5)).array(of: 1...40)
  /// Samples of (label, score) with continuous scores, so ties are rare.
  static let continuousSamples = zip(Gen.int(in: 0...1), Gen.double(in: -10...10)).array(of: 2...60)

  /// AUC = (1/(P·N)) Σ_{positive i} Σ_{negative j} ([sᵢ > sⱼ] + ½[sᵢ = sⱼ]), counted in halves
  /// so the sum is an exact integer; nil when a class is empty.
  static func pairCountingAUC(labels: [Int], scores: [Double]) -> Double? {
    var twiceWins = 0
    for i in labels.indices where labels[i] == 1 {
      for j in labels.indices where labels[j] == 0 {
        twiceWins += scores[i] > scores[j] ? 2 : (scores[i] == scores[j] ? 1 : 0)
      }
    }
    let positives = labels.filter { $0 == 1 }.count
    let negatives = labels.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    return Double(twiceWins) / Double(2 * positives * negatives)
  }

  @Test func matchesPairCountingWithTies() async {
    await propertyCheck(count: 300, input: Self.tiedSamples) { samples in
      let labels = samples.map(\.0)
      let scores = samples.map { Double($0.1) / 4 }
      guard let expected = Self.pairCountingAUC(labels: labels, scores: scores) else {
        #expect(throws: MetricError.singleClass(metric: "rocAUC", label: labels[0])) {
          try Metrics.rocAUC(labels: labels, scores: scores)
        }
        return
      }
      let auc = try Metrics.rocAUC(labels: labels, scores: scores)
      #expect(auc == expected)
    }
  }

  @Test func matchesPairCountingWithContinuousScores() async {
    await propertyCheck(count: 200, input: Self.continuousSamples) { samples in
      let labels = samples.map(\.0)
      let scores = samples.map(\.1)
      guard let expected = Self.pairCountingAUC(labels: labels, scores: scores) else { return }
      let auc = try Metrics.rocAUC(labels: labels, scores: scores)
      #expect(auc == expected)
    }
  }

  /// Negating the scores or swapping the classes maps AUC to 1 − AUC; a strictly increasing
  /// map of the scores (here 3s − 7) leaves it unchanged.
  @Test func symmetries() async {
    await propertyCheck(count: 200, input: Self.tiedSamples) { samples in
      let labels = samples.map(\.0)
      let scores = samples.map { Double($0.1) }
      guard Set(labels).count == 2 else { return }
      let auc = try Metrics.rocAUC(labels: labels, scores: scores)
      let negated = try Metrics.rocAUC(labels: labels, scores: scores.map { -$0 })
      let swapped = try Metrics.rocAUC(labels: labels.map { 1 - $0 }, scores: scores)
      #expect(abs(negated - (1 - auc)) < 1e-12)
      #expect(abs(swapped - (1 - auc)) < 1e-12)
      let shifted = try Metrics.rocAUC(labels: labels, scores: scores.map { 3 * $0 - 7 })
      #expect(shifted == auc)
    }
  }

  /// With two classes and rows (1 − p, p), p on a grid of eighths (so 1 − p is exact and keeps
  /// p's ties), the one-vs-one AUROC equals the binary AUROC of p.
  @Test func oneVsOneWithTwoClassesIsBinaryAUC() async {
    await propertyCheck(count: 200, input: Self.tiedSamples) { samples in
      let labels = samples.map(\.0)
      let p = samples.map { Double($0.1) / 8 }
      guard Set(labels).count == 2 else { return }
      let ovo = try Metrics.rocAUCOneVsOne(labels: labels, probabilities: p.map { [1 - $0, $0] })
      let binary = try Metrics.rocAUC(labels: labels, scores: p)
      #expect(abs(ovo - binary) < 1e-12)
    }
  }
}
