import Attribution
import Foundation
import Models
import PropertyBased
import Tensor
import Testing
import Theory
import TheoryChecks

/// A Sum-of-Parts model with its groups fixed to a polynomial's supports and a perfect backbone:
/// group T contributes c_T·∏_{j∈T} xⱼ, computed in Float as a trained network would, and the
/// prediction is the Float sum of the contributions.
final class SupportsModel: TabularModel, SelfExplaining {
  let polynomial: Polynomial
  var mode = ModuleMode()
  init(_ polynomial: Polynomial) { self.polynomial = polynomial }

  var features: Int { polynomial.dimension }
  var outputs: Int { 1 }
  var ownParameters: [(name: String, parameter: Parameter)] { [] }
  var selfExplaining: (any SelfExplaining)? { self }
  func inferencePlan() -> any InferencePlan { ForwardPassPlan(self) }

  func contributions(_ row: ArraySlice<Float>) -> [Float] {
    polynomial.terms.map { term in term.support.reduce(Float(term.coefficient.doubleValue)) { $0 * row[row.startIndex + $1] } }
  }

  func callAsFunction(_ x: Tensor) -> Tensor {
    let d = features
    let rows = x.shape[0]
    return Tensor(shape: [rows, 1], scalars: (0..<rows).map { r in contributions(x.scalars[(r * d)..<((r + 1) * d)]).reduce(0, +) })
  }

  func explain(_ rows: [Float], threads: Int) throws -> ModelExplanation {
    let d = features
    let n = rows.count / d
    let scores = (0..<n).flatMap { r in contributions(rows[(r * d)..<((r + 1) * d)]).map(Double.init) }
    return .groups(GroupAttribution(rows: n, outputs: 1, groups: polynomial.terms.map(\.support), scores: scores, method: "supports"))
  }
}

/// A feature-wise self-explaining model: φⱼ(x) = xⱼ·(wⱼ + vⱼ·xⱼ) in Float, f(x) = Σⱼ φⱼ(x) + bias.
final class FeatureModel: TabularModel, SelfExplaining {
  let w: [Float], v: [Float], bias: Float
  var mode = ModuleMode()
  init(w: [Float], v: [Float], bias: Float) { (self.w, self.v, self.bias) = (w, v, bias) }

  var features: Int { w.count }
  var outputs: Int { 1 }
  var ownParameters: [(name: String, parameter: Parameter)] { [] }
  var selfExplaining: (any SelfExplaining)? { self }
  func inferencePlan() -> any InferencePlan { ForwardPassPlan(self) }

  func phi(_ row: ArraySlice<Float>) -> [Float] {
    (0..<w.count).map { j in let x = row[row.startIndex + j]; return x * (w[j] + v[j] * x) }
  }

  func callAsFunction(_ x: Tensor) -> Tensor {
    let d = features
    return Tensor(shape: [x.shape[0], 1], scalars: (0..<x.shape[0]).map { r in phi(x.scalars[(r * d)..<((r + 1) * d)]).reduce(bias, +) })
  }

  func explain(_ rows: [Float], threads: Int) throws -> ModelExplanation {
    let d = features
    let n = rows.count / d
    return .features(FeatureAttribution(rows: n, outputs: 1, features: d,
                                        values: (0..<n).flatMap { r in phi(rows[(r * d)..<((r + 1) * d)]).map(Double.init) }, method: "phi"))
  }
}

@Suite("Trained reachability: exact errors of Float explanations")
struct ReachabilityTests {
  /// A random multilinear polynomial over d features: 1–4 terms with distinct non-empty
  /// supports and coefficients p/q with q ∈ {1, 2, 3} (1/3 is not a Float).
  static func polynomial(_ seed: Int, d: Int) -> Polynomial {
    var rng = RandomGenerator(seed: UInt64(seed))
    var supports: [[Int]] = []
    for _ in 0..<(1 + Int(rng.next() % 4)) {
      let support = (0..<d).filter { _ in rng.next() % 2 == 0 }
      if !support.isEmpty && !supports.contains(support) { supports.append(support) }
    }
    if supports.isEmpty { supports = [[Int(rng.next() % UInt64(d))]] }
    return Polynomial(dimension: d, terms: supports.map { support in
      Polynomial.Term(coefficient: Rational(Int(rng.next() % 9) - 4 == 0 ? 1 : Int(rng.next() % 9) - 4, 1 + Int(rng.next() % 3)), support: support)
    })
  }

  /// A point whose coordinates are Floats exactly: 1, 1/2, 3/4, 2 or 0.
  static func point(_ seed: Int, d: Int) -> [Rational] {
    var rng = RandomGenerator(seed: UInt64(seed)).stream(1)
    let choices: [Rational] = [1, Rational(1, 2), Rational(3, 4), 2, 1, 0]
    return (0..<d).map { _ in choices[Int(rng.next() % UInt64(choices.count))] }
  }

