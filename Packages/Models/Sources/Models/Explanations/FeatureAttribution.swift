/// A score per feature, per instance, per output: φ[row, output, feature].
///
/// `base[row, output]` is the value the scores are measured from (E f(background) for Shapley
/// values, f(baseline) for Integrated Gradients, the bias for INN and logistic regression), so
/// explainers that are *efficient* satisfy Σᵢ φ[r, o, i] = f(x_r)[o] − base[r, o]. A model's own
/// explanation (``SelfExplaining``) is always efficient, exactly.
///
/// `coefficients`, when present, are the weights of the linear model the scores come from,
/// φ[r, o, i] = w[r, o, i]·xᵢ: INN's generated W(x), logistic regression's coefficients.
///
///     let phi = try model.selfExplaining!.explain(rows, threads: 1).features!
///     let contributions = phi.scores(row: 0, output: 0)
public struct FeatureAttribution: Sendable, Equatable {
  public let rows: Int
  public let outputs: Int
  public let features: Int
  /// rows × outputs × features, row-major.
  public var values: [Double]
  /// rows × outputs; nil when the method has no reference value (e.g. permutation importance).
  public var base: [Double]?
  /// rows × outputs × features, the linear weights behind the scores; nil for most explainers.
  public var coefficients: [Double]?
  /// The method that produced the scores, e.g. "kernel-shap".
  public var method: String

  public init(rows: Int, outputs: Int, features: Int, values: [Double], base: [Double]? = nil, coefficients: [Double]? = nil, method: String) {
    precondition(values.count == rows * outputs * features, "FeatureAttribution: values must hold rows × outputs × features scores")
    precondition(base == nil || base!.count == rows * outputs, "FeatureAttribution: base must hold rows × outputs values")
    precondition(coefficients == nil || coefficients!.count == values.count, "FeatureAttribution: coefficients must hold rows × outputs × features values")
    self.rows = rows
    self.outputs = outputs
    self.features = features
    self.values = values
    self.base = base
    self.coefficients = coefficients
    self.method = method
  }

  public subscript(row: Int, output: Int, feature: Int) -> Double {
    get { values[(row * outputs + output) * features + feature] }
    set { values[(row * outputs + output) * features + feature] = newValue }
  }

  /// The scores of one row and output.
  public func scores(row: Int, output: Int = 0) -> ArraySlice<Double> {
    let start = (row * outputs + output) * features
    return values[start..<(start + features)]
  }

  /// The linear weight of feature `feature` for `output` in `row`, when the attribution has
  /// coefficients.
  public func coefficient(row: Int, output: Int, feature: Int) -> Double? {
    coefficients?[(row * outputs + output) * features + feature]
  }

  /// base + Σᵢ φᵢ for one row and output: the model's output when the attribution is
  /// efficient (a model's own explanation); nil without a base.
  public func total(row: Int, output: Int) -> Double? {
    guard let base else { return nil }
    return scores(row: row, output: output).reduce(base[row * outputs + output], +)
  }
}
