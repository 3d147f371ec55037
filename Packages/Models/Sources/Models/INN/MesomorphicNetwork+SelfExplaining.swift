import Tensor

extension MesomorphicNetwork {
  /// INN's own explanation (Kadra et al. 2024, §2.3), read off one evaluation-mode pass of the
  /// hypernetwork (``weightsPlan()``, BatchNorm folded):
  ///
  ///   W(x) ∈ R^{(F+1)×C},   φ[c, j] = W[j, c]·xⱼ,   base[c] = W[F, c],   coefficients[c, j] = W[j, c]
  ///
  /// so Σⱼ φ[c, j] + base[c] = logit_c exactly (up to the Float rounding of the pass): the
  /// explanation *is* the model. Every output is explained. Rows are processed 8,192 at a
  /// time on `threads` workers; the method name is "inn".
  public func explain(_ rows: [Float], threads: Int) throws -> ModelExplanation {
    let (f, c) = (features, outputs)
    let n = try ExplanationError.rowCount(rows, features: f)
    let plan = weightsPlan()
    let batch = 8192
    var values = [Double](repeating: 0, count: n * c * f)
    var coefficients = [Double](repeating: 0, count: n * c * f)
    var base = [Double](repeating: 0, count: n * c)
    var start = 0
    while start < n {
      let count = Swift.min(batch, n - start)
      let slice = Array(rows[(start * f)..<((start + count) * f)])
      // Row-major [count, F+1, C].
      let w = plan.evaluate(slice, count: count, threads: Swift.max(threads, 1))
      for r in 0..<count {
        let row = start + r
        for o in 0..<c {
          let out = (row * c + o) * f
          for j in 0..<f {
            let weight = w[(r * (f + 1) + j) * c + o]
            values[out + j] = Double(weight * slice[r * f + j])
            coefficients[out + j] = Double(weight)
          }
          base[row * c + o] = Double(w[(r * (f + 1) + f) * c + o])
        }
      }
      start += count
    }
    return .features(FeatureAttribution(rows: n, outputs: c, features: f, values: values, base: base,
                                        coefficients: coefficients, method: "inn"))
  }
}
