// Small models with known structure for the explainer and metric tests, built from the
// library's seeded generator so a failing property is reproduced by its seed.

import Attribution
import Foundation
import Models
import Tensor
import TestSupport

enum ExplainerFixtures {
  /// f(x) = Σ wᵢxᵢ + b (one output).
  static func linear(weights w: [Float], bias: Float = 0) -> ClosureModel {
    let d = w.count
    return ClosureModel(features: d, outputs: 1) { rows, n in
      (0..<n).map { r in (0..<d).reduce(bias) { $0 + w[$1] * rows[r * d + $1] } }
    }
  }

  /// A random one-hidden-layer tanh network with `outputs` outputs:
  /// f(x)_o = Σ_k V[o,k]·tanh(Σᵢ W[k,i]·xᵢ + b_k) + c_o.
  static func network(features d: Int, hidden h: Int = 8, outputs c: Int = 1, seed: UInt64) -> ClosureModel {
    var rng = RandomGenerator(seed: seed)
    let w = TestModels.uniform(h * d, &rng, -1.5, 1.5)
    let b = TestModels.uniform(h, &rng, -0.5, 0.5)
    let v = TestModels.uniform(c * h, &rng, -1, 1)
    let bias = TestModels.uniform(c, &rng, -0.5, 0.5)
    return ClosureModel(features: d, outputs: c) { rows, n in
      var out = [Float](repeating: 0, count: n * c)
      var hidden = [Float](repeating: 0, count: h)
      for r in 0..<n {
        for k in 0..<h {
          var z = b[k]
          for i in 0..<d { z += w[k * d + i] * rows[r * d + i] }
          hidden[k] = Foundation.tanh(z)
        }
        for o in 0..<c {
          var y = bias[o]
          for k in 0..<h { y += v[o * h + k] * hidden[k] }
          out[r * c + o] = y
        }
      }
      return out
    }
  }

  /// A multilinear polynomial p(x) = Σ_t c_t ∏_{i∈T_t} xᵢ (no constant term).
  static func polynomial(features d: Int, terms: [(coefficient: Float, support: [Int])]) -> ClosureModel {
    ClosureModel(features: d, outputs: 1) { rows, n in
      (0..<n).map { r in
        terms.reduce(Float(0)) { total, term in total + term.support.reduce(term.coefficient) { $0 * rows[r * d + $1] } }
      }
    }
  }

  /// The largest |a − b| over two attributions' values.
  static func maxDifference(_ a: FeatureAttribution, _ b: FeatureAttribution) -> Double {
    zip(a.values, b.values).map { Swift.abs($0 - $1) }.max() ?? 0
  }
}
