import Tensor
import Models

/// Permutation feature importance (Breiman 2001; Fisher, Rudin & Dominici 2019), a global
/// explanation: for each feature j and each of `repeats` seeded shuffles π of the rows,
///
///   `.outputChange`:  Iⱼ = mean over repeats, rows r of |f(X^{π,j})[r] − f(X)[r]|, per output
///   `.loss(targets:)`: Iⱼ = mean over repeats of L(f(X^{π,j}), y) − L(f(X), y), one output
///
/// where X^{π,j} is X with column j permuted and L the mean of a per-row loss. The result has
/// one row; `base` is nil. Every shuffled copy of a feature goes to the model in one call.
public struct PermutationImportance {
  public enum Metric {
    case outputChange
    /// Targets: one value per row and output (row-major); loss of one (prediction, target) pair.
    case loss(targets: [Float], perRow: (_ prediction: ArraySlice<Float>, _ target: ArraySlice<Float>) -> Double)
  }

  public var metric: Metric
  public var repeats: Int
  public var seed: UInt64

  public init(metric: Metric = .outputChange, repeats: Int = 5, seed: UInt64 = 0) {
    self.metric = metric
    self.repeats = repeats
    self.seed = seed
  }

  public func explain(_ model: any ExplainableModel, rows: [Float]) throws -> FeatureAttribution {
    let d = model.features
    let c = model.outputs
    let n = try RowInput.count(rows, features: d)
    guard repeats >= 1 else { throw AttributionError.invalidArgument("permutation importance needs at least 1 repeat, got \(repeats)") }
    let reference = try RowInput.evaluate(model, rows, count: n)
    let outputs: Int
    var referenceLoss = 0.0
    switch metric {
    case .outputChange: outputs = c
    case .loss(let targets, let perRow):
      guard targets.count == n * c else {
        throw AttributionError.invalidArgument("permutation importance: \(targets.count) targets for \(n) rows × \(c) outputs")
      }
      outputs = 1
      referenceLoss = Self.meanLoss(reference, targets, rows: n, outputs: c, perRow)
    }
    var values = [Double](repeating: 0, count: outputs * d)
    var batch = [Float](repeating: 0, count: repeats * n * d)
    for j in 0..<d {
      var rng = RandomGenerator(seed: seed).stream(UInt64(j))
      for t in 0..<repeats {
        let permutation = rng.permutation(n)
        batch.replaceSubrange((t * n * d)..<((t + 1) * n * d), with: rows)
        for r in 0..<n { batch[(t * n + r) * d + j] = rows[permutation[r] * d + j] }
      }
      let out = try RowInput.evaluate(model, batch, count: repeats * n)
      switch metric {
      case .outputChange:
        for t in 0..<repeats {
          for r in 0..<n {
            for o in 0..<c { values[o * d + j] += abs(Double(out[(t * n + r) * c + o]) - Double(reference[r * c + o])) }
          }
        }
        for o in 0..<c { values[o * d + j] /= Double(repeats * n) }
      case .loss(let targets, let perRow):
        for t in 0..<repeats {
          let slice = Array(out[(t * n * c)..<((t + 1) * n * c)])
          values[j] += Self.meanLoss(slice, targets, rows: n, outputs: c, perRow) - referenceLoss
        }
        values[j] /= Double(repeats)
      }
    }
    return FeatureAttribution(rows: 1, outputs: outputs, features: d, values: values, method: "permutation")
  }

  static func meanLoss(_ predictions: [Float], _ targets: [Float], rows n: Int, outputs c: Int,
                       _ perRow: (ArraySlice<Float>, ArraySlice<Float>) -> Double) -> Double {
    var total = 0.0
    for r in 0..<n { total += perRow(predictions[(r * c)..<((r + 1) * c)], targets[(r * c)..<((r + 1) * c)]) }
    return total / Double(n)
  }
}
