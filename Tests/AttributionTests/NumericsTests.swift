// The small numerical kernels behind the explainers, on hand-computed cases.

@testable import Attribution
import Tensor
import Testing

@Suite("Numerics: weighted ridge, quartiles, symmetric solver")
struct NumericsTests {
  /// x = (0, 1, 2), weights (1, 1, 2), α = 1, intercept unpenalised (scikit-learn's Ridge with
  /// sample_weight). Weighted means x̄ = 5/4; centred x (−5, −1, 3)/4, Σw x̃² = 11/4.
  /// y₁ = (1, 2, 4): ȳ = 11/4, Σw x̃ỹ = 17/4, β = (17/4)/(11/4 + 1) = 17/15, b = 11/4 − 5/4·17/15 = 4/3.
  /// y₂ = (0, 1, 0): ȳ = 1/4, Σw x̃ỹ = −1/4, β = −1/15, b = 1/4 + 5/4·1/15 = 1/3.
  @Test("WeightedRidge matches a hand-computed weighted ridge, two targets")
  func weightedRidgeHandCase() {
    let fit = WeightedRidge.fit(x: [0, 1, 2], y: [1, 0, 2, 1, 4, 0], weights: [1, 1, 2], samples: 3, features: 1, targets: 2, alpha: 1)
    #expect(Swift.abs(fit.coefficients[0] - 17.0 / 15) < 1e-14)
    #expect(Swift.abs(fit.coefficients[1] - -1.0 / 15) < 1e-14)
    #expect(Swift.abs(fit.intercepts[0] - 4.0 / 3) < 1e-14)
    #expect(Swift.abs(fit.intercepts[1] - 1.0 / 3) < 1e-14)
  }

  /// numpy.percentile([0, 1, 5, 6], [25, 50, 75]) = [0.75, 3.0, 5.25] (linear, position q·(n−1));
  /// numpy.percentile([1, 2, 3, 4, 10], …) = [2, 3, 4]; [1, 1, 1, 1, 2] gives [1, 1, 1], one edge.
  @Test("QuartileDiscretizer: numpy's percentiles, bins #{edges < v}, frequencies, bounds")
  func quartilesHandCase() {
    #expect(QuartileDiscretizer.percentile([0, 1, 5, 6], 0.25) == 0.75)
    #expect(QuartileDiscretizer.percentile([0, 1, 5, 6], 0.5) == 3)
    #expect(QuartileDiscretizer.percentile([0, 1, 5, 6], 0.75) == 5.25)
    // Two features, rows (0, 1), (1, 2), (5, 3), (6, 4), (10, 10) — feature 0 is [0, 1, 5, 6, 10].
    let q = QuartileDiscretizer(training: [0, 1, 1, 2, 5, 3, 6, 4, 10, 10], rows: 5, features: 2)
    #expect(q.features[0].edges == [1, 5, 6])
    #expect(q.features[1].edges == [2, 3, 4])
    #expect(q.features[1].frequencies == [0.4, 0.2, 0.2, 0.2])
    #expect(q.features[1].lower == [1, 2, 3, 4])
    #expect(q.features[1].upper == [2, 3, 4, 10])
    #expect(q.features[1].means == [1.5, 3, 4, 10])
    #expect(QuartileDiscretizer.bin(2, edges: [2, 3, 4]) == 0)
    #expect(QuartileDiscretizer.bin(2.5, edges: [2, 3, 4]) == 1)
    #expect(QuartileDiscretizer.bin(11, edges: [2, 3, 4]) == 3)
    let ties = QuartileDiscretizer(training: [1, 1, 1, 1, 2], rows: 5, features: 1)
    #expect(ties.features[0].edges == [1])
    #expect(ties.features[0].frequencies == [0.8, 0.2])
  }

  /// A singular matrix at the scale 1e-20: the minimum-norm solution of [[1, 1], [1, 1]]·x =
  /// (2, 2) is (1, 1) whatever the common scale. An absolute convergence test would stop before
  /// the first rotation (off-diagonal² = 1e-40) and return (2, 2).
  @Test("the Jacobi fallback converges relative to the matrix's scale")
  func pseudoInverseScaleInvariant() {
    for scale in [1e-20, 1.0, 1e20] {
      let x = SymmetricSolver.solve([scale, scale, scale, scale], [2 * scale, 2 * scale], n: 2, columns: 1)
      #expect(Swift.abs(x[0] - 1) < 1e-12 && Swift.abs(x[1] - 1) < 1e-12, "scale \(scale): \(x)")
    }
  }

  @Test("one Cholesky for both uses: several right-hand sides, relative pivot tolerance")
  func cholesky() throws {
    let l = try Cholesky(n: 2, matrix: [4, 2, 2, 3])
    // Σ·X = B with X = [[1, 0], [0, 1]] ⇒ B = Σ.
    let x = l.solve([4, 2, 2, 3], columns: 2)
    for (a, b) in zip(x, [1.0, 0, 0, 1]) { #expect(Swift.abs(a - b) < 1e-14) }
    #expect(throws: AttributionError.self) { try Cholesky(n: 2, matrix: [1, 1, 1, 1 + 1e-14], relativeTolerance: 1e-12) }
    #expect(throws: Never.self) { try Cholesky(n: 2, matrix: [1, 1, 1, 1 + 1e-14]) }
  }

  @Test("binomial coefficients and k-subsets")
  func combinatorics() {
    #expect(binomial(6, 2) == 15 && binomial(30, 15) == 155_117_520 && binomial(3, 4) == 0)
    var subsets: [[Int]] = []
    forEachCombination(4, 2) { subsets.append($0) }
    #expect(subsets == [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]])
  }
}
