import Foundation
import Models

/// XAI-Bench's monotonicity (Luss et al. 2019, as implemented in AIX360 and XAI-Bench's
/// `custom_metrics/monotonicity.py`, default version "inc", `avg=True`, observational).
///
/// For each row x, features are added one at a time from the smallest |φⱼ| to the largest
/// (ties broken by feature index, as a stable sort): S₀ = ∅, Sₖ = Sₖ₋₁ ∪ {j₍ₖ₎}. The expected
/// prediction starts at y₀ = the mean prediction over the evaluated rows (the mean of v(N);
/// the benchmark's `mean(predict(X))`) and moves to yₖ = E[f(X) | X_{Sₖ} = x_{Sₖ}] = v(Sₖ).
/// With the marginal effects δₖ = |yₖ − yₖ₋₁|, k = 1…d, the row's score is the fraction of the
/// d − 1 consecutive pairs with δₖ₊₁ ≥ δₖ: 1 when each more important feature moves the
/// prediction at least as much as the one before. Monotonicity is the mean over rows, in [0, 1].
///
/// One deliberate difference: XAI-Bench stores yₖ at position j₍ₖ₎ + 1 (the feature's index)
/// instead of k, so its δ follow feature order rather than attribution order; here they follow
/// attribution order, as the metric is defined.
public enum Monotonicity {
  public static func evaluate(_ attribution: FeatureAttribution, values: CoalitionValues, output: Int = 0) throws -> Double {
    try XAIBenchCheck.compatible(attribution, values, output: output)
    let d = values.features
    guard d >= 2 else { throw AttributionError.invalidArgument("monotonicity compares consecutive features and needs d ≥ 2; got \(d)") }
    let start = (0..<values.rows).reduce(0.0) { $0 + values[$1, values.full] } / Double(values.rows)
    var total = 0.0
    for r in 0..<values.rows {
      let phi = Array(attribution.scores(row: r, output: output))
      let order = (0..<d).sorted { Swift.abs(phi[$0]) < Swift.abs(phi[$1]) || (Swift.abs(phi[$0]) == Swift.abs(phi[$1]) && $0 < $1) }
      var previous = start
      var mask = 0
      var deltas: [Double] = []
      for j in order {
        mask |= 1 << j
        let y = values[r, mask]
        deltas.append(Swift.abs(y - previous))
        previous = y
      }
      let rising = (0..<(d - 1)).filter { deltas[$0 + 1] >= deltas[$0] }.count
      total += Double(rising) / Double(d - 1)
    }
    return total / Double(values.rows)
  }
}
