import Foundation
import Models
import Tensor

/// INN's own explanation (Kadra, Pineda Arango & Grabocka, NeurIPS 2024, §2.3), read off one
/// forward pass of the hypernetwork by Models' ``INNExplanation``:
///
///   W(x) = Hypernetwork.weights(x) ∈ R^{(F+1)×C},   φ[c, j] = W[j, c]·xⱼ,   base[c] = W[F, c]
///
/// so Σⱼ φ[c, j] + base[c] = logit_c exactly: the explanation *is* the model. Every output is
/// explained (``INNExplanation`` singles out the predicted class; here all C columns are read
/// from the same weights). It costs one evaluation-mode forward pass of the hypernetwork
/// (``Hypernetwork/weightsPlan()``, BatchNorm folded, on `threads` workers) and no other model
/// calls. Rows are processed in batches of `batchSize`. The plan is a snapshot of the
/// parameters at creation, like ``TabularModelAdapter``.
public struct INNExplainer {
  public let model: Hypernetwork
  public var batchSize: Int
  public var threads: Int
  private let plan: TabResNetPlan

  public init(_ model: Hypernetwork, batchSize: Int = 8192, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
    self.model = model
    self.batchSize = max(batchSize, 1)
    self.threads = max(threads, 1)
    plan = model.weightsPlan()
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
    var values = [Double](repeating: 0, count: n * c * f)
    var base = [Double](repeating: 0, count: n * c)
    var allWeights = [Float]()
    allWeights.reserveCapacity(n * (f + 1) * c)
    var start = 0
    while start < n {
      let count = min(batchSize, n - start)
      let slice = Array(rows[(start * f)..<((start + count) * f)])
      let generated = plan.evaluate(slice, count: count, threads: threads)
      let explanation = INNExplanation(weights: Tensor(shape: [count, f + 1, c], scalars: generated), inputs: Tensor(shape: [count, f], scalars: slice))
      for r in 0..<count {
        let row = start + r
        for o in 0..<c {
          for j in 0..<f {
            values[(row * c + o) * f + j] = Double(explanation.contribution(row: r, feature: j, output: o))
          }
          base[row * c + o] = Double(explanation.weight(row: r, feature: f, output: o))
        }
      }
      allWeights.append(contentsOf: explanation.weights.scalars)
      start += count
    }
    let attribution = FeatureAttribution(rows: n, outputs: c, features: f, values: values, base: base, method: "inn")
    return (attribution, allWeights)
  }
}

extension INNExplanation {
  /// wⱼ·xⱼ of row i for output c (``contribution(row:feature:)`` is the explained output's).
  func contribution(row i: Int, feature j: Int, output c: Int) -> Float {
    weight(row: i, feature: j, output: c) * inputs.scalars[i * features + j]
  }
}
