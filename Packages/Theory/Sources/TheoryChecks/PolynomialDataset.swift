import Models
import Tensor
import Theory

/// Training data drawn from a multilinear polynomial: inputs x on {0, 1}^d — every one of the
/// 2^d inputs when d ≤ 10, otherwise `samples` uniform draws — and the regression target
/// y = p(x). The rows are both the training and the test split: the models are asked to fit
/// p, not to generalise beyond the cube.
public enum PolynomialDataset {
  /// The largest d whose every input is used.
  public static let enumerationLimit = 10

  /// The rows of {0, 1}^d used for `polynomial`, row-major.
  public static func inputs(dimension d: Int, samples: Int?, seed: UInt64) throws -> [Float] {
    if d <= enumerationLimit && samples == nil {
      return (0..<(1 << d)).flatMap { s in (0..<d).map { Float((s >> $0) & 1) } }
    }
    guard let samples else { throw ReachabilityError.needsSamples(dimension: d) }
    var rng = RandomGenerator(seed: seed).stream(11)
    return (0..<(samples * d)).map { _ in Float(rng.next() >> 63) }
  }

  /// p at every row of `rows`, in Float (exact for the small coefficients of the catalogue).
  public static func targets(_ polynomial: Polynomial, rows: [Float]) -> [Float] {
    let d = polynomial.dimension
    guard d > 0 else { return [] }
    let terms = polynomial.terms.map { (Float($0.coefficient.doubleValue), $0.support) }
    return (0..<(rows.count / d)).map { r in
      terms.reduce(Float(0)) { total, term in total + term.1.reduce(term.0) { $0 * rows[r * d + $1] } }
    }
  }

  /// The dataset: features x1…xd, target y = p(x), regression.
  public static func make(_ polynomial: Polynomial, samples: Int?, seed: UInt64) throws -> PreparedDataset {
    let d = polynomial.dimension
    guard d >= 1 else { throw ReachabilityError.noVariables }
    // The models learn p's values in Float: a coefficient, or a value of p, beyond it is refused.
    if let term = polynomial.terms.first(where: { !Float($0.coefficient.doubleValue).isFinite }) {
      throw ReachabilityError.beyondFloat("the coefficient \(term.coefficient)")
    }
    let x = try inputs(dimension: d, samples: samples, seed: seed)
    let y = targets(polynomial, rows: x)
    // The regression loss squares the errors in Float: values beyond about 1e18 overflow it.
    if let bad = y.firstIndex(where: { !$0.isFinite || Swift.abs($0) > 1e18 }) {
      throw ReachabilityError.beyondFloat("p's value on training input \(bad + 1), \(y[bad]),")
    }
    return try PreparedDataset(name: "\(polynomial)", featureNames: (1...d).map { "x\($0)" }, xTrain: x, yTrain: y, xTest: x, yTest: y,
                               targetName: "p")
  }
}

/// Why a trained-reachability check could not run.
public enum ReachabilityError: Error, Equatable, CustomStringConvertible {
  case needsSamples(dimension: Int)
  case tooLarge(dimension: Int, maximum: Int)
  case samples(Int)
  case notSelfExplaining(String)
  case malformedReport(String)
  case noVariables
  case beyondFloat(String)
  case pointOutOfRange(coordinate: Int, value: String)
  case nonFinite(model: String, what: String, value: Double)

  public var description: String {
    switch self {
    case let .needsSamples(d):
      "d = \(d) has 2^\(d) inputs, more than the \(1 << PolynomialDataset.enumerationLimit) used whole; pass --samples N to train on N random inputs"
    case let .tooLarge(d, maximum):
      "d = \(d): the errors are summed over all 2^d subsets, which is done up to d = \(maximum)"
    case let .samples(n):
      "--samples must lie in 16...1000000, got \(n)"
    case let .malformedReport(reason):
      "the report does not describe a check: \(reason)"
    case let .beyondFloat(what):
      "\(what) is beyond what the models learn p's values in (Float, whose squares end near 1e38: values up to 1e18); scale the polynomial down"
    case .noVariables:
      "the polynomial has no variables (d = 0): there are no features to train on; give a polynomial in x1…xd with d ≥ 1"
    case let .pointOutOfRange(i, value):
      "coordinate \(i + 1) of --point, \(value), is beyond the largest Float (about 3.4e38), which the models compute in"
    case let .nonFinite(model, what, value):
      "\(model) gives \(value) as \(what): the point lies too far outside the cube {0, 1}^d the model was trained on for its Float arithmetic; give a point nearer the cube (--point)"
    case let .notSelfExplaining(name):
      "\(name): the check needs self-explaining regression models (one output) on the polynomial's features, such as Sum-of-Parts, NAM and INN"
    }
  }
}
