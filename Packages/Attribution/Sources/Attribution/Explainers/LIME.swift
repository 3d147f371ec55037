import Foundation
import Tensor
import Models

/// LIME for tabular data (Ribeiro, Singh & Guestrin 2016) as the `lime` package's
/// `LimeTabularExplainer` does it (lime 0.2, `lime_tabular.py`, `lime_base.py`):
///
/// - `.quartiles` (lime's default, `discretize_continuous=True`): every feature is replaced by
///   the indicator zⱼ = [sample's quartile bin = x's bin]; a sample draws each feature's bin
///   by training frequency and a value inside it (``QuartileDiscretizer``); the first sample is
///   x itself (z = 1). The explanation is the coefficient of each indicator.
/// - `.continuous(aroundInstance:)`: samples s = μ + σ·ε (or x + σ·ε), ε ~ N(0, I), with the
///   training mean μ and standard deviation σ; the regression runs on the standardised
///   samples zⱼ = (sⱼ − μⱼ)/σⱼ, so coefficients are per standard deviation.
/// - weights πₖ = √(exp(−Dₖ²/w²)) with Dₖ the Euclidean distance of zₖ to z₀ and the kernel
///   width w = 0.75·√d; then the weighted ridge fit min Σₖ πₖ(f(sₖ) − b − zₖ·β)² + α‖β‖², α = 1
///   (scikit-learn's `Ridge(alpha=1)`), for every model output; φ = β, `base` = b.
///
/// 5,000 samples by default. Every feature is kept (lime's `feature_selection="none"`; its
/// default keeps the 10 highest-weighted features). Draws come from the seeded xoshiro
/// generator, one stream per row identity (``explain(_:rows:rowIDs:)``). Not efficient: Σφ is the local model's prediction at x
/// minus its intercept, not f(x) − E f.
public struct LIME {
  public enum Sampling: Equatable, Sendable {
    case quartiles
    case continuous(aroundInstance: Bool)
  }

  /// Fixed at creation: the training statistics (the quartile discretizer) depend on it.
  public private(set) var sampling: Sampling
  /// Samples per explained row (≥ 2), fixed at creation.
  public private(set) var samples: Int
  /// nil means 0.75·√d; must be positive and finite.
  public var kernelWidth: Double?
  /// The ridge penalty α ≥ 0.
  public var alpha: Double
  public var seed: UInt64
  private let d: Int
  private let discretizer: QuartileDiscretizer?
  private let mean: [Double]
  private let scale: [Double]

  /// Statistics (means, standard deviations, quartiles, bin frequencies) come from
  /// `training` (row-major, `features` values per row).
  public init(training: [Float], features: Int, sampling: Sampling = .quartiles, samples: Int = 5000,
              kernelWidth: Double? = nil, alpha: Double = 1, seed: UInt64 = 0) throws {
    guard !training.isEmpty else { throw AttributionError.emptyBackground }
    let n = try RowInput.count(training, features: features, what: "training rows")
    guard samples >= 2 else { throw AttributionError.invalidArgument("LIME needs at least 2 samples per row, got \(samples)") }
    self.d = features
    self.sampling = sampling
    self.samples = samples
    self.kernelWidth = kernelWidth
    self.alpha = alpha
    self.seed = seed
    discretizer = sampling == .quartiles ? QuartileDiscretizer(training: training, rows: n, features: features) : nil
    var mean = [Double](repeating: 0, count: features)
    var square = [Double](repeating: 0, count: features)
    for r in 0..<n {
      for j in 0..<features {
        let v = Double(training[r * features + j])
        mean[j] += v
        square[j] += v * v
      }
    }
    self.mean = mean.map { $0 / Double(n) }
    self.scale = (0..<features).map { j in
      let variance = max(square[j] / Double(n) - (mean[j] / Double(n)) * (mean[j] / Double(n)), 0)
      return variance > 0 ? variance.squareRoot() : 1
    }
  }

  public func explain(_ model: any ExplainableModel, rows: [[Float]], rowIDs: [Int]? = nil) throws -> FeatureAttribution {
    try explain(model, rows: RowInput.flatten(rows, features: model.features), rowIDs: rowIDs)
  }

