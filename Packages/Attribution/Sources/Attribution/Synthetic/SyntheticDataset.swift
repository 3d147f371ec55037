import Foundation
import Tensor

/// A synthetic regression dataset with known ground truth, as XAI-Bench defines it: features
/// x ~ N(0, Σ), Σ = I + ρ(11ᵀ − I), target y = (g(x) + ε − m)/s with ε ~ N(0, noise²) and
/// g one of ``SyntheticTarget``; m and s standardise the target.
///
/// Standardisation: XAI-Bench standardises every generated batch by its own mean and standard
/// deviation, so its 100 validation targets are scaled by their own statistics. Here m and s
/// are the mean and (population) standard deviation of the *training* targets, and the
/// validation targets use the same m and s, so both splits and ``standardisedTarget(_:)`` are on
/// the scale the model learned.
///
///     let data = try SyntheticDataset(kind: .gaussianLinear, rho: 0.5)
///     var rng = RandomGenerator(seed: 0)
///     let sample = data.generate(train: 1000, validation: 100, rng: &rng)
public struct SyntheticDataset: Sendable {
  /// XAI-Bench's names for the three Gaussian regression datasets.
  public enum Kind: String, CaseIterable, Sendable, Codable {
    case gaussianLinear, gaussianNonLinearAdditive, gaussianPiecewiseConstant
  }

  public let kind: Kind
  public let rho: Double
  public let noise: Double
  public let distribution: MultivariateGaussian
  public let target: SyntheticTarget

  public var dimension: Int { distribution.dimension }

  /// - Parameters:
  ///   - weights: the linear dataset's weights (default (4, 3, 2, 1, 0, 0, …)); ignored by the others.
  public init(kind: Kind, rho: Double, dimension: Int = 5, noise: Double = 0.01, weights: [Double]? = nil) throws {
    guard noise >= 0, noise.isFinite else {
      throw AttributionError.invalidArgument("the target noise must be a finite standard deviation ≥ 0; got \(noise)")
    }
    switch kind {
    case .gaussianLinear:
      let w = weights ?? (0..<dimension).map { Double(Swift.max(4 - $0, 0)) }
      guard w.count == dimension else {
        throw AttributionError.invalidArgument("gaussianLinear needs one weight per feature: \(dimension) weights, got \(w.count)")
      }
      target = .linear(weights: w)
    case .gaussianNonLinearAdditive: target = .nonLinearAdditive
    case .gaussianPiecewiseConstant: target = .piecewiseConstant
    }
    guard dimension >= target.minimumDimension else {
      throw AttributionError.invalidArgument("\(kind.rawValue) uses \(target.minimumDimension) features; pass a dimension ≥ \(target.minimumDimension), got \(dimension)")
    }
    self.kind = kind
    self.rho = rho
    self.noise = noise
    self.distribution = try .equicorrelated(dimension: dimension, rho: rho)
  }

  /// Training and validation rows drawn independently, targets standardised with the training
  /// statistics. Draws come from `rng` in this order: training features, training noise,
  /// validation features, validation noise.
  public func generate(train: Int = 1000, validation: Int = 100, rng: inout RandomGenerator) -> SyntheticSample {
    precondition(train >= 2 && validation >= 0, "SyntheticDataset.generate: needs at least two training rows")
    let d = dimension
    func draw(_ n: Int) -> (x: [Double], g: [Double]) {
      let x = distribution.sample(n, rng: &rng)
      let g = (0..<n).map { target.value(x[($0 * d)..<(($0 + 1) * d)]) + noise * Double(rng.nextNormal()) }
      return (x, g)
    }
    let t = draw(train)
    let v = draw(validation)
    let mean = t.g.reduce(0, +) / Double(train)
    let variance = t.g.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(train)
    let scale = variance > 0 ? variance.squareRoot() : 1
    return SyntheticSample(
      dataset: self, features: d, xTrain: t.x, yTrain: t.g.map { ($0 - mean) / scale },
      xValidation: v.x, yValidation: v.g.map { ($0 - mean) / scale }, targetMean: mean, targetScale: scale)
  }
}

/// Rows drawn from a ``SyntheticDataset``: features row-major, standardised targets.
public struct SyntheticSample: Sendable {
  public let dataset: SyntheticDataset
  public let features: Int
  public let xTrain: [Double]
  public let yTrain: [Double]
  public let xValidation: [Double]
  public let yValidation: [Double]
  /// m and s of y = (g(x) + ε − m)/s.
  public let targetMean: Double
  public let targetScale: Double

  public var trainCount: Int { yTrain.count }
  public var validationCount: Int { yValidation.count }

  /// The noiseless standardised target (g(x) − m)/s of one row.
  public func standardisedTarget(_ x: ArraySlice<Double>) -> Double {
    (dataset.target.value(x) - targetMean) / targetScale
  }
}
