/// Global feature importance from per-row attributions (the INN reference's definition): for
/// each row the explained output o(r) — the predicted class (largest base + Σφ) for
/// multiclass, output 0 otherwise — and per feature
///
///   importance_j = Σ_r |φ[r, o(r), j]| / Σ_k Σ_r |φ[r, o(r), k]|,   signed_j = (1/n)·Σ_r φ[r, o(r), j]
///
/// (all 0 when every score is 0).
public struct FeatureImportance: Sendable, Equatable {
  /// Normalised mean magnitude per feature; sums to 1 unless every score is 0.
  public let normalized: [Double]
  /// Signed mean score per feature.
  public let signedMean: [Double]

  public init(_ attribution: FeatureAttribution) {
    let (n, f) = (attribution.rows, attribution.features)
    var magnitude = [Double](repeating: 0, count: f)
    var signed = [Double](repeating: 0, count: f)
    for r in 0..<n {
      let o = attribution.explainedOutput(row: r)
      for (j, v) in attribution.scores(row: r, output: o).enumerated() {
        magnitude[j] += Swift.abs(v)
        signed[j] += v
      }
    }
    let total = magnitude.reduce(0, +)
    normalized = magnitude.map { total > 0 ? $0 / total : 0 }
    signedMean = signed.map { $0 / Double(Swift.max(n, 1)) }
  }

  /// Feature indices by decreasing importance (ties by index).
  public var ranking: [Int] {
    normalized.indices.sorted { normalized[$0] > normalized[$1] || (normalized[$0] == normalized[$1] && $0 < $1) }
  }

  /// Sums encoded-column values back onto their original features: a one-hot group's share is
  /// the sum of its columns (`sources[j]` is encoded column j's original feature).
  public static func aggregate(_ values: [Double], sources: [Int], features: Int) -> [Double] {
    var result = [Double](repeating: 0, count: features)
    for (value, source) in zip(values, sources) { result[source] += value }
    return result
  }
}

extension FeatureAttribution {
  /// The output a row's explanation is read for: the arg-max of base + Σφ (the predicted
  /// class of a self-explaining multiclass model), or 0 for a single output or without a base.
  public func explainedOutput(row r: Int) -> Int {
    guard outputs > 1, base != nil else { return 0 }
    var best = 0
    var bestTotal = -Double.infinity
    for o in 0..<outputs {
      let t = total(row: r, output: o)!
      if t > bestTotal {
        bestTotal = t
        best = o
      }
    }
    return best
  }
}
