import Attribution
import Foundation
import Models
import Tensor
import Theory

/// Checks Sum-of-Parts' Theorem 2.4 on trained models: at a point x*, the insertion or deletion
/// error — summed over all 2^d subsets, exactly — of Sum-of-Parts' groups against the bound OPT
/// that no feature-wise attribution can beat, next to the feature-wise attributions of NAM,
/// INN and the exact Shapley values of p, and Theory's optimal α (which reaches OPT).
///
/// Scores come from the models as Floats and are taken at their exact binary value; the
/// targets b_S are p's, exactly, and — for the model-faithfulness errors — the model's own
/// outputs on x*_S, again exactly. So every number is exact, and the groups and scores in the
/// report suffice to recompute the errors against p (``ReachabilityReport/recheck()``).
public enum ReachabilityCheck {
  /// The report for `kind` at `point` for trained self-explaining regression models, in order:
  /// each explains itself at x* by groups (Sum-of-Parts: its groups and their contributions) or
  /// by features (φⱼ(x*) − φⱼ(0): NAM's fⱼ(x*ⱼ) − fⱼ(0), INN's wⱼ(x*)·x*ⱼ, whose value at 0 is 0),
  /// followed by p's exact Shapley values and Theory's optimal α.
  public static func evaluate(_ polynomial: Polynomial, point: [Rational], kind: ErrorKind,
                              models: [(name: String, model: any TabularModel)]) throws -> ReachabilityReport {
    let d = polynomial.dimension
    guard d <= ErrorProgram.maximumFullDimension else { throw ReachabilityError.tooLarge(dimension: d, maximum: ErrorProgram.maximumFullDimension) }
    let program = ErrorProgram(polynomial: polynomial, point: point, kind: kind)
    let optimum = try program.solve()
    let x = point.map { Float($0.doubleValue) }
    if let i = x.firstIndex(where: { !$0.isFinite }) {
      throw ReachabilityError.pointOutOfRange(coordinate: i, value: point[i].description)
    }
    let singletons = (0..<d).map { [$0] }
    var methods: [ReachabilityReport.Method] = []
    for (name, model) in models {
      guard model.features == d, model.outputs == 1, let explainer = model.selfExplaining else {
        throw ReachabilityError.notSelfExplaining(name)
      }
      switch try explainer.explain(x, threads: 1) {
      case .groups(let attribution):
        let scores = try (0..<attribution.groups[0].count).map { try exact(attribution[0, 0, $0], of: name, what: "a group's contribution") }
        methods.append(try method(name, kind: "group", groups: attribution.groups[0], scores: scores, program: program, model: model, x: x))
      case .features(let atPoint):
        guard case .features(let atZero) = try explainer.explain([Float](repeating: 0, count: d), threads: 1) else {
          throw ReachabilityError.notSelfExplaining(name)
        }
        let scores = try zip(atPoint.scores(row: 0), atZero.scores(row: 0)).map {
          try exact($0, of: name, what: "a feature's score") - exact($1, of: name, what: "a feature's score at 0")
        }
        methods.append(try method(name, kind: "feature-wise", groups: singletons, scores: scores, program: program, model: model, x: x))
      }
    }
    // The exact Shapley values of p at x* (baseline 0; the insertion and deletion games have the same).
    methods.append(try method("shapley", kind: "feature-wise", groups: singletons, scores: shapley(polynomial, point: point),
                              program: program, model: nil, x: x))
    // Theory's optimal feature-wise attribution, which reaches OPT.
    methods.append(try method("optimal-feature-wise", kind: "feature-wise", groups: singletons, scores: optimum.alpha, program: program,
                              model: nil, x: x))
    return ReachabilityReport(polynomial: polynomial.description, point: point, error: kind, optimum: optimum.optimum,
                              zeroErrorConstruction: ZeroErrorCheck.groupError(program), methods: methods)
  }

  /// φᵢ = Σ over terms T ∋ i of c_T·∏_{j∈T} x*ⱼ / |T|: each term's value shared equally by its
  /// features (the Shapley value of the game v(S) = p(x*_S) − p(0)).
  public static func shapley(_ polynomial: Polynomial, point: [Rational]) -> [Rational] {
    var phi = [Rational](repeating: .zero, count: polynomial.dimension)
    for term in polynomial.terms where !term.support.isEmpty {
      let share = term.support.reduce(term.coefficient) { $0 * point[$1] } / Rational(term.support.count)
      for i in term.support { phi[i] += share }
    }
    return phi
  }

  /// A Float's (or a Double's) exact value; an error naming the model when it is not finite.
  static func exact(_ value: Double, of model: String, what: String) throws -> Rational {
    guard let r = Rational(exactly: value) else { throw ReachabilityError.nonFinite(model: model, what: what, value: value) }
    return r
  }

  static func method(_ name: String, kind: String, groups: [[Int]], scores: [Rational], program: ErrorProgram, model: (any TabularModel)?,
                     x: [Float]) throws -> ReachabilityReport.Method {
    let grouped = ErrorProgram(polynomial: program.polynomial, point: program.point, kind: program.kind, groups: groups)
    let modelError = try model.map { grouped.error(scores: scores, targets: try modelTargets($0, named: name, x: x, kind: program.kind)) }
    return ReachabilityReport.Method(name: name, kind: kind, groups: groups, scores: scores, error: grouped.error(scores: scores), modelError: modelError)
  }

  /// b_S from the model itself for every subset S (bit i set ⇔ feature i ∈ S): f(x_S) − f(0) for
  /// insertion, f(x) − f(x_¬S) for deletion, with x_S keeping x on S and 0 elsewhere; the Float
  /// outputs are taken exactly. The same targets as Attribution's `InsertionDeletionError` with
  /// a zero baseline, which evaluates them in Double (a test keeps the two in step).
  static func modelTargets(_ model: any TabularModel, named name: String, x: [Float], kind: ErrorKind) throws -> [Rational] {
    let d = x.count
    let n = 1 << d
    var rows = [Float](repeating: 0, count: n * d)
    for s in 0..<n { for i in 0..<d where s & (1 << i) != 0 { rows[s * d + i] = x[i] } }
    // The model as every metric of Attribution sees it (one thread: the same Floats every run).
    let outputs = try TabularModelAdapter(model, threads: 1).evaluate(rows, count: n)
    let f = try outputs.map { try exact(Double($0), of: name, what: "its output on a subset of the point's features") }
    return (0..<n).map { s in kind == .insertion ? f[s] - f[0] : f[n - 1] - f[(n - 1) ^ s] }
  }
}
