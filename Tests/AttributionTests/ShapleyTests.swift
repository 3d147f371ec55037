// Exact Shapley values and Kernel SHAP: closed forms for linear models, agreement of the two
// when the budget enumerates every coalition, convergence with the budget, and bad input.

import Attribution
import Foundation
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("Shapley values: exact enumeration and Kernel SHAP")
struct ShapleyTests {
  @Test("linear model, interventional background: φᵢ = wᵢ·(xᵢ − mean_bg xᵢ), exactly and by Kernel SHAP")
  func linearClosedForm() async {
    await propertyCheck(count: 25, input: Gen.int(in: 2...7), Gen.int(in: 1...12), Gen.uint64()) { d, b, seed in
      var rng = RandomGenerator(seed: seed)
      let w = TestModels.uniform(d, &rng, -3, 3)
      let model = ExplainerFixtures.linear(weights: w, bias: 0.7)
      let background = TestModels.uniform(b * d, &rng, -2, 2)
      let x = TestModels.uniform(3 * d, &rng, -2, 2)
      let exact = try ExactShapley(background: background).explain(model, rows: x)
      let kernel = try KernelSHAP(background: background, budget: 64, seed: seed).explain(model, rows: x)
      for r in 0..<3 {
        for i in 0..<d {
          let mean = (0..<b).reduce(0.0) { $0 + Double(background[$1 * d + i]) } / Double(b)
          let expected = Double(w[i]) * (Double(x[r * d + i]) - mean)
          #expect(Swift.abs(exact[r, 0, i] - expected) < 1e-4, "exact φ[\(r),\(i)] = \(exact[r, 0, i]), expected \(expected)")
          #expect(Swift.abs(kernel[r, 0, i] - expected) < 1e-4, "kernel φ[\(r),\(i)] = \(kernel[r, 0, i]), expected \(expected)")
        }
      }
    }
  }

  @Test("Kernel SHAP with a budget that enumerates every coalition equals exact Shapley to 1e-6")
  func kernelEqualsExactWhenEnumerating() async {
    await propertyCheck(count: 25, input: Gen.int(in: 2...9), Gen.int(in: 1...3), Gen.uint64()) { d, outputs, seed in
      var rng = RandomGenerator(seed: seed)
      let model = ExplainerFixtures.network(features: d, outputs: outputs, seed: seed &+ 1)
      let background = TestModels.uniform(5 * d, &rng)
      let x = TestModels.uniform(2 * d, &rng)
      let exact = try ExactShapley(background: background).explain(model, rows: x)
      let kernel = try KernelSHAP(background: background, budget: 1 << d, seed: seed).explain(model, rows: x)
      #expect(ExplainerFixtures.maxDifference(exact, kernel) < 1e-6, "d = \(d): max |kernel − exact| = \(ExplainerFixtures.maxDifference(exact, kernel))")
      #expect(exact.base == kernel.base)
    }
  }

  @Test("sampled Kernel SHAP: the error against exact Shapley shrinks as the budget grows")
  func kernelErrorShrinksWithBudget() async {
    await propertyCheck(count: 8, input: Gen.int(in: 12...14), Gen.uint64()) { d, seed in
      var rng = RandomGenerator(seed: seed)
      let model = ExplainerFixtures.network(features: d, hidden: 12, seed: seed &+ 1)
      let background = TestModels.uniform(4 * d, &rng)
      let x = TestModels.uniform(4 * d, &rng)
      let exact = try ExactShapley(background: background).explain(model, rows: x)
      func meanSquaredError(_ budget: Int) throws -> Double {
        // Average over seeds so the comparison is about the budget, not one draw.
        var total = 0.0
        for s in 0..<4 {
          let phi = try KernelSHAP(background: background, budget: budget, seed: seed &+ UInt64(s)).explain(model, rows: x)
          total += zip(phi.values, exact.values).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(phi.values.count)
        }
        return total / 4
      }
      let small = try meanSquaredError(2 * d + 2)
      let medium = try meanSquaredError(400)
      let large = try meanSquaredError(3000)
      #expect(medium < small, "d = \(d): MSE \(small) at budget \(2 * d + 2), \(medium) at 400")
      #expect(large < medium, "d = \(d): MSE \(medium) at budget 400, \(large) at 3000")
    }
  }