  /// E by its definition, subset by subset: Σ_S |b_S − Σ_{g counted in S} c_g|, with b_S from
  /// p evaluated exactly at x_S (insertion: x on S, 0 elsewhere; deletion: x off S).
  static func bruteForceError(_ p: Polynomial, point: [Rational], kind: ErrorKind, groups: [[Int]], scores: [Rational]) -> Rational {
    let d = p.dimension
    func value(_ keep: (Int) -> Bool) -> Rational {
      p.terms.reduce(Rational.zero) { sum, term in sum + term.support.reduce(term.coefficient) { $0 * (keep($1) ? point[$1] : .zero) } }
    }
    var total = Rational.zero
    for s in 0..<(1 << d) {
      let inS = { (i: Int) in s & (1 << i) != 0 }
      let b = kind == .insertion ? value(inS) - value { _ in false } : value { _ in true } - value { !inS($0) }
      var a = Rational.zero
      for (g, c) in zip(groups, scores) where kind == .insertion ? g.allSatisfy(inS) : g.contains(where: inS) { a += c }
      total += (b - a).magnitude
    }
    return total
  }

  @Test("Float → Rational is the Float's exact binary value m·2^e, and converts back to the same Float")
  func floatConversionIsExact() async {
    await propertyCheck(count: 300, input: Gen.int(in: 0...Int(UInt32.max))) { bits in
      let f = Float(bitPattern: UInt32(bits))
      guard f.isFinite else {
        #expect(Rational(exactly: f) == nil)
        return
      }
      let r = try #require(Rational(exactly: f))
      #expect(Float(r.doubleValue) == f)
      // m·2^e from the bit pattern, by integer arithmetic alone.
      let m = Int(f.significandBitPattern) | (f.exponentBitPattern == 0 ? 0 : 1 << 23)
      let e = (f.exponentBitPattern == 0 ? -126 : Int(f.exponentBitPattern) - 127) - 23
      var value = Rational(f.sign == .minus ? -m : m)
      for _ in 0..<abs(e) { value = e > 0 ? value * 2 : value / 2 }
      #expect(r == value, "\(f): \(r) vs \(value)")
    }
    #expect(Rational(exactly: Float(0.1)) == Rational(13_421_773, 134_217_728))
  }

  @Test("for random polynomials with d ≤ 8 and random Float feature-wise scores, E(scores) ≥ OPT exactly")
  func floatScoresNeverBeatTheBound() async {
    await propertyCheck(count: 25, input: Gen.int(in: 0...1_000_000), Gen.int(in: 1...8)) { seed, d in
      let p = Self.polynomial(seed, d: d)
      let x = Self.point(seed, d: d)
      var rng = RandomGenerator(seed: UInt64(seed)).stream(2)
      for kind in ErrorKind.allCases {
        let program = ErrorProgram(polynomial: p, point: x, kind: kind)
        let solution = try program.solve()
        let candidates: [[Float]] = [
          (0..<d).map { _ in 6 * rng.nextUniform() - 3 },
          solution.alpha.map { Float($0.doubleValue) },
          solution.alpha.map { Float($0.doubleValue).nextUp },
          ReachabilityCheck.shapley(p, point: x).map { Float($0.doubleValue) },
        ]
        for scores in candidates {
          let exact = scores.map { Rational(exactly: $0)! }
          let e = program.error(scores: exact)
          #expect(e >= solution.optimum, "\(p) at \(x), \(kind): \(scores) errs \(e) < OPT \(solution.optimum)")
          if d <= 6 {
            #expect(e == Self.bruteForceError(p, point: x, kind: kind, groups: (0..<d).map { [$0] }, scores: exact))
          }
        }
        #expect(program.error(scores: solution.alpha) == solution.optimum)
      }
    }
  }

  @Test("a Sum-of-Parts model with its groups fixed to the supports reaches zero error up to its float error, against p and itself")
  func supportsReachZero() async {
    await propertyCheck(count: 20, input: Gen.int(in: 0...1_000_000), Gen.int(in: 2...8)) { seed, d in
      let p = Self.polynomial(seed, d: d)
      let x = Self.point(seed, d: d)
      let model = SupportsModel(p)
      let features = FeatureModel(w: (0..<d).map { Float($0) / 3 }, v: (0..<d).map { 0.25 * Float($0 % 3) }, bias: 0.5)
      for kind in ErrorKind.allCases {
        let report = try ReachabilityCheck.evaluate(p, point: x, kind: kind, models: [("sop", model), ("features", features)])
        let sop = try #require(report.method("sop"))
        // Each contribution rounds a product of at most d + 1 Floats; each b_S sums at most 4.
        let bound = Rational(exactly: Double(1 << d) * 4 * 1e-5 * (1 + p.terms.map { abs($0.coefficient.doubleValue) }.reduce(0, +)) * 16)!
        #expect(sop.kind == "group" && sop.groups == p.terms.map(\.support))
        #expect(sop.error <= bound, "\(p) at \(x): \(sop.error)")
        #expect(try #require(sop.modelError) <= bound)
        #expect(report.zeroErrorConstruction.isZero)
        #expect(sop.error == Self.bruteForceError(p, point: x, kind: kind, groups: sop.groups, scores: sop.scores))
        // The feature-wise model's scores are φⱼ(x*) − φⱼ(0) and cannot go below OPT.
        let phi = try #require(report.method("features"))
        #expect(phi.scores == (0..<d).map { j in Rational(exactly: Double(features.phi(x.map { Float($0.doubleValue) }[...])[j]))! })
        #expect(phi.error >= report.optimum)
        #expect(try #require(report.method("optimal-feature-wise")).error == report.optimum)
        #expect(try #require(report.method("shapley")).error >= report.optimum)
      }
    }
  }

