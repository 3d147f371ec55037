// The coalitions and weights Kernel SHAP evaluates, against shap's KernelExplainer algorithm,
// the budget limits, and the per-row random streams.

@testable import Attribution
import Tensor
import Testing
import TestSupport

@Suite("Kernel SHAP design and budget")
struct KernelSHAPDesignTests {
  /// Coalition count min(budget, 2^M − 2) and total weight 1 (the kernel mass of every size),
  /// for budgets that enumerate everything and budgets that sample.
  @Test("count = min(budget, 2^M − 2) and Σ weights = 1")
  func countAndTotalWeight() {
    for m in 2...9 {
      let all = (1 << m) - 2
      for budget in [m + 1, 2 * m, all / 2, all - 1, all, all + 10, 2 * m + 2048] {
        var rng = RandomGenerator(seed: UInt64(m * 1000 + budget))
        let design = KernelSHAPDesign(players: m, budget: budget, rng: &rng)
        // Near 2^M − 2 shap's sampler (at most 4 draws per missing coalition) may stop short;
        // only budgets it can fill, or full enumeration, are asserted exactly.
        if budget >= all || budget <= all / 2 {
          #expect(design.count == min(budget, all), "M = \(m), budget \(budget): \(design.count) coalitions")
        } else {
          #expect(design.count <= min(budget, all))
        }
        #expect(design.masks.count == design.count * m)
        #expect(Swift.abs(design.weights.reduce(0, +) - 1) < 1e-12, "M = \(m), budget \(budget): Σw = \(design.weights.reduce(0, +))")
        for k in 0..<design.count {
          let size = design.masks[(k * m)..<((k + 1) * m)].reduce(0) { $0 + Int($1) }
          #expect(size > 0 && size < m, "the empty and full coalitions are constraints, never rows")
        }
      }
    }
  }

  /// M = 6, budget 40, worked through shap's `KernelExplainer.explain` by hand:
  /// sizes 1…⌈5/2⌉ = 3, paired sizes ⌊5/2⌋ = 2; kernel (M−1)/(s(M−s)) = 1, 5/8, 5/9, doubled for
  /// the paired sizes 1 and 2: 2, 5/4, 5/9, total 137/36, normalised 72/137, 45/137, 20/137.
  /// Size 1 (12 coalitions with complements): 40·(72/137)/12 = 1.75 ≥ 1, enumerated, each
  /// coalition weight (72/137)/6/2 = 6/137; 28 left; remaining mass renormalised to
  /// (45/137, 20/137)/(65/137), size 2 needs 30 > 28·(45/65) — stop. The 28 sampled coalitions
  /// have sizes 2 (each followed by its size-4 complement) or 3 (unpaired), and their weights,
  /// draw counts, are rescaled to the mass left, 65/137.
  @Test("M = 6, budget 40: sizes and weights as shap computes them")
  func handCaseSixPlayers() {
    var rng = RandomGenerator(seed: 11)
    let design = KernelSHAPDesign(players: 6, budget: 40, rng: &rng)
    #expect(design.count == 40)
    let sizes = (0..<design.count).map { k in design.masks[(k * 6)..<((k + 1) * 6)].reduce(0) { $0 + Int($1) } }
    // Enumerated part: {0}, ¬{0}, {1}, ¬{1}, … in itertools.combinations order.
    for i in 0..<6 {
      var single = [UInt8](repeating: 0, count: 6)
      single[i] = 1
      #expect(Array(design.masks[(2 * i * 6)..<((2 * i + 1) * 6)]) == single)
      #expect(Array(design.masks[((2 * i + 1) * 6)..<((2 * i + 2) * 6)]) == single.map { 1 - $0 })
      #expect(Swift.abs(design.weights[2 * i] - 6.0 / 137) < 1e-15)
      #expect(Swift.abs(design.weights[2 * i + 1] - 6.0 / 137) < 1e-15)
    }
    // Sampled part.
    var k = 12
    while k < design.count {
      #expect([2, 3].contains(sizes[k]), "a sampled coalition of size \(sizes[k])")
      if sizes[k] == 2 {
        #expect(k + 1 < design.count && sizes[k + 1] == 4)
        let complement = design.masks[(k * 6)..<((k + 1) * 6)].map { 1 - $0 }
        #expect(Array(design.masks[((k + 1) * 6)..<((k + 2) * 6)]) == complement)
        k += 2
      } else {
        k += 1
      }
    }
    let sampled = design.weights[12...].reduce(0, +)
    #expect(Swift.abs(sampled - 65.0 / 137) < 1e-14)
    // Every sampled weight is a whole number of draws times one common scale.
    let unit = design.weights[12...].min()!
    for w in design.weights[12...] { #expect(Swift.abs((w / unit).rounded() - w / unit) < 1e-9) }
  }

  @Test("a budget above 2^24 is rejected with a clear error, not an allocation failure")
  func hugeBudget() throws {
    let model = ExplainerFixtures.linear(weights: [Float](repeating: 1, count: 40))
    let background = [Float](repeating: 0, count: 40)
    let x = [Float](repeating: 1, count: 40)
    #expect(throws: AttributionError.budgetTooLarge(budget: Int.max, maximum: 1 << 24)) {
      try KernelSHAP(background: background, budget: Int.max).explain(model, rows: x)
    }
    #expect(AttributionError.budgetTooLarge(budget: Int.max, maximum: 1 << 24).description.contains("at most 16777216"))
    #expect(AttributionError.budgetTooSmall(budget: 3, minimum: 4).description.contains("budget of 3 coalitions"))
  }

  /// A row explained alone or inside a batch gets the same φ when its identity is passed, for
  /// Kernel SHAP (sampling: d = 12, budget 60) and LIME.
  @Test("rowIDs key the random streams: same φ alone or in a batch")
  func rowIdentities() throws {
    let d = 12
    // A model with interactions, so sampled coalitions change φ: Σⱼ xⱼ·x_{j+1 mod d}·(j + 1).
    let model = ClosureModel(features: d, outputs: 1) { rows, n in
      (0..<n).map { r -> Float in
        var total: Float = 0
        for j in 0..<d { total += Float(j + 1) * rows[r * d + j] * rows[r * d + (j + 1) % d] }
        return total
      }
    }
    var rng = RandomGenerator(seed: 3)
    let background = TestModels.uniform(8 * d, &rng)
    let x = TestModels.uniform(2 * d, &rng)
    let second = Array(x[d...])
    let kernel = KernelSHAP(background: background, budget: 60, seed: 5)
    let pair = try kernel.explain(model, rows: x, rowIDs: [1, 7])
    let alone = try kernel.explain(model, rows: second, rowIDs: [7])
    #expect(Array(pair.scores(row: 1)) == Array(alone.scores(row: 0)))
    // Without identities the stream is the index in the call, so the two differ.
    let byIndex = try kernel.explain(model, rows: second)
    #expect(Array(byIndex.scores(row: 0)) != Array(pair.scores(row: 1)))
    let lime = try LIME(training: background, features: d, samples: 200, seed: 5)
    #expect(Array(try lime.explain(model, rows: x, rowIDs: [1, 7]).scores(row: 1)) == Array(try lime.explain(model, rows: second, rowIDs: [7]).scores(row: 0)))
    #expect(throws: AttributionError.self) { try kernel.explain(model, rows: x, rowIDs: [7]) }
  }
}
