import Foundation
import Models

/// XAI-Bench's faithfulness (Alvarez-Melis & Jaakkola 2018, as implemented in AIX360 and
/// XAI-Bench's `custom_metrics/faithfulness.py`, default version "dec", observational).
///
/// For each row x, the drop when feature j is replaced by its conditional expectation is
/// Δⱼ = |f(x) − E[f(X) | X_{N∖{j}} = x_{N∖{j}}]| = |v(N) − v(N∖{j})|, and the row's score is
/// the Pearson correlation between |φ| and Δ over the d features (0 when undefined, e.g. a
/// constant attribution, as the benchmark does). Faithfulness is the mean over rows, in
/// [−1, 1]; higher is better. XAI-Bench correlates the *absolute* attributions |φⱼ|, so the
/// sign of an attribution does not matter here.
public enum Faithfulness {
  /// - Parameters:
  ///   - attribution: φ for the same rows as `values`; output `output` is scored.
  ///   - values: conditional coalition values of the model on those rows.
  public static func evaluate(_ attribution: FeatureAttribution, values: CoalitionValues, output: Int = 0) throws -> Double {
    try XAIBenchCheck.compatible(attribution, values, output: output)
    let d = values.features
    var total = 0.0
    for r in 0..<values.rows {
      let phi = attribution.scores(row: r, output: output).map { Swift.abs($0) }
      let drops = (0..<d).map { j in Swift.abs(values[r, values.full] - values[r, values.full & ~(1 << j)]) }
      total += pearsonCorrelation(phi[...], drops[...]) ?? 0
    }
    return total / Double(values.rows)
  }
}

enum XAIBenchCheck {
  static func compatible(_ a: FeatureAttribution, _ v: CoalitionValues, output: Int) throws {
    guard a.features == v.features else { throw AttributionError.wrongWidth(expected: v.features, got: a.features) }
    guard a.rows == v.rows, a.rows > 0 else {
      throw AttributionError.invalidArgument("the attribution explains \(a.rows) rows but the coalition values cover \(v.rows); pass both for the same non-empty set of rows")
    }
    guard (0..<a.outputs).contains(output) else {
      throw AttributionError.invalidArgument("output \(output) does not exist; the attribution has \(a.outputs) outputs")
    }
  }
}
