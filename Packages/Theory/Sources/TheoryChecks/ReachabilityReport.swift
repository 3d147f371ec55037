import Foundation
import Theory

/// The result of a trained-reachability check at one point for one error, in a form anyone can
/// recompute: every score is an exact rational (a Float's exact value), every error exact.
///
/// JSON keys: `polynomial`, `point`, `error` (insertion | deletion), `optimum` (the feature-wise
/// OPT), `zero_error_construction` (the error of Theorem 2.4's groups, 0), and `methods`, each with
/// `name`, `kind` (feature-wise | group), `groups` (0-based features; singletons for
/// feature-wise methods), `scores`, `error` (against p) and, for trained models, `model_error`
/// (against the model's own outputs, f(x_S) − f(0) or f(x) − f(x_¬S)).
public struct ReachabilityReport: Codable, Sendable, Equatable {
  public struct Method: Codable, Sendable, Equatable {
    public var name: String
    public var kind: String
    public var groups: [[Int]]
    public var scores: [Rational]
    public var error: Rational
    public var modelError: Rational?

    enum CodingKeys: String, CodingKey {
      case name, kind, groups, scores, error, modelError = "model_error"
    }
  }

  public var polynomial: String
  public var point: [Rational]
  public var error: ErrorKind
  public var optimum: Rational
  public var zeroErrorConstruction: Rational
  public var methods: [Method]

  enum CodingKeys: String, CodingKey {
    case polynomial, point, error, optimum, zeroErrorConstruction = "zero_error_construction", methods
  }

  /// The method called `name`.
  public func method(_ name: String) -> Method? { methods.first { $0.name == name } }

  /// Recomputes every method's error against p from the report alone (its polynomial, point,
  /// error kind, groups and scores), and the construction's; returns the names that differ from
  /// the recorded values (empty when the report holds).
  ///
  /// - Throws: ``ReachabilityError/malformedReport(_:)`` when the point, a group or a score list
  ///   does not fit the polynomial, and the parser's error for a polynomial it cannot read.
  public func recheck() throws -> [String] {
    let p = try PolynomialParser.parse(polynomial)
    let d = p.dimension
    guard point.count == d else { throw ReachabilityError.malformedReport("the point has \(point.count) coordinates for \(d) features") }
    var differing: [String] = []
    for method in methods {
      guard method.groups.count == method.scores.count else {
        throw ReachabilityError.malformedReport("\(method.name) has \(method.groups.count) groups and \(method.scores.count) scores")
      }
      for group in method.groups where group.isEmpty || group.contains(where: { !(0..<d).contains($0) }) || Set(group).count != group.count {
        throw ReachabilityError.malformedReport("\(method.name) has the group \(group), not distinct features in 0..<\(d)")
      }
      let program = ErrorProgram(polynomial: p, point: point, kind: error, groups: method.groups)
      if program.error(scores: method.scores) != method.error { differing.append(method.name) }
    }
    let construction = ZeroErrorCheck.groupError(ErrorProgram(polynomial: p, point: point, kind: error))
    if construction != zeroErrorConstruction { differing.append("zero_error_construction") }
    return differing
  }
}
