import PropertyBased
import Testing
import Theory

@Suite("Symmetric reduction")
struct SymmetryTests {
  @Test("the binomial's blocks are S1, S2, S3, and classes count ∏(nᵦ+1)")
  func blocks() {
    let structure = BlockStructure(program: ErrorProgram(polynomial: .binomial(2, 3, 1), kind: .insertion))
    #expect(structure.blocks == [[0, 1], [2, 3, 4], [5]])
    #expect(structure.classCount == 3 * 4 * 2)
  }

  @Test("agrees with the full program wherever both run (binomials with d ≤ 9, both errors)")
  func agreesWithFull() async {
    await propertyCheck(count: 20, input: Gen.int(in: 1...4), Gen.int(in: 1...3), Gen.int(in: 1...3)) { a, b, c in
      for kind in ErrorKind.allCases {
        let program = ErrorProgram(polynomial: .binomial(a, b, c), kind: kind)
        let full = try GLPKDualSolver.solve(program).optimum
        let symmetric = try SymmetricProgram(program: program).solve()
        #expect(symmetric.optimum == full, "binomial(\(a),\(b),\(c)) \(kind)")
        // α is constant on blocks, and it attains the optimum on the full program.
        #expect(program.error(scores: symmetric.alpha) == full)
      }
    }
  }

  @Test("agrees with the full program on general block-symmetric polynomials and points")
  func generalPolynomials() throws {
    for text in ["x1 x2 x3 - 2 x3 x4 + 1/2 x5 x6", "3 x1 x2 x3 x4 x5 x6 x7 x8", "x1 x2 + x3 x4 + x5 x6 - x1 x2 x3 x4"] {
      let p = try PolynomialParser.parse(text)
      for kind in ErrorKind.allCases {
        let program = ErrorProgram(polynomial: p, kind: kind)
        #expect(try SymmetricProgram(program: program).solve().optimum == GLPKDualSolver.solve(program).optimum, "\(text) \(kind)")
      }
    }
    let p = Polynomial.binomial(2, 2, 2)
    let point: [Rational] = [2, 2, 1, 1, Rational(1, 2), Rational(1, 2)]
    let program = ErrorProgram(polynomial: p, point: point, kind: .deletion)
    #expect(try SymmetricProgram(program: program).solve().optimum == GLPKDualSolver.solve(program).optimum)
  }

  @Test("the monomial's deletion optimum C(d, ⌊d/2⌋) − 1 holds through the reduction for d = 60")
  func largeMonomial() throws {
    let program = ErrorProgram(polynomial: .monomial(degree: 60), kind: .deletion)
    #expect(try SymmetricProgram(program: program).solve().optimum == Rational(BigInt.binomial(60, 30)) - 1)
  }

  @Test("binomial (10,10,10): exact, and the zero-error construction holds through the classes")
  func thirty() throws {
    let program = ErrorProgram(polynomial: .binomial(10, 10, 10), kind: .deletion)
    let symmetric = SymmetricProgram(program: program)
    #expect(try symmetric.solve().optimum == 310_232_998)
    #expect(symmetric.groupError() == .zero)
  }
}
