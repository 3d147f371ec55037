import Foundation
import Tensor

/// The value v(S) of every coalition S ⊆ {0, …, d−1} for each of a set of rows: the table
/// XAI-Bench's ground-truth Shapley values, faithfulness and monotonicity all read from.
///
/// Coalition S is stored at index mask(S) = Σ_{j∈S} 2ʲ (bit j set when feature j is in S), so
/// the empty coalition is 0 and the full one 2ᵈ − 1. With the *conditional* (observational)
/// value function of ``conditional(model:distribution:rows:samples:output:rng:)``,
/// v(S) = E[f(X) | X_S = x_S], so v(full) = f(x) and v(∅) = E f(X).
public struct CoalitionValues: Sendable, Equatable {
  public let rows: Int
  public let features: Int
  /// rows × 2ᵈ values, row-major.
  public var values: [Double]

  public var coalitionCount: Int { 1 << features }
  /// The mask of the full coalition, 2ᵈ − 1.
  public var full: Int { (1 << features) - 1 }

  public init(rows: Int, features: Int, values: [Double]) {
    precondition(features >= 1 && features <= 20, "CoalitionValues: 1 ≤ d ≤ 20 features")
    precondition(values.count == rows << features, "CoalitionValues: values must hold rows × 2^d numbers")
    self.rows = rows
    self.features = features
    self.values = values
  }

  public subscript(row: Int, coalition: Int) -> Double {
    values[row << features + coalition]
  }

  /// A table from a value function v(row, mask), e.g. an exact conditional expectation.
  public static func exact(rows: Int, features: Int, _ value: (Int, Int) throws -> Double) rethrows -> CoalitionValues {
    var out = [Double]()
    out.reserveCapacity(rows << features)
    for r in 0..<rows {
      for mask in 0..<(1 << features) { out.append(try value(r, mask)) }
    }
    return CoalitionValues(rows: rows, features: features, values: out)
  }

  /// v(S) = E[f(X) | X_S = x_S] for every row and coalition, from a
  /// ``ConditionalValueFunction`` (exact conditional Gaussian sampling, `samples` draws per
  /// coalition, common random numbers and antithetic pairs within a row): one model call per
  /// row of (2ᵈ − 1)·samples + 1 rows (samples rounded up to even). Output `output` is kept.
  public static func conditional(
    model: any ExplainableModel, distribution: MultivariateGaussian, rows x: [Double], samples: Int,
    output: Int = 0, rng: inout RandomGenerator
  ) throws -> CoalitionValues {
    let d = distribution.dimension
    guard model.features == d else { throw AttributionError.wrongWidth(expected: model.features, got: d) }
    let n = try RowInput.count(x, features: d)
    guard (0..<model.outputs).contains(output) else {
      throw AttributionError.invalidArgument("output \(output) does not exist; the model has \(model.outputs) outputs")
    }
    guard d <= ExactShapley.maximumFeatures else {
      throw AttributionError.tooManyFeatures(features: d, maximum: ExactShapley.maximumFeatures, method: "the coalition table")
    }
    let v = try ConditionalValueFunction(model: model, distribution: distribution, samples: samples, rng: rng.stream(rng.next()))
    let subsets = 1 << d
    var masks = [UInt8](repeating: 0, count: subsets * d)
    for s in 0..<subsets {
      for i in 0..<d where s >> i & 1 == 1 { masks[s * d + i] = 1 }
    }
    var values = [Double]()
    values.reserveCapacity(n << d)
    let c = model.outputs
    for r in 0..<n {
      let y = try v.values(of: x[(r * d)..<((r + 1) * d)].map(Float.init), masks: masks, count: subsets)
      try RowInput.finite(y, outputs: c, what: "the conditional coalition values of row \(r) (batch row = coalition mask)")
      for s in 0..<subsets { values.append(y[s * c + output]) }
    }
    return CoalitionValues(rows: n, features: d, values: values)
  }
}
