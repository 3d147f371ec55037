/// A model whose prediction is a sum of one function per feature (NAM), which can therefore be
/// explained globally by those functions.
public protocol GlobalExplaining: TabularModel {
  /// Each feature's function tabulated on the distinct values it takes in `trainingRows`
  /// (encoded, row-major), centred so its mean over those rows is 0, with the means folded into
  /// the intercept: for every row, intercept + Σⱼ shapeⱼ(xⱼ) is still the logit.
  func globalExplanation(trainingRows: [Float]) throws -> GlobalExplanation
}

/// Shape functions and importances (``GlobalExplaining``).
public struct GlobalExplanation: Sendable, Equatable {
  /// β plus the folded means, per output.
  public var intercept: [Double]
  /// One per encoded feature, in order.
  public var shapes: [ShapeFunction]
}

/// One feature's function on the values it takes in the training rows.
public struct ShapeFunction: Sendable, Equatable {
  /// The encoded feature.
  public var feature: Int
  /// Its distinct values, ascending (encoded: standardised, or 0/1 for a category).
  public var values: [Float]
  /// The training rows at each value (the data density).
  public var counts: [Int]
  /// fⱼ(value) − mean, per value and output: [values.count][outputs].
  public var contributions: [[Double]]
  /// The standard deviation over the ensemble's networks of each entry, when there are several.
  public var spread: [[Double]]?
  /// mean over the training rows of |fⱼ(xⱼ) − mean|, per output.
  public var importance: [Double]
}
