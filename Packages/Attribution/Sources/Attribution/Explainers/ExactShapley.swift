import Models

/// Exact Shapley values (Shapley 1953) by enumerating all 2^d coalitions:
///
///   φᵢ = Σ_{S ⊆ [d]∖{i}} |S|!·(d − |S| − 1)!/d! · (v(S ∪ {i}) − v(S))
///
/// With the default interventional value function over a background set,
/// v(S) = (1/B) Σ_b f(x_S, b_¬S) (the value function `shap`'s KernelExplainer estimates), the
/// values are efficient: Σᵢ φᵢ = f(x) − E_background f, and `base` holds E_background f. A
/// caller-supplied ``CoalitionValueFunction`` (e.g. exact conditional expectations) gives
/// Σᵢ φᵢ = v([d]) − v(∅) with `base` = v(∅).
///
/// Cost: 2^d coalitions per row (2^d · B model rows for the interventional function), written
/// into one buffer and evaluated in a few batched calls; d is limited to
/// ``maximumFeatures`` = 16.
///
///     let phi = try ExactShapley(background: bg).explain(model, rows: x)
public struct ExactShapley {
  public static let maximumFeatures = 16
  /// Background rows, row-major (the model's width each).
  public var background: [Float]

  public init(background: [Float]) {
    self.background = background
  }

  /// Interventional Shapley values of every row of `rows` (row-major) for every output.
  public func explain(_ model: any ExplainableModel, rows: [Float]) throws -> FeatureAttribution {
    try Self.checkFeatures(model.features)
    _ = try RowInput.count(rows, features: model.features)
    let v = try InterventionalValueFunction(model: model, background: background)
    return try Self.explain(v, rows: rows)
  }

  /// Rows given as arrays (each must have the model's width).
  public func explain(_ model: any ExplainableModel, rows: [[Float]]) throws -> FeatureAttribution {
    try explain(model, rows: RowInput.flatten(rows, features: model.features))
  }

  /// Shapley values of the game `valueFunction` at every row of `rows`.
  public static func explain(_ valueFunction: any CoalitionValueFunction, rows: [Float]) throws -> FeatureAttribution {
    let d = valueFunction.features
    let c = valueFunction.outputs
    try checkFeatures(d)
    let n = try RowInput.count(rows, features: d)
    let subsets = 1 << d
    var masks = [UInt8](repeating: 0, count: subsets * d)
    for s in 0..<subsets {
      for i in 0..<d where s & (1 << i) != 0 { masks[s * d + i] = 1 }
    }
    var values = [Double](repeating: 0, count: n * c * d)
    var base = [Double](repeating: 0, count: n * c)
    for r in 0..<n {
      let x = Array(rows[(r * d)..<((r + 1) * d)])
      let v = try valueFunction.values(of: x, masks: masks, count: subsets)
      guard v.count == subsets * c else { throw AttributionError.badModelOutput(expected: subsets * c, got: v.count) }
      try RowInput.finite(v, outputs: c, what: "the coalition values v(S) of row \(r) (batch row = coalition mask)")
      for o in 0..<c {
        let phi = shapleyValues(v, output: o, outputs: c, features: d)
        for i in 0..<d { values[(r * c + o) * d + i] = phi[i] }
        base[r * c + o] = v[o]
      }
    }
    return FeatureAttribution(rows: n, outputs: c, features: d, values: values, base: base, method: "exact-shapley")
  }

  /// φ from the values of all 2^d coalitions (`v[S·outputs + output]`, S as a bit mask).
  static func shapleyValues(_ v: [Double], output o: Int, outputs c: Int, features d: Int) -> [Double] {
    // weight[s] = s!(d − s − 1)!/d!, computed as 1 / (d · C(d − 1, s)).
    var weight = [Double](repeating: 0, count: max(d, 1))
    var binomial = 1.0
    for s in 0..<d {
      weight[s] = 1 / (Double(d) * binomial)
      binomial = binomial * Double(d - 1 - s) / Double(s + 1)
    }
    var phi = [Double](repeating: 0, count: d)
    for s in 0..<(1 << d) {
      let size = s.nonzeroBitCount
      for i in 0..<d where s & (1 << i) == 0 {
        phi[i] += weight[size] * (v[(s | (1 << i)) * c + o] - v[s * c + o])
      }
    }
    return phi
  }

  static func checkFeatures(_ d: Int) throws {
    guard d <= maximumFeatures else {
      throw AttributionError.tooManyFeatures(features: d, maximum: maximumFeatures, method: "exact Shapley")
    }
  }
}
