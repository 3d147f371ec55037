// Insertion and deletion error (Theory issue definitions) and insertion/deletion curves.

import Attribution
import Foundation
import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("Insertion and deletion error and curves")
struct InsertionDeletionTests {
  @Test("the exact group attribution of a polynomial (Gₜ = Tₜ, cₜ∏xᵢ) has zero insertion and deletion error; a random one does not")
  func exactGroupAttributionIsFaithful() async {
    await propertyCheck(count: 25, input: Gen.int(in: 2...9), Gen.int(in: 1...4), Gen.uint64()) { d, m, seed in
      var rng = RandomGenerator(seed: seed)
      let terms: [(coefficient: Float, support: [Int])] = (0..<m).map { _ in
        let size = 1 + rng.nextInt(below: min(3, d))
        return (Float(rng.nextInt(below: 7)) - 3 + 0.5, Array(rng.permutation(d).prefix(size)).sorted())
      }
      let model = ExplainerFixtures.polynomial(features: d, terms: terms)
      // Small integers keep every product exact in Float.
      let x: [Float] = (0..<d).map { _ in Float(rng.nextInt(below: 5)) - 2 }
      let scores = terms.map { term in Double(term.support.reduce(term.coefficient) { $0 * x[$1] }) }
      let exact = GroupAttribution(rows: 1, outputs: 1, groups: terms.map(\.support), scores: scores)
      var randomScores = scores
      randomScores[0] += 1 + Double(rng.nextUniform())
      let random = GroupAttribution(rows: 1, outputs: 1, groups: terms.map(\.support), scores: randomScores)
      for kind in RemovalKind.allCases {
        let metric = InsertionDeletionError(kind: kind)
        let zero = try metric.evaluate(model, rows: x, attribution: exact)[0]
        #expect(zero.exact && zero.subsets == 1 << d)
        #expect(zero.total == 0, "\(kind): E = \(zero.total) for the exact group attribution")
        let wrong = try metric.evaluate(model, rows: x, attribution: random)[0]
        #expect(wrong.total > 0.5, "\(kind): E = \(wrong.total) for a perturbed attribution")
        #expect(Swift.abs(wrong.mean * Double(1 << d) - wrong.total) < 1e-9)
      }
    }
  }

  @Test("hand-computed: f = x1·x2 at x = (1, 1), α = (½, ½): insertion error 1, deletion error 1")
  func handComputed() throws {
    // Insertion: b = 0, 0, 0, 1 for S = ∅, {1}, {2}, {1,2}; explained 0, ½, ½, 1 → E = 1.
    // Deletion:  b = 0, 1, 1, 1; explained 0, ½, ½, 1 → E = 1.
    let model = ExplainerFixtures.polynomial(features: 2, terms: [(1, [0, 1])])
    let alpha = FeatureAttribution(rows: 1, outputs: 1, features: 2, values: [0.5, 0.5], method: "test")
    let insertion = try InsertionDeletionError(kind: .insertion).evaluate(model, rows: [1, 1], attribution: alpha)[0]
    let deletion = try InsertionDeletionError(kind: .deletion).evaluate(model, rows: [1, 1], attribution: alpha)[0]
    #expect(insertion.total == 1 && insertion.mean == 0.25)
    #expect(deletion.total == 1)
    // Baseline (1, 1) for removed features: f is constant 1 on every x_S, so b_S = 0 and E = Σ|α(S)| = ½+½+1.
    let shifted = try InsertionDeletionError(kind: .insertion, baseline: .values([1, 1])).evaluate(model, rows: [1, 1], attribution: alpha)[0]
    #expect(shifted.total == 2)
    let mean = try InsertionDeletionError(kind: .insertion, baseline: .backgroundMean([1, 1, 1, 1])).evaluate(model, rows: [1, 1], attribution: alpha)[0]
    #expect(mean.total == 2)
  }