  @Test("efficiency: Σφ = f(x) − E f(background) for exact Shapley and Kernel SHAP (sampled)")
  func efficiency() async {
    await propertyCheck(count: 20, input: Gen.int(in: 2...20), Gen.uint64()) { d, seed in
      var rng = RandomGenerator(seed: seed)
      let model = ExplainerFixtures.network(features: d, outputs: 2, seed: seed &+ 1)
      let background = TestModels.uniform(6 * d, &rng)
      let x = TestModels.uniform(2 * d, &rng)
      let fx = try model.evaluate(x, count: 2)
      let fb = try model.evaluate(background, count: 6)
      var explainers = [try KernelSHAP(background: background, budget: 3 * d, seed: seed).explain(model, rows: x)]
      if d <= 10 { explainers.append(try ExactShapley(background: background).explain(model, rows: x)) }
      for phi in explainers {
        for r in 0..<2 {
          for o in 0..<2 {
            let mean = (0..<6).reduce(0.0) { $0 + Double(fb[$1 * 2 + o]) } / 6
            let total = phi.scores(row: r, output: o).reduce(0, +)
            #expect(Swift.abs(total - (Double(fx[r * 2 + o]) - mean)) < 1e-5, "\(phi.method): Σφ = \(total), f(x) − E f = \(Double(fx[r * 2 + o]) - mean)")
            #expect(Swift.abs(phi.base![r * 2 + o] - mean) < 1e-6)
          }
        }
      }
    }
  }

  @Test("features equal to every background row get φ = 0 and the rest still add up")
  func nonVaryingFeatures() throws {
    let model = ExplainerFixtures.network(features: 5, seed: 3)
    // Feature 1 and 3 are 0.5 in the background and in x.
    let background: [Float] = [0.1, 0.5, -0.3, 0.5, 0.9, -0.7, 0.5, 0.2, 0.5, 0.4]
    let x: [Float] = [0.8, 0.5, -0.6, 0.5, 0.0]
    let phi = try KernelSHAP(background: background, budget: 20).explain(model, rows: x)
    let exact = try ExactShapley(background: background).explain(model, rows: x)
    #expect(phi[0, 0, 1] == 0 && phi[0, 0, 3] == 0)
    #expect(ExplainerFixtures.maxDifference(phi, exact) < 1e-6)
  }

  @Test("a caller-supplied value function: v(S) = |S|² gives φᵢ = d (symmetry and efficiency)")
  func customValueFunction() throws {
    let d = 6
    let game = ClosureValueFunction(features: d, outputs: 1) { _, masks, count in
      (0..<count).map { k in
        let size = (0..<d).reduce(0) { $0 + Int(masks[k * d + $1]) }
        return Double(size * size)
      }
    }
    let phi = try ExactShapley.explain(game, rows: [Float](repeating: 0, count: d))
    for i in 0..<d { #expect(Swift.abs(phi[0, 0, i] - Double(d)) < 1e-12) }
    #expect(phi.base == [0])
  }

  @Test("bad input: wrong width, empty background, budget below d + 1, too many features")
  func badInput() throws {
    let model = ExplainerFixtures.linear(weights: [1, 2, 3])
    let background: [Float] = [0, 0, 0, 1, 1, 1]
    #expect(throws: AttributionError.wrongWidth(expected: 3, got: 2)) {
      try KernelSHAP(background: background).explain(model, rows: [[1, 2]])
    }
    #expect(throws: AttributionError.emptyBackground) {
      try KernelSHAP(background: []).explain(model, rows: [1, 2, 3])
    }
    #expect(throws: AttributionError.emptyBackground) {
      try ExactShapley(background: []).explain(model, rows: [1, 2, 3])
    }
    #expect(throws: AttributionError.budgetTooSmall(budget: 3, minimum: 4)) {
      try KernelSHAP(background: background, budget: 3).explain(model, rows: [1, 2, 3])
    }
    let wide = ExplainerFixtures.linear(weights: [Float](repeating: 1, count: 17))
    #expect(throws: AttributionError.tooManyFeatures(features: 17, maximum: 16, method: "exact Shapley")) {
      try ExactShapley(background: [Float](repeating: 0, count: 17)).explain(wide, rows: [Float](repeating: 1, count: 17))
    }
    let message = AttributionError.budgetTooSmall(budget: 3, minimum: 4).description
    #expect(message.contains("d + 1 = 4"))
  }
}
