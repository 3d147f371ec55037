import Foundation
import Tensor

/// The observational (conditional) value function of XAI-Bench's ground-truth Shapley values,
/// faithfulness and monotonicity, for features drawn from a known Gaussian:
///
///   v(S) = E[f(X) | X_S = x_S] ≈ (1/n) Σₖ f(x_S, X⁽ᵏ⁾_¬S),  X⁽ᵏ⁾_¬S ~ X_¬S | X_S = x_S
///
/// estimated with `samples` = n exact conditional Gaussian draws per coalition
/// (``GaussianConditioner``). The full coalition is f(x) itself (one evaluation). Two variance
/// reductions, neither of which biases the estimate:
///
/// - common random numbers: within one call every coalition reuses the same block of standard
///   normal draws, feature j always driven by zⱼ, so differences v(S ∪ {i}) − v(S) carry
///   less sampling noise than independent draws would give;
/// - antithetic pairs: draws come as z and −z (n rounded up to even), so the sample mean of
///   the draws is exactly the conditional mean and any part of f linear in x is averaged
///   without error.
///
/// XAI-Bench draws independently per coalition, 20,000 draws for ground-truth Shapley values and
/// 100 for faithfulness and monotonicity.
///
/// A ``CoalitionValueFunction``, so ``ExactShapley/explain(_:rows:)`` accepts it directly. It
/// holds a generator and advances it on every call: the same seed and the same sequence of
/// calls give the same values.
public final class ConditionalValueFunction: CoalitionValueFunction {
  public let model: any ExplainableModel
  public let distribution: MultivariateGaussian
  public let samples: Int
  private var rng: RandomGenerator
  private var conditioners: [Int: GaussianConditioner] = [:]

  public init(model: any ExplainableModel, distribution: MultivariateGaussian, samples: Int, rng: RandomGenerator) throws {
    guard model.features == distribution.dimension else {
      throw AttributionError.wrongWidth(expected: model.features, got: distribution.dimension)
    }
    guard samples >= 1 else {
      throw AttributionError.invalidArgument("conditional expectations need at least one sample per coalition; got \(samples)")
    }
    guard model.features <= 30 else {
      throw AttributionError.tooManyFeatures(features: model.features, maximum: 30, method: "the conditional value function")
    }
    self.model = model
    self.distribution = distribution
    self.samples = samples + samples % 2
    self.rng = rng
  }

  public var features: Int { model.features }
  public var outputs: Int { model.outputs }

  public func values(of x: [Float], masks: [UInt8], count: Int) throws -> [Double] {
    let d = features
    guard x.count == d else { throw AttributionError.wrongWidth(expected: d, got: x.count) }
    guard masks.count == count * d else {
      throw AttributionError.invalidArgument("values(of:masks:count:): \(masks.count) mask bytes for \(count) coalitions of \(d) features")
    }
    let row = x.map(Double.init)
    let half = (0..<(samples / 2 * d)).map { _ in Double(rng.nextNormal()) }
    let normals = half + half.map { -$0 }
    var batch = [Double]()
    var sizes = [Int]()
    for k in 0..<count {
      var key = 0
      for i in 0..<d where masks[k * d + i] != 0 { key |= 1 << i }
      if key == (1 << d) - 1 {
        batch.append(contentsOf: row)
        sizes.append(1)
        continue
      }
      try conditioner(key).sample(given: row[...], count: samples, normals: normals, into: &batch)
      sizes.append(samples)
    }
    let total = sizes.reduce(0, +)
    let y = try model.evaluate(batch.map(Float.init), count: total)
    let c = outputs
    var result = [Double](repeating: 0, count: count * c)
    var start = 0
    for k in 0..<count {
      for s in 0..<sizes[k] {
        for o in 0..<c { result[k * c + o] += Double(y[(start + s) * c + o]) }
      }
      for o in 0..<c { result[k * c + o] /= Double(sizes[k]) }
      start += sizes[k]
    }
    return result
  }

  private func conditioner(_ key: Int) throws -> GaussianConditioner {
    if let cached = conditioners[key] { return cached }
    let made = try distribution.conditioner(fixing: (0..<features).filter { key >> $0 & 1 == 1 })
    conditioners[key] = made
    return made
  }
}
