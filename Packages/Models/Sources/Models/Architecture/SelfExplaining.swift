/// A model whose explanation is part of the model: the scores it returns are exact, not
/// estimated, and add up to its output.
///
/// Requirement on conformers: for every row r and output o,
///
///   feature attributions:  base[r, o] + Σᵢ φ[r, o, i] = logit_o(x_r)
///   group attributions:    base[r, o] + Σⱼ φ[r, o, j] = logit_o(x_r)   (base 0 when nil)
///
/// up to Float rounding of the forward pass, which every conformer's tests check. A conformer
/// also returns itself from ``TabularModel/selfExplaining``.
public protocol SelfExplaining: TabularModel {
  /// The model's own explanation of every output for `rows` encoded rows (row-major,
  /// ``TabularModel/features`` values each), computed with the current parameters on
  /// `threads` threads.
  ///
  /// - Throws: `ExplanationError` when the rows do not have the model's width or hold NaN or ±∞.
  func explain(_ rows: [Float], threads: Int) throws -> ModelExplanation
}

/// What a self-explaining model returns: scores per feature (INN, logistic regression) or per
/// group of features (Sum-of-Parts).
public enum ModelExplanation: Sendable, Equatable {
  case features(FeatureAttribution)
  case groups(GroupAttribution)

  /// The feature attribution, or nil for a group attribution.
  public var features: FeatureAttribution? {
    if case .features(let a) = self { return a }
    return nil
  }

  /// The attribution as groups (a feature attribution as singleton groups).
  public var groups: GroupAttribution {
    switch self {
    case .features(let a): GroupAttribution(a)
    case .groups(let g): g
    }
  }
}

/// Why rows could not be explained by a model's own explanation.
public enum ExplanationError: Error, Equatable, CustomStringConvertible {
  case wrongWidth(values: Int, features: Int)
  case nonFinite(row: Int, feature: Int, value: Float)
  /// An ensemble was asked for its own explanation, but a member is a black box.
  case notSelfExplaining
  /// A global explanation was asked of an ensemble whose function is not additive (snapshots
  /// combined by averaging probabilities).
  case notAdditive

  public var description: String {
    switch self {
    case let .wrongWidth(values, features):
      "\(values) values is not a whole number of rows of the model's \(features) encoded features; pass rows of exactly \(features) values, row-major, after the model's preprocessing"
    case let .nonFinite(row, feature, value):
      "row \(row), feature \(feature) is \(value); the model explains finite values only (impute missing values first)"
    case .notSelfExplaining:
      "a member of the ensemble is a black box with no explanation of its own; explain it with a post-hoc method (SHAP, LIME, IG)"
    case .notAdditive:
      "the ensemble averages its snapshots' probabilities, so it is not additive and has no shape functions; explain rows with --method own or a post-hoc method"
    }
  }

  /// The number of rows in `rows`, after checking their width and finiteness.
  static func rowCount(_ rows: [Float], features: Int) throws -> Int {
    guard features > 0, rows.count % features == 0 else { throw ExplanationError.wrongWidth(values: rows.count, features: features) }
    if let bad = rows.firstIndex(where: { !$0.isFinite }) {
      throw ExplanationError.nonFinite(row: bad / features, feature: bad % features, value: rows[bad])
    }
    return rows.count / features
  }
}
