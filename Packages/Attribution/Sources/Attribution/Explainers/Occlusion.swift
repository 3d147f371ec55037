import Models

/// Occlusion, or feature ablation (Zeiler & Fergus 2014; Captum's `FeatureAblation`):
///
///   φᵢ = f(x) − f(x with feature i set to its baseline value x′ᵢ)
///
/// The d + 1 rows of each explained row go to the model together. The baseline is 0 by
/// default (pass the background mean for mean ablation). Not efficient; `base` holds f(x′).
public struct Occlusion {
  /// x′, one value per feature; nil means all zeros.
  public var baseline: [Float]?

  public init(baseline: [Float]? = nil) { self.baseline = baseline }

  public func explain(_ model: any ExplainableModel, rows: [Float]) throws -> FeatureAttribution {
    let d = model.features
    let c = model.outputs
    let n = try RowInput.count(rows, features: d)
    let reference = baseline ?? [Float](repeating: 0, count: d)
    guard reference.count == d else { throw AttributionError.wrongWidth(expected: d, got: reference.count) }
    try RowInput.finiteBaseline(reference, what: "the occlusion baseline")
    let rowsPerCall = max(1, 65536 / (d + 1))
    var values = [Double](repeating: 0, count: n * c * d)
    var start = 0
    while start < n {
      let m = min(rowsPerCall, n - start)
      var batch = [Float](repeating: 0, count: m * (d + 1) * d)
      for r in 0..<m {
        let x = rows[((start + r) * d)..<((start + r + 1) * d)]
        for k in 0...d {
          let offset = (r * (d + 1) + k) * d
          batch.replaceSubrange(offset..<(offset + d), with: x)
          if k < d { batch[offset + k] = reference[k] }
        }
      }
      let out = try RowInput.evaluate(model, batch, count: m * (d + 1))
      for r in 0..<m {
        for o in 0..<c {
          let full = Double(out[(r * (d + 1) + d) * c + o])
          for i in 0..<d { values[((start + r) * c + o) * d + i] = full - Double(out[(r * (d + 1) + i) * c + o]) }
        }
      }
      start += m
    }
    let f0 = try RowInput.evaluate(model, reference, count: 1, what: "f(baseline)")
    let base = (0..<(n * c)).map { Double(f0[$0 % c]) }
    return FeatureAttribution(rows: n, outputs: c, features: d, values: values, base: base, method: "occlusion")
  }
}
