import Testing
import Theory

/// Optima stated in issue 4, computed from the definitions (insertion and deletion targets
/// over all subsets, feature-wise attributions).
@Suite("Known optima")
struct KnownOptimaTests {
  static func optimum(_ p: Polynomial, _ kind: ErrorKind) throws -> Rational {
    try GLPKDualSolver.solve(ErrorProgram(polynomial: p, kind: kind)).optimum
  }

  @Test("binomial (1,1,1): insertion 2, deletion 2")
  func binomial111() throws {
    #expect(try Self.optimum(.binomial(1, 1, 1), .insertion) == 2)
    #expect(try Self.optimum(.binomial(1, 1, 1), .deletion) == 2)
  }

  @Test("binomial (2,2,2): insertion 8, deletion 32")
  func binomial222() throws {
    #expect(try Self.optimum(.binomial(2, 2, 2), .insertion) == 8)
    #expect(try Self.optimum(.binomial(2, 2, 2), .deletion) == 32)
  }

  @Test("monomial of degree d ≥ 2: insertion 1, deletion C(d, ⌊d/2⌋) − 1 (for d = 1 it is linear: 0)", arguments: 2...10)
  func monomial(d: Int) throws {
    #expect(try Self.optimum(.monomial(degree: d), .insertion) == 1)
    #expect(try Self.optimum(.monomial(degree: d), .deletion) == Rational(BigInt.binomial(d, d / 2)) - 1)
  }

  @Test("a linear polynomial is explained exactly by its own coefficients")
  func linear() throws {
    let p = try PolynomialParser.parse("2 x1 - 1/3 x2 + 5 x3")
    let solution = try GLPKDualSolver.solve(ErrorProgram(polynomial: p, kind: .insertion))
    #expect(solution.optimum == 0)
    #expect(solution.alpha == [2, Rational(-1, 3), 5])
  }
}
