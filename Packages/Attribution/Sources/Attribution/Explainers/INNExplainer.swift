import Models
import Tensor

/// INN's own explanation (Kadra, Pineda Arango & Grabocka, NeurIPS 2024, §2.3), read off one
/// forward pass of the hypernetwork:
///
///   W(x) = Hypernetwork.weights(x) ∈ R^{(F+1)×C},   φ[c, j] = W[j, c]·xⱼ,   base[c] = W[F, c]
///
/// so Σⱼ φ[c, j] + base[c] = logit_c exactly: the explanation *is* the model. It costs exactly
/// one forward pass per batch of rows (the logits are never recomputed) and no other model
/// calls. Rows are processed in batches of `batchSize`.
public struct INNExplainer {
  public let model: Hypernetwork
  public var batchSize: Int

  public init(_ model: Hypernetwork, batchSize: Int = 8192) {
    self.model = model
    self.batchSize = max(batchSize, 1)
  }

  /// Contributions for every output of every row (row-major, `model.features` values each).
  public func explain(rows: [Float]) throws -> FeatureAttribution {
    try explainWithWeights(rows: rows).attribution
  }

  /// The attribution together with the generated weights, rows × (F+1) × C (last row the bias).
  public func explainWithWeights(rows: [Float]) throws -> (attribution: FeatureAttribution, weights: [Float]) {
    let f = model.features
    let c = model.outputs
    let n = try RowInput.count(rows, features: f)
    model.eval()
    var values = [Double](repeating: 0, count: n * c * f)
    var base = [Double](repeating: 0, count: n * c)
    var allWeights = [Float]()
    allWeights.reserveCapacity(n * (f + 1) * c)
    var start = 0
    while start < n {
      let count = min(batchSize, n - start)
      let x = Array(rows[(start * f)..<((start + count) * f)])
      let w = withoutGradient { model.weights(Tensor(shape: [count, f], scalars: x)) }
      w.withUnsafeBufferPointer { wv in
        for r in 0..<count {
          let row = start + r
          for o in 0..<c {
            for j in 0..<f {
              values[(row * c + o) * f + j] = Double(wv[(r * (f + 1) + j) * c + o]) * Double(x[r * f + j])
            }
            base[row * c + o] = Double(wv[(r * (f + 1) + f) * c + o])
          }
        }
      }
      allWeights.append(contentsOf: w.scalars)
      start += count
    }
    let attribution = FeatureAttribution(rows: n, outputs: c, features: f, values: values, base: base, method: "inn")
    return (attribution, allWeights)
  }
}