  /// φ for every row of `rows` (row-major) and every output. Row r draws its neighbourhood
  /// from the random stream `rowIDs[r]` of `seed` (by default r, its index in this call); pass
  /// stable identities so that a row gets the same φ alone or in a batch.
  public func explain(_ model: any ExplainableModel, rows: [Float], rowIDs: [Int]? = nil) throws -> FeatureAttribution {
    guard model.features == d else { throw AttributionError.wrongWidth(expected: model.features, got: d) }
    if let kernelWidth, !(kernelWidth > 0 && kernelWidth.isFinite) {
      throw AttributionError.invalidArgument("LIME's kernel width must be positive and finite, got \(kernelWidth)")
    }
    guard alpha >= 0 && alpha.isFinite else { throw AttributionError.invalidArgument("LIME's ridge penalty α must be ≥ 0 and finite, got \(alpha)") }
    let c = model.outputs
    let n = try RowInput.count(rows, features: d)
    let ids = try RowInput.identities(rowIDs, rows: n)
    let width = kernelWidth ?? 0.75 * Double(d).squareRoot()
    var values = [Double](repeating: 0, count: n * c * d)
    var base = [Double](repeating: 0, count: n * c)
    let root = RandomGenerator(seed: seed)
    var inverse = [Float](repeating: 0, count: samples * d)
    var z = [Double](repeating: 0, count: samples * d)
    for r in 0..<n {
      var rng = root.stream(UInt64(bitPattern: Int64(ids[r])))
      let x = Array(rows[(r * d)..<((r + 1) * d)])
      neighbourhood(x, inverse: &inverse, z: &z, rng: &rng)
      var weights = [Double](repeating: 0, count: samples)
      for k in 0..<samples {
        var squared = 0.0
        for j in 0..<d {
          let diff = z[k * d + j] - z[j]
          squared += diff * diff
        }
        weights[k] = exp(-squared / (width * width)).squareRoot()
      }
      let out = try RowInput.evaluate(model, inverse, count: samples, what: "LIME's samples around row \(r) (batch row 0 is x)")
      let y = out.map(Double.init)
      let fit = WeightedRidge.fit(x: z, y: y, weights: weights, samples: samples, features: d, targets: c, alpha: alpha)
      for o in 0..<c {
        for j in 0..<d { values[(r * c + o) * d + j] = fit.coefficients[j * c + o] }
        base[r * c + o] = fit.intercepts[o]
      }
    }
    return FeatureAttribution(rows: n, outputs: c, features: d, values: values, base: base, method: "lime")
  }

  /// The perturbed rows given to the model (`inverse`) and their interpretable representation
  /// `z`; row 0 is x itself.
  private func neighbourhood(_ x: [Float], inverse: inout [Float], z: inout [Double], rng: inout RandomGenerator) {
    switch sampling {
    case .quartiles:
      let discretizer = discretizer!  // made at init for .quartiles; `sampling` cannot change after
      let own = (0..<d).map { QuartileDiscretizer.bin(Double(x[$0]), edges: discretizer.features[$0].edges) }
      for j in 0..<d {
        inverse[j] = x[j]
        z[j] = 1
      }
      for k in 1..<samples {
        for j in 0..<d {
          let b = discretizer.sampleBin(feature: j, rng: &rng)
          inverse[k * d + j] = Float(discretizer.sampleValue(feature: j, bin: b, rng: &rng))
          z[k * d + j] = b == own[j] ? 1 : 0
        }
      }
    case .continuous(let aroundInstance):
      for j in 0..<d {
        inverse[j] = x[j]
        z[j] = (Double(x[j]) - mean[j]) / scale[j]
      }
      for k in 1..<samples {
        for j in 0..<d {
          let centre = aroundInstance ? Double(x[j]) : mean[j]
          let s = centre + scale[j] * Double(rng.nextNormal())
          inverse[k * d + j] = Float(s)
          z[k * d + j] = (s - mean[j]) / scale[j]
        }
      }
    }
  }
}
