import Foundation
import Models

/// XAI-Bench's ground-truth-Shapley metrics (`custom_metrics/shapley.py` and
/// `shapley_corr.py`): how far an attribution φ is from the ground-truth Shapley values φ*
/// (``GroundTruthShapley``) of the same model on the same rows.
public enum ShapleyError {
  /// Σᵣ Σⱼ (φᵣⱼ − φ*ᵣⱼ)² / (rows·d): lower is better, 0 for a perfect attribution.
  public static func meanSquaredError(_ attribution: FeatureAttribution, groundTruth: FeatureAttribution, output: Int = 0) throws -> Double {
    try check(attribution, groundTruth, output: output)
    var total = 0.0
    for r in 0..<attribution.rows {
      for (a, b) in zip(attribution.scores(row: r, output: output), groundTruth.scores(row: r, output: 0)) {
        total += (a - b) * (a - b)
      }
    }
    return total / Double(attribution.rows * attribution.features)
  }

  /// The mean over rows of the Pearson correlation between φᵣ and φ*ᵣ across features (0 for
  /// a row where it is undefined, as the benchmark does): higher is better, at most 1.
  public static func correlation(_ attribution: FeatureAttribution, groundTruth: FeatureAttribution, output: Int = 0) throws -> Double {
    try check(attribution, groundTruth, output: output)
    var total = 0.0
    for r in 0..<attribution.rows {
      total += pearsonCorrelation(attribution.scores(row: r, output: output), groundTruth.scores(row: r, output: 0)) ?? 0
    }
    return total / Double(attribution.rows)
  }

  static func check(_ a: FeatureAttribution, _ truth: FeatureAttribution, output: Int) throws {
    guard a.features == truth.features else { throw AttributionError.wrongWidth(expected: truth.features, got: a.features) }
    guard a.rows == truth.rows, a.rows > 0 else {
      throw AttributionError.invalidArgument("the attribution explains \(a.rows) rows but the ground truth covers \(truth.rows); pass both for the same non-empty set of rows")
    }
    guard (0..<a.outputs).contains(output) else {
      throw AttributionError.invalidArgument("output \(output) does not exist; the attribution has \(a.outputs) outputs")
    }
  }
}
