import Foundation
import Tensor
import Testing

@testable import Attribution

/// The Cholesky factor and the conditional Gaussian against closed forms.
@Suite struct SyntheticGaussianTests {
  /// Σ = [[4, 2], [2, 3]]: L = [[2, 0], [1, √2]]; Σ⁻¹·(2, 1) = (1/2, 0)·… solved by hand:
  /// det Σ = 8, Σ⁻¹ = [[3, −2], [−2, 4]]/8, so Σ⁻¹·(2, 1) = (4/8, 0/8) = (0.5, 0).
  @Test func choleskyHandCase() throws {
    let l = try Cholesky(n: 2, matrix: [4, 2, 2, 3])
    #expect(l.factor[0] == 2 && l.factor[1] == 0 && l.factor[2] == 1)
    #expect(Swift.abs(l.factor[3] - 2.0.squareRoot()) < 1e-15)
    let x = l.solve([2, 1])
    #expect(Swift.abs(x[0] - 0.5) < 1e-15 && Swift.abs(x[1]) < 1e-15)
    #expect(throws: AttributionError.self) { try Cholesky(n: 2, matrix: [1, 2, 2, 1]) }
  }

  @Test func equicorrelatedRejectsInvalidRho() {
    #expect(throws: AttributionError.self) { try MultivariateGaussian.equicorrelated(dimension: 5, rho: 1) }
    #expect(throws: AttributionError.self) { try MultivariateGaussian.equicorrelated(dimension: 5, rho: -0.25) }
    #expect((try? MultivariateGaussian.equicorrelated(dimension: 5, rho: 0.99)) != nil)
  }

  /// Equicorrelated Σ, d = 3, ρ = ½. Given x₀ = a: E[x₁|a] = E[x₂|a] = ρa, Var = 1 − ρ² = ¾,
  /// Cov(x₁, x₂ | a) = ρ − ρ² = ¼. Given (x₀, x₁): E[x₂] = ρ/(1+ρ)·(x₀ + x₁) = (x₀ + x₁)/3,
  /// Var = 1 − 2ρ²/(1+ρ) = ⅔.
  @Test func conditionalMomentsAreAnalytic() throws {
    let g = try MultivariateGaussian.equicorrelated(dimension: 3, rho: 0.5)
    let one = try g.conditioner(fixing: [0])
    #expect(one.free == [1, 2])
    #expect(zip(one.regression, [0.5, 0.5]).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
    #expect(zip(one.covariance, [0.75, 0.25, 0.25, 0.75]).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
    #expect(zip(one.conditionalMean([2, 9, 9]), [2, 1, 1]).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
    let two = try g.conditioner(fixing: [1, 0])
    #expect(two.fixed == [0, 1] && two.free == [2])
    #expect(Swift.abs(two.covariance[0] - 2.0 / 3.0) < 1e-12)
    #expect(Swift.abs(two.conditionalMean([1, 2, 0])[2] - 1) < 1e-12)
    let none = try g.conditioner(fixing: [])
    #expect(none.covariance == g.covariance)
    let all = try g.conditioner(fixing: [0, 1, 2])
    var rng = RandomGenerator(seed: 1)
    #expect(all.sample(given: [0.3, -1, 2], count: 2, rng: &rng) == [0.3, -1, 2, 0.3, -1, 2])
  }

  /// 200,000 draws of (x₁, x₂) | x₀ = 1.2 at ρ = 0.75 (d = 3): empirical mean and covariance
  /// match ρ·1.2 = 0.9, Var = 1 − ρ² = 0.4375, Cov = ρ − ρ² = 0.1875 within a few standard errors,
  /// and x₀ stays fixed.
  @Test func conditionalSamplesMatchAnalyticMoments() throws {
    let g = try MultivariateGaussian.equicorrelated(dimension: 3, rho: 0.75)
    let c = try g.conditioner(fixing: [0])
    var rng = RandomGenerator(seed: 7)
    let n = 200_000
    let x = c.sample(given: [1.2, 0, 0], count: n, rng: &rng)
    var mean = [0.0, 0.0]
    for k in 0..<n {
      #expect(x[3 * k] == 1.2)
      mean[0] += x[3 * k + 1] / Double(n)
      mean[1] += x[3 * k + 2] / Double(n)
    }
    var cov = [0.0, 0.0, 0.0]
    for k in 0..<n {
      let a = x[3 * k + 1] - mean[0]
      let b = x[3 * k + 2] - mean[1]
      cov[0] += a * a / Double(n)
      cov[1] += a * b / Double(n)
      cov[2] += b * b / Double(n)
    }
    #expect(Swift.abs(mean[0] - 0.9) < 0.006 && Swift.abs(mean[1] - 0.9) < 0.006)
    #expect(Swift.abs(cov[0] - 0.4375) < 0.006 && Swift.abs(cov[2] - 0.4375) < 0.006)
    #expect(Swift.abs(cov[1] - 0.1875) < 0.006)
  }

  /// Unconditional draws at ρ = 0.5, d = 5: every variance ≈ 1, every covariance ≈ ρ.
  @Test func unconditionalSamplesHaveEquicorrelatedCovariance() throws {
    let g = try MultivariateGaussian.equicorrelated(dimension: 5, rho: 0.5)
    var rng = RandomGenerator(seed: 3)
    let n = 100_000
    let x = g.sample(n, rng: &rng)
    for (i, j) in [(0, 0), (4, 4), (0, 1), (2, 4)] {
      let c = (0..<n).reduce(0.0) { $0 + x[5 * $1 + i] * x[5 * $1 + j] } / Double(n)
      #expect(Swift.abs(c - (i == j ? 1 : 0.5)) < 0.015, "Σ[\(i), \(j)] ≈ \(c)")
    }
  }
}
