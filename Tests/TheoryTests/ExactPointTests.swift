// Points with large denominators — decimals given to 34 digits, coordinates converted exactly
// from Float and Double — are solved exactly: the targets are beyond the exact simplex's 64-bit
// pivoting, so the rounded program's basis is finished in rational arithmetic and verified.

import PropertyBased
import Testing
@testable import Theory

@Suite("Exact optima at Float- and Double-derived points")
struct ExactPointTests {
  /// Coordinates in (−2, 2), converted exactly from Float (denominators up to 2^150) or Double.
  static func point(_ seed: Int, d: Int, double: Bool) -> [Rational] {
    var state = UInt64(truncatingIfNeeded: seed) &* 0x2545_F491_4F6C_DD1D | 1
    return (0..<d).map { _ in
      state ^= state << 13; state ^= state >> 7; state ^= state << 17
      let u = Double(state >> 11) / Double(1 << 53) * 4 - 2
      return Rational(exactly: double ? u : Double(Float(u)))!
    }
  }

  @Test("the issue's instance: a 34-digit decimal point gives OPT = 91/25 for insertion and deletion, exactly")
  func decimalPoint() throws {
    let p = try PolynomialParser.parse("2 x1 x2 - x2 x3 + 1/2 x4")
    let x = ["0.1000000000000000055511151231257827", "0.7", "-1.3", "0.25"].map { Rational($0)! }
    for kind in ErrorKind.allCases {
      let program = ErrorProgram(polynomial: p, point: x, kind: kind)
      let solution = try program.solve()
      #expect(solution.optimum == Rational(91, 25))
      #expect(solution.method == .full)
      guard case .rescaledExactSimplex = solution.solver else { Issue.record("solved by \(solution.solver)"); continue }
      #expect(try CertificateVerifier.verify(solution.certificate()) == solution.optimum)
      #expect(solution.optimum == (try GLPKDualSolver.solve(program)).optimum)
    }
  }

  @Test("coordinates beyond Double's range (1e400, 1e-400) are exact too; GLPK, which reads Doubles, refuses them clearly")
  func beyondDouble() throws {
    let p = try PolynomialParser.parse("x1 x2 + x2 x3 - 2 x1 x3")
    for x in [["1e400", "1", "1"], ["1e-400", "3", "-1"], ["1e400", "1e-400", "7/3"]] {
      let point = x.map { Rational($0)! }
      for kind in ErrorKind.allCases {
        let program = ErrorProgram(polynomial: p, point: point, kind: kind)
        let solution = try program.solve()
        #expect(solution.optimum == DualityTests.bruteForce(program), "\(x), \(kind)")
        #expect(try CertificateVerifier.verify(solution.certificate()) == solution.optimum)
      }
    }
    let huge = ErrorProgram(polynomial: p, point: ["1e400", "1", "1"].map { Rational($0)! }, kind: .insertion)
    #expect(throws: TheoryError.self) { try huge.solve(method: .glpk) }
  }

  @Test("random polynomials at Float- and Double-derived points: OPT equals brute force and the certificate verifies")
  func floatAndDoublePoints() async {
    await propertyCheck(count: 30, input: Gen.int(in: 0...1_000_000), Gen.int(in: 1...4), Gen.bool) { seed, d, double in
      let p = DualityTests.polynomial(seed, d: d)
      let x = Self.point(seed, d: d, double: double)
      for kind in ErrorKind.allCases {
        let program = ErrorProgram(polynomial: p, point: x, kind: kind)
        let solution = try program.solve(method: .full)
        #expect(solution.optimum == DualityTests.bruteForce(program), "\(p) at \(x), \(kind)")
        #expect(program.error(scores: solution.alpha) == solution.optimum)
        #expect(try CertificateVerifier.verify(solution.certificate()) == solution.optimum)
      }
    }
  }

  @Test("the rational dual simplex alone, started from the all-slack basis, reaches the exact simplex's optimum (features and groups)")
  func rationalSimplexFromScratch() async {
    await propertyCheck(count: 25, input: Gen.int(in: 0...1_000_000), Gen.int(in: 2...5), Gen.bool) { seed, d, grouped in
      let p = DualityTests.polynomial(seed, d: d)
      let groups = grouped ? ExactSimplexTests.groups(seed, d: d) : nil
      for kind in ErrorKind.allCases {
        let program = ErrorProgram(polynomial: p, point: Self.point(seed &+ 7, d: d, double: false), kind: kind, groups: groups)
        let masks = program.groupMasks
        let columns = try IntegerColumns(rows: masks.count, count: program.subsetCount) { s, column in
          for (g, mask) in masks.enumerated() where program.explains(mask, subset: UInt64(s)) { column[g] = 1 }
        }
        let simplex = RationalDualSimplex(columns: columns, targets: program.targets(), bounds: .uniform(1))
        let slack = (0..<masks.count).map { columns.count + $0 }
        let optimum = try simplex.solve(basic: slack, isUpper: [Bool](repeating: false, count: columns.count))
        #expect(optimum.optimum == (try program.solve(method: .full)).optimum, "\(p), groups \(groups ?? []), \(kind)")
        #expect(program.error(scores: optimum.y) == optimum.optimum)
      }
    }
  }

  @Test("the symmetric program at a Float-derived point constant on blocks equals the full program")
  func symmetricProgram() throws {
    let third = Rational(exactly: Double(Float(1.0 / 3.0)))!
    let p = Polynomial.binomial(2, 2, 2)
    for kind in ErrorKind.allCases {
      let program = ErrorProgram(polynomial: p, point: [Rational](repeating: third, count: 6), kind: kind)
      let symmetric = try program.solve(method: .symmetric)
      let full = try program.solve(method: .full)
      #expect(symmetric.optimum == full.optimum && symmetric.method == .symmetric)
      #expect(try CertificateVerifier.verify(symmetric.certificate()) == symmetric.optimum)
    }
  }

  @Test("the solver policy: full up to d = 16, symmetric for large block-structured instances, errors that say why")
  func policy() throws {
    #expect(try ErrorProgram(polynomial: .binomial(2, 2, 2), kind: .insertion).resolvedMethod(.auto) == .full)
    #expect(try ErrorProgram(polynomial: .binomial(10, 10, 10), kind: .insertion).resolvedMethod(.auto) == .symmetric)
    #expect(throws: TheoryError.dimensionTooLarge(d: 30, maximum: 20)) {
      try ErrorProgram(polynomial: .binomial(10, 10, 10), kind: .insertion).resolvedMethod(.full)
    }
    let grouped = ErrorProgram(polynomial: .binomial(1, 1, 1), kind: .insertion, groups: [[0, 1], [1, 2]])
    #expect(try grouped.resolvedMethod(.auto) == .full)
    #expect(throws: TheoryError.self) { try grouped.resolvedMethod(.symmetric) }
  }
}
