import Foundation
import Tensor

/// A multivariate normal distribution N(μ, Σ) over d features, in Double.
///
/// XAI-Bench (Liu et al., NeurIPS 2021 Datasets track) draws its synthetic features from
/// N(0, Σ) with the equicorrelated covariance Σ = I + ρ(11ᵀ − I) (``equicorrelated(dimension:rho:)``),
/// positive definite for −1/(d − 1) < ρ < 1. Conditional distributions given some coordinates
/// come from ``conditioner(fixing:)``.
///
///     let g = try MultivariateGaussian.equicorrelated(dimension: 5, rho: 0.5)
///     var rng = RandomGenerator(seed: 0)
///     let x = g.sample(1000, rng: &rng)      // 1000 × 5, row-major
public struct MultivariateGaussian: Sendable, Equatable {
  public let dimension: Int
  public let mean: [Double]
  /// Σ, d × d, row-major.
  public let covariance: [Double]
  /// The Cholesky factor of Σ.
  public let cholesky: Cholesky

  public init(mean: [Double], covariance: [Double]) throws {
    let d = mean.count
    guard d > 0, covariance.count == d * d else {
      throw AttributionError.invalidArgument("a Gaussian needs a mean of d ≥ 1 values and a d × d covariance; got \(mean.count) and \(covariance.count) values")
    }
    for i in 0..<d {
      for j in 0..<i where Swift.abs(covariance[i * d + j] - covariance[j * d + i]) > 1e-12 {
        throw AttributionError.invalidArgument("the covariance matrix is not symmetric: Σ[\(i), \(j)] = \(covariance[i * d + j]) but Σ[\(j), \(i)] = \(covariance[j * d + i])")
      }
    }
    self.dimension = d
    self.mean = mean
    self.covariance = covariance
    self.cholesky = try Cholesky(n: d, matrix: covariance)
  }

  /// N(0, Σ) with Σ = I + ρ(11ᵀ − I): unit variances, every pair of features correlated ρ.
  public static func equicorrelated(dimension d: Int, rho: Double) throws -> MultivariateGaussian {
    guard d >= 1, rho.isFinite, rho < 1, d == 1 || rho > -1 / Double(d - 1) else {
      throw AttributionError.invalidArgument("an equicorrelated Gaussian in d = \(d) dimensions needs −1/(d − 1) < ρ < 1; got ρ = \(rho)")
    }
    var sigma = [Double](repeating: rho, count: d * d)
    for i in 0..<d { sigma[i * d + i] = 1 }
    return try MultivariateGaussian(mean: [Double](repeating: 0, count: d), covariance: sigma)
  }

  /// `count` independent draws μ + L·z, z ~ N(0, I), as count × d values, row-major.
  public func sample(_ count: Int, rng: inout RandomGenerator) -> [Double] {
    var out = [Double]()
    out.reserveCapacity(count * dimension)
    var z = [Double](repeating: 0, count: dimension)
    for _ in 0..<count {
      for k in 0..<dimension { z[k] = Double(rng.nextNormal()) }
      let draw = cholesky.multiply(z)
      for k in 0..<dimension { out.append(mean[k] + draw[k]) }
    }
    return out
  }

  /// The conditional distribution of the other features given the features in `fixed`
  /// (any order, no repeats); see ``GaussianConditioner``.
  public func conditioner(fixing fixed: [Int]) throws -> GaussianConditioner {
    try GaussianConditioner(self, fixing: fixed)
  }
}
