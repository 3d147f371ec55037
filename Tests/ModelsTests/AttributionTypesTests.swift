// The attribution types models return: totals, explained outputs, group shares.

import Models
import Testing

@Suite("Attribution types")
struct AttributionTypesTests {
  @Test("group shares split each group's score equally among its features; empty groups give nothing")
  func shares() {
    let groups = GroupAttribution(rows: 2, outputs: 1, groups: [[[0, 1], [1], []], [[2], [0, 2], [1]]], scores: [2, 3, 5, 4, 6, -1], base: [0.5, 0])
    let shares = groups.featureShares(features: 3)
    #expect(shares.scores(row: 0) == [1, 4, 0])
    #expect(shares.scores(row: 1) == [3, -1, 7])
    #expect(shares.base == [0.5, 0] && shares.total(row: 1, output: 0) == 9)
  }

  @Test("the explained output is the arg-max of base + Σφ for several outputs, 0 for one")
  func explainedOutput() {
    let a = FeatureAttribution(rows: 2, outputs: 3, features: 2, values: [1, 1, 0, 0, 3, 0, 0, 0, 0, 0, 0, 5], base: [0, 1, 0, 0, 0, 0], method: "t")
    #expect(a.total(row: 0, output: 0) == 2 && a.total(row: 0, output: 1) == 1 && a.total(row: 0, output: 2) == 3)
    #expect(a.explainedOutput(row: 0) == 2 && a.explainedOutput(row: 1) == 2)
    let single = FeatureAttribution(rows: 1, outputs: 1, features: 2, values: [-1, -2], base: [0], method: "t")
    #expect(single.explainedOutput(row: 0) == 0)
  }
}
