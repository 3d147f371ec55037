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

extension GlobalExplanation {
  /// Tabulates additive functions: for each feature j, `functions(j, values)` gives, per
  /// ensemble member, fⱼ at each distinct value of feature j in `trainingRows` ([member][value][output]).
  /// The mean over members is the shape, their standard deviation the spread (with several);
  /// each shape is centred by its mean over the rows, which goes into `intercept`.
  public init(trainingRows: [Float], features d: Int, outputs k: Int, intercept: [Double],
              functions: (Int, [Float]) -> [[[Double]]]) throws {
    let n = try ExplanationError.rowCount(trainingRows, features: d)
    guard n > 0 else { throw ExplanationError.wrongWidth(values: 0, features: d) }
    var intercept = intercept
    var shapes: [ShapeFunction] = []
    for j in 0..<d {
      var counts: [Float: Int] = [:]
      for r in 0..<n { counts[trainingRows[r * d + j], default: 0] += 1 }
      let values = counts.keys.sorted()
      let perMember = functions(j, values)
      var mean = [[Double]](repeating: [Double](repeating: 0, count: k), count: values.count)
      var spread: [[Double]]? = perMember.count > 1 ? mean : nil
      for v in values.indices {
        for o in 0..<k {
          let samples = perMember.map { $0[v][o] }
          let m = samples.reduce(0, +) / Double(samples.count)
          mean[v][o] = m
          if spread != nil { spread![v][o] = (samples.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(samples.count)).squareRoot() }
        }
      }
      var importance = [Double](repeating: 0, count: k)
      for o in 0..<k {
        let centre = values.indices.reduce(0.0) { $0 + mean[$1][o] * Double(counts[values[$1]]!) } / Double(n)
        intercept[o] += centre
        for v in values.indices { mean[v][o] -= centre }
        importance[o] = values.indices.reduce(0.0) { $0 + Swift.abs(mean[$1][o]) * Double(counts[values[$1]]!) } / Double(n)
      }
      shapes.append(ShapeFunction(feature: j, values: values, counts: values.map { counts[$0]! }, contributions: mean, spread: spread, importance: importance))
    }
    self.init(intercept: intercept, shapes: shapes)
  }
}
