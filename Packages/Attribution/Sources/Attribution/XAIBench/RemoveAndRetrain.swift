import Foundation
import Tensor
import Models

/// ROAR, "remove and retrain" (Hooker et al., NeurIPS 2019), as XAI-Bench's
/// `custom_metrics/roar.py` computes it.
///
/// For each cutoff c in ``cutoffs`` (the ROAR paper's 0, 0.1, 0.3, 0.5, 0.7, 0.9), every row
/// loses its k = ⌊c·d⌋ features of largest |φ| (ties to the lower index): they are redrawn from
/// X_removed | X_kept = x_kept (one conditional Gaussian draw, ``GaussianConditioner``), the
/// rows are split in order into the first `trainFraction` (0.8) for training and the rest for
/// testing, a fresh model is trained, and its mean absolute test error is recorded. The score
/// is the trapezoidal area under the error-against-cutoff curve: higher is better, since
/// removing truly important features should hurt the retrained model most.
public enum RemoveAndRetrain {
  public static let cutoffs: [Double] = [0, 0.1, 0.3, 0.5, 0.7, 0.9]

  public struct Result: Sendable, Equatable {
    public var cutoffs: [Double]
    /// Mean absolute test error of the model retrained at each cutoff.
    public var losses: [Double]
    /// Σ (cₖ − cₖ₋₁)·(lossₖ + lossₖ₋₁)/2.
    public var area: Double
  }

  /// - Parameters:
  ///   - retrain: trains a new model on (xTrain, yTrain) and returns its predictions for xTest
  ///     (rows row-major, d values each).
  public static func evaluate(
    _ attribution: FeatureAttribution, rows x: [Double], targets y: [Double], distribution: MultivariateGaussian,
    cutoffs: [Double] = RemoveAndRetrain.cutoffs, trainFraction: Double = 0.8, output: Int = 0,
    rng: inout RandomGenerator,
    retrain: (_ xTrain: [Double], _ yTrain: [Double], _ xTest: [Double]) throws -> [Double]
  ) throws -> Result {
    let d = distribution.dimension
    let n = y.count
    guard attribution.features == d, x.count == n * d else { throw AttributionError.wrongWidth(expected: d, got: attribution.features) }
    guard attribution.rows == n else {
      throw AttributionError.invalidArgument("the attribution explains \(attribution.rows) rows but \(n) targets were passed; pass the same rows")
    }
    let split = Int(trainFraction * Double(n))
    guard split >= 1, split < n else {
      throw AttributionError.invalidArgument("a train fraction of \(trainFraction) leaves \(split) training and \(n - split) test rows; both must be at least 1")
    }
    guard !cutoffs.isEmpty, cutoffs.allSatisfy({ (0...1).contains($0) }) else {
      throw AttributionError.invalidArgument("ROAR cutoffs must be fractions in [0, 1]; got \(cutoffs)")
    }
    var losses: [Double] = []
    for cutoff in cutoffs {
      let k = Int(cutoff * Double(d))
      var removed = x
      for r in 0..<n {
        let phi = Array(attribution.scores(row: r, output: output))
        let ranked = (0..<d).sorted { Swift.abs(phi[$0]) > Swift.abs(phi[$1]) || (Swift.abs(phi[$0]) == Swift.abs(phi[$1]) && $0 < $1) }
        let drop = Set(ranked.prefix(k))
        guard !drop.isEmpty else { continue }
        let conditioner = try distribution.conditioner(fixing: (0..<d).filter { !drop.contains($0) })
        let draw = conditioner.sample(given: x[(r * d)..<((r + 1) * d)], count: 1, rng: &rng)
        for j in 0..<d { removed[r * d + j] = draw[j] }
      }
      let predictions = try retrain(Array(removed[..<(split * d)]), Array(y[..<split]), Array(removed[(split * d)...]))
      guard predictions.count == n - split else { throw AttributionError.badModelOutput(expected: n - split, got: predictions.count) }
      losses.append(zip(predictions, y[split...]).reduce(0.0) { $0 + Swift.abs($1.0 - $1.1) } / Double(n - split))
    }
    var area = 0.0
    for i in 1..<cutoffs.count { area += (cutoffs[i] - cutoffs[i - 1]) * (losses[i] + losses[i - 1]) / 2 }
    return Result(cutoffs: cutoffs, losses: losses, area: area)
  }
}
