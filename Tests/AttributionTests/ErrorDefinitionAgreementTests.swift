// One definition of the insertion and deletion errors: Attribution's metric, which evaluates a
// model on masked rows, and Theory's exact program, which reads b_S off the polynomial, must
// give the same total error for the same polynomial, point and scores. With small dyadic
// coefficients, coordinates and scores every Float and Double operation below is exact, so
// the two must agree exactly, not approximately.

import Attribution
import Models
import PropertyBased
import Testing
import Theory

@Suite("Insertion/deletion error: Attribution and Theory agree")
struct ErrorDefinitionAgreementTests {
  /// A random multilinear polynomial with coefficients in {−3, …, 3}/2, a point with
  /// coordinates in {−2, −1.75, …, 2}, feature scores in {−4, …, 4}/4 and, for groups, random
  /// supports (possibly overlapping, possibly repeated).
  struct Instance {
    var d: Int
    var terms: [(coefficient: Int, support: [Int])]
    var point: [Int]  // quarters
    var scores: [Int]  // quarters
    var groups: [[Int]]?

    init(seed: UInt64, d: Int, grouped: Bool) {
      var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
      func next(_ n: Int) -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(state % UInt64(n))
      }
      self.d = d
      terms = (0..<(1 + next(4))).map { _ in (next(7) - 3, (0..<d).filter { _ in next(2) == 1 }) }
      point = (0..<d).map { _ in next(17) - 8 }
      let groupList: [[Int]]? = grouped ? (0..<(1 + next(4))).map { _ in (0..<d).filter { _ in next(2) == 1 } } : nil
      groups = groupList
      scores = (0..<(groupList?.count ?? d)).map { _ in next(9) - 4 }
    }

    var polynomial: Polynomial {
      Polynomial(dimension: d, terms: terms.map { Polynomial.Term(coefficient: Rational($0.coefficient, 2), support: $0.support) })
    }

    /// p evaluated in Float on every row.
    var model: ClosureModel {
      let (d, terms) = (d, terms)
      return ClosureModel(features: d, outputs: 1) { rows, n in
        (0..<n).map { r in
          terms.reduce(Float(0)) { total, term in total + term.support.reduce(Float(term.coefficient) / 2) { $0 * rows[r * d + $1] } }
        }
      }
    }
  }

  @Test("the total error over all 2^d subsets is the same number in both packages (features and groups, d ≤ 8)")
  func agree() async {
    await propertyCheck(count: 60, input: Gen.uint64(), Gen.int(in: 1...8), Gen.bool) { seed, d, grouped in
      let instance = Instance(seed: seed, d: d, grouped: grouped)
      let x = instance.point.map { Float($0) / 4 }
      for kind in RemovalKind.allCases {
        let metric = InsertionDeletionError(kind: kind)
        let reports: [SubsetErrorReport]
        if let groups = instance.groups {
          let attribution = GroupAttribution(rows: 1, outputs: 1, groups: groups, scores: instance.scores.map { Double($0) / 4 })
          reports = try metric.evaluate(instance.model, rows: x, attribution: attribution)
        } else {
          let attribution = FeatureAttribution(rows: 1, outputs: 1, features: d, values: instance.scores.map { Double($0) / 4 }, method: "test")
          reports = try metric.evaluate(instance.model, rows: x, attribution: attribution)
        }
        let program = ErrorProgram(polynomial: instance.polynomial, point: instance.point.map { Rational($0, 4) },
                                   kind: kind == .insertion ? .insertion : .deletion, groups: instance.groups)
        let exact = program.error(scores: instance.scores.map { Rational($0, 4) })
        #expect(reports.count == 1 && reports[0].exact)
        #expect(reports[0].total == exact.doubleValue, "\(instance.polynomial) at \(x), \(kind): Attribution \(reports[0].total), Theory \(exact)")
      }
    }
  }

  @Test("Theory's exact optimum is a lower bound Attribution's metric reaches with Theory's optimal α")
  func optimumReached() async {
    await propertyCheck(count: 20, input: Gen.uint64(), Gen.int(in: 1...6)) { seed, d in
      let instance = Instance(seed: seed, d: d, grouped: false)
      for kind in RemovalKind.allCases {
        let program = ErrorProgram(polynomial: instance.polynomial, point: instance.point.map { Rational($0, 4) },
                                   kind: kind == .insertion ? .insertion : .deletion)
        let solution = try program.solve()
        let alpha = solution.alpha.map(\.doubleValue)
        let attribution = FeatureAttribution(rows: 1, outputs: 1, features: d, values: alpha, method: "theory")
        let report = try InsertionDeletionError(kind: kind).evaluate(instance.model, rows: instance.point.map { Float($0) / 4 }, attribution: attribution)
        #expect(Swift.abs(report[0].total - solution.optimum.doubleValue) <= 1e-9 * Swift.max(1, solution.optimum.doubleValue))
      }
    }
  }
}
