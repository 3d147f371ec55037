extension LogisticRegression {
  /// The coefficients times the values: φ[c, j] = W[c, j]·xⱼ, base[c] = b_c, coefficients W,
  /// so Σⱼ φ[c, j] + base[c] = logit_c exactly (up to Float rounding). Method name "logistic".
  public func explain(_ rows: [Float], threads: Int) throws -> ModelExplanation {
    let (f, c) = (features, outputs)
    let n = try ExplanationError.rowCount(rows, features: f)
    let w = linear.weight.value.scalars
    let b = linear.bias!.value.scalars
    var values = [Double](repeating: 0, count: n * c * f)
    var coefficients = [Double](repeating: 0, count: n * c * f)
    var base = [Double](repeating: 0, count: n * c)
    for r in 0..<n {
      for o in 0..<c {
        let out = (r * c + o) * f
        for j in 0..<f {
          values[out + j] = Double(w[o * f + j] * rows[r * f + j])
          coefficients[out + j] = Double(w[o * f + j])
        }
        base[r * c + o] = Double(b[o])
      }
    }
    return .features(FeatureAttribution(rows: n, outputs: c, features: f, values: values, base: base, coefficients: coefficients, method: "logistic"))
  }
}