  @Test("every error of the JSON report recomputes from its groups and scores alone; an altered score is caught")
  func jsonRecomputes() throws {
    let p = Polynomial.binomial(2, 2, 2)
    let report = try ReachabilityCheck.evaluate(p, point: Array(repeating: 1, count: 6), kind: .deletion, models: [
      ("sop", SupportsModel(Polynomial(dimension: 6, terms: p.terms.map { Polynomial.Term(coefficient: $0.coefficient * Rational(2, 3), support: $0.support) }))),
      ("features", FeatureModel(w: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], v: [0, 0, 0, 0, 0, 0], bias: 0)),
    ])
    let data = try JSONEncoder().encode(report)
    // Recompute from the JSON text with Theory alone, not through ReachabilityReport.
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let polynomial = try PolynomialParser.parse(try #require(object["polynomial"] as? String))
    let point = try #require(object["point"] as? [String]).map { Rational($0)! }
    let kindName = try #require(object["error"] as? String)
    let kind = try #require(ErrorKind(rawValue: kindName))
    let methods = try #require(object["methods"] as? [[String: Any]])
    #expect(methods.map { $0["name"] as? String } == ["sop", "features", "shapley", "optimal-feature-wise"])
    for method in methods {
      let groups = try #require(method["groups"] as? [[Int]])
      let scores = try #require(method["scores"] as? [String]).map { Rational($0)! }
      let errorText = try #require(method["error"] as? String)
      let recorded = try #require(Rational(errorText))
      #expect(ErrorProgram(polynomial: polynomial, point: point, kind: kind, groups: groups).error(scores: scores) == recorded)
    }
    #expect(object["optimum"] as? String == "32" && object["zero_error_construction"] as? String == "0")
    #expect(try report.recheck().isEmpty)
    // Each SOP contribution is q = Float(2/3) exactly, once per term S meets: E = (1 − q)·Σ_S b_S.
    let q = try #require(Rational(exactly: Float(2.0 / 3.0)))
    let targets = ErrorProgram(polynomial: p, kind: .deletion).targets()
    #expect(report.method("sop")?.error == targets.reduce(Rational.zero, +) * (1 - q))

    var altered = try JSONDecoder().decode(ReachabilityReport.self, from: data)
    #expect(altered == report)
    altered.methods[1].scores[2] += Rational(1, 1 << 20)
    #expect(try altered.recheck() == ["features"])
    altered.methods[0].groups[0] = [0, 6]
    #expect(throws: ReachabilityError.self) { try altered.recheck() }
  }

  @Test("the exact model error agrees with Attribution's insertion/deletion error of the same explanation (Double, zero baseline)")
  func modelErrorMatchesAttribution() async {
    await propertyCheck(count: 15, input: Gen.int(in: 0...1_000_000), Gen.int(in: 2...7)) { seed, d in
      let p = Self.polynomial(seed, d: d)
      let x = Self.point(seed, d: d)
      var rng = RandomGenerator(seed: UInt64(seed)).stream(3)
      // Weights off the polynomial's, so that the explanation is not faithful and the error is not 0.
      let features = FeatureModel(w: (0..<d).map { _ in rng.nextUniform() * 2 - 1 }, v: (0..<d).map { _ in rng.nextUniform() - 0.5 }, bias: 0.25)
      let rows = x.map { Float($0.doubleValue) }
      for kind in ErrorKind.allCases {
        let report = try ReachabilityCheck.evaluate(p, point: x, kind: kind, models: [("sop", SupportsModel(p)), ("features", features)])
        for (name, model) in [("sop", SupportsModel(p) as any TabularModel), ("features", features)] {
          let method = try #require(report.method(name))
          let attribution = try #require(model.selfExplaining).explain(rows, threads: 1).groups
          // The same explanation as the check's: φ(0) = 0 for this feature-wise model.
          let metric = InsertionDeletionError(kind: kind == .insertion ? .insertion : .deletion, baseline: .zero)
          let double = try metric.evaluate(TabularModelAdapter(model, threads: 1), rows: rows, attribution: attribution)[0].total
          let exact = try #require(method.modelError).doubleValue
          #expect(abs(double - exact) <= 1e-9 * (1 + abs(exact)) + 1e-6, "\(p) \(kind) \(name): Attribution \(double), exact \(exact)")
        }
      }
    }
  }
}