  @Test("beyond the exact limit, the Monte-Carlo estimate's 95 % interval covers the exact error in at least 85 % of 60 fixed cases (54 today), and is narrow")
  func monteCarloCoversExact() throws {
    // A 95 % interval misses about 1 time in 20, so no single case may be required to cover: a
    // random seed made this test fail once in CI (a 4σ miss). Fixed cases, counted: the same
    // result every run, and a miscalibrated interval (too narrow, or biased) still fails.
    var (covered, cases) = (0, 0)
    for seed in UInt64(0)..<30 {
      let d = 8 + Int(seed % 5)
      var rng = RandomGenerator(seed: seed)
      let model = ExplainerFixtures.network(features: d, seed: seed &+ 1)
      let x = TestModels.uniform(d, &rng)
      let alpha = FeatureAttribution(rows: 1, outputs: 1, features: d, values: (0..<d).map { _ in Double(rng.nextUniform()) - 0.5 }, method: "random")
      for kind in RemovalKind.allCases {
        let exact = try InsertionDeletionError(kind: kind).evaluate(model, rows: x, attribution: alpha)[0]
        let sampled = try InsertionDeletionError(kind: kind, exactLimit: 4, samples: 20_000, seed: seed).evaluate(model, rows: x, attribution: alpha)[0]
        #expect(!sampled.exact && sampled.subsets == 20_000)
        let interval = try #require(sampled.confidenceInterval)
        cases += 1
        if interval.contains(exact.total) { covered += 1 }
        #expect((interval.upperBound - interval.lowerBound) / 2 < 0.1 * exact.total)
      }
    }
    #expect(covered * 20 >= cases * 17, "the 95 % interval covered the exact error in \(covered) of \(cases) cases")
  }

  @Test("curves by hand: f = x0 + 2·x1 + 4·x2 at x = (1, 1, 1), attribution order 2, 1, 0")
  func curvesByHand() throws {
    let model = ExplainerFixtures.linear(weights: [1, 2, 4])
    let alpha = FeatureAttribution(rows: 1, outputs: 1, features: 3, values: [1, 2, 4], method: "test")
    let (insertion, deletion) = try InsertionDeletionCurves().evaluate(model, rows: [1, 1, 1], attribution: alpha)[0]
    #expect(insertion.order == [2, 1, 0])
    #expect(insertion.points == [0, 4, 6, 7])
    #expect(deletion.points == [7, 3, 1, 0])
    // Trapezoid over t = 0, ⅓, ⅔, 1.
    #expect(Swift.abs(insertion.area - (2 + 5 + 6.5) / 3) < 1e-12)
    #expect(Swift.abs(deletion.area - (5 + 2 + 0.5) / 3) < 1e-12)
    #expect(Swift.abs(insertion.normalizedArea - (2 + 5 + 6.5) / 21) < 1e-12)
    #expect(Swift.abs(deletion.normalizedArea - (5 + 2 + 0.5) / 21) < 1e-12)
    // The reverse order is worse on both curves.
    let reversed = FeatureAttribution(rows: 1, outputs: 1, features: 3, values: [4, 2, 1], method: "test")
    let (badInsertion, badDeletion) = try InsertionDeletionCurves().evaluate(model, rows: [1, 1, 1], attribution: reversed)[0]
    #expect(badInsertion.points == [0, 1, 3, 7])
    #expect(badInsertion.area < insertion.area && badDeletion.area > deletion.area)
    // Ranking by magnitude puts the large negative score first.
    let signed = FeatureAttribution(rows: 1, outputs: 1, features: 3, values: [-5, 2, 1], method: "test")
    #expect(try InsertionDeletionCurves(ranking: .magnitude).evaluate(model, rows: [1, 1, 1], attribution: signed)[0].insertion.order == [0, 1, 2])
    #expect(try InsertionDeletionCurves().evaluate(model, rows: [1, 1, 1], attribution: signed)[0].insertion.order == [1, 2, 0])
  }

  @Test("mismatched attributions and groups outside the features are rejected")
  func badInput() throws {
    let model = ExplainerFixtures.linear(weights: [1, 2])
    let outside = GroupAttribution(rows: 1, outputs: 1, groups: [[0, 2]], scores: [1])
    #expect(throws: AttributionError.self) { try InsertionDeletionError(kind: .insertion).evaluate(model, rows: [1, 1], attribution: outside) }
    let twoRows = FeatureAttribution(rows: 2, outputs: 1, features: 2, values: [1, 1, 1, 1], method: "test")
    #expect(throws: AttributionError.self) { try InsertionDeletionError(kind: .deletion).evaluate(model, rows: [1, 1], attribution: twoRows) }
    #expect(throws: AttributionError.wrongWidth(expected: 2, got: 3)) {
      let one = FeatureAttribution(rows: 1, outputs: 1, features: 2, values: [1, 1], method: "test")
      return try InsertionDeletionError(kind: .deletion, baseline: .values([0, 0, 0])).evaluate(model, rows: [1, 1], attribution: one)
    }
  }
}
