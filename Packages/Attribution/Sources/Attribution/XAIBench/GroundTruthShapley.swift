import Foundation
import Models

/// Ground-truth Shapley values (XAI-Bench's `GroundTruthShap`) from a table of coalition values:
///
///   φᵢ = Σ_{S ⊆ N∖{i}} |S|!·(d − |S| − 1)!/d! · (v(S ∪ {i}) − v(S))
///
/// by enumerating all 2ᵈ coalitions (Shapley 1953), so Σᵢ φᵢ = v(N) − v(∅) exactly and
/// `base` = v(∅). With conditional values v(S) = E[f(X) | X_S = x_S]
/// (``CoalitionValues/conditional(model:distribution:rows:samples:output:rng:)``) these are the
/// observational Shapley values XAI-Bench scores explainers against.
///
/// XAI-Bench solves a Kernel-SHAP weighted least squares over all coalitions instead, with
/// no intercept and weight 10⁶ on ∅ and N. Without the intercept it fits v(S) rather than
/// v(S) − v(∅), so each of its values carries an extra v(∅)/d (the Shapley value of the game
/// that is v(∅) on every non-empty coalition and 0 on ∅), up to the 10⁻⁶ softness of its
/// constraint. Here v(∅) is subtracted: the values are the Shapley values themselves.
///
/// Complexity O(rows·d·2ᵈ); the enumeration is ``ExactShapley``'s, applied to the table.
public enum GroundTruthShapley {
  /// φ for every row of `values`, one output, method "ground-truth-shapley".
  public static func attribution(_ values: CoalitionValues) -> FeatureAttribution {
    let d = values.features
    var phi = [Double]()
    phi.reserveCapacity(values.rows * d)
    var base = [Double](repeating: 0, count: values.rows)
    for r in 0..<values.rows {
      let table = Array(values.values[(r << d)..<((r + 1) << d)])
      phi.append(contentsOf: ExactShapley.shapleyValues(table, output: 0, outputs: 1, features: d))
      base[r] = values[r, 0]
    }
    return FeatureAttribution(rows: values.rows, outputs: 1, features: d, values: phi, base: base, method: "ground-truth-shapley")
  }
}
