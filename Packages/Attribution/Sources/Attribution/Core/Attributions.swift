/// A score per feature, per instance, per output: φ[row, output, feature].
///
/// `base[row, output]` is the value the scores are measured from (E f(background) for Shapley
/// values, f(baseline) for Integrated Gradients, the bias for INN), so explainers that are
/// *efficient* satisfy Σᵢ φ[r, o, i] = f(x_r)[o] − base[r, o].
public struct FeatureAttribution: Sendable, Equatable {
  public let rows: Int
  public let outputs: Int
  public let features: Int
  /// rows × outputs × features, row-major.
  public var values: [Double]
  /// rows × outputs; nil when the method has no reference value (e.g. permutation importance).
  public var base: [Double]?
  /// The method that produced the scores, e.g. "kernel-shap".
  public var method: String

  public init(rows: Int, outputs: Int, features: Int, values: [Double], base: [Double]? = nil, method: String) {
    precondition(values.count == rows * outputs * features, "FeatureAttribution: values must hold rows × outputs × features scores")
    precondition(base == nil || base!.count == rows * outputs, "FeatureAttribution: base must hold rows × outputs values")
    self.rows = rows
    self.outputs = outputs
    self.features = features
    self.values = values
    self.base = base
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
}

/// Groups of features with a score each, per instance and output (Sum-of-Parts produces these).
/// Group j explains insertion of a subset S when Gⱼ ⊆ S, and deletion of S when Gⱼ ∩ S ≠ ∅.
/// A feature attribution is the special case Gᵢ = {i}.
public struct GroupAttribution: Sendable, Equatable {
  public let rows: Int
  public let outputs: Int
  /// Feature indices of each group (groups may overlap).
  public let groups: [[Int]]
  /// rows × outputs × groups, row-major.
  public var scores: [Double]

  public init(rows: Int, outputs: Int, groups: [[Int]], scores: [Double]) {
    precondition(scores.count == rows * outputs * groups.count, "GroupAttribution: scores must hold rows × outputs × groups values")
    self.rows = rows
    self.outputs = outputs
    self.groups = groups
    self.scores = scores
  }

  /// The feature attribution as singleton groups.
  public init(_ a: FeatureAttribution) {
    self.init(rows: a.rows, outputs: a.outputs, groups: (0..<a.features).map { [$0] }, scores: a.values)
  }

  public subscript(row: Int, output: Int, group: Int) -> Double {
    scores[(row * outputs + output) * groups.count + group]
  }
}
