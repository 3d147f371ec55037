import PropertyBased
import Testing
import Theory

@Suite("Exact dual simplex")
struct ExactSimplexTests {
  /// Random groups over d features, duplicates allowed (a rank-deficient program).
  static func groups(_ seed: Int, d: Int) -> [[Int]] {
    var state = UInt64(truncatingIfNeeded: seed) &* 0xD1B5_4A32_D192_ED03 | 1
    func next(_ n: Int) -> Int {
      state ^= state << 13; state ^= state >> 7; state ^= state << 17
      return Int(state % UInt64(n))
    }
    return (0..<(1 + next(4))).map { _ in
      let g = (0..<d).filter { _ in next(2) == 1 }
      return g.isEmpty ? [next(d)] : g
    }
  }

  @Test("agrees with GLPK + glp_exact and with brute force, feature-wise, random polynomials d ≤ 6")
  func agreesWithGLPK() async {
    await propertyCheck(count: 30, input: Gen.int(in: 0...1_000_000), Gen.int(in: 1...6)) { seed, d in
      let p = DualityTests.polynomial(seed, d: d)
      for kind in ErrorKind.allCases {
        let program = ErrorProgram(polynomial: p, kind: kind)
        let exact = try ExactSimplexSolver.solve(program)
        #expect(exact.optimum == (try GLPKDualSolver.solve(program)).optimum, "\(p), \(kind)")
        if d <= 4 { #expect(exact.optimum == DualityTests.bruteForce(program), "\(p), \(kind)") }
        // The solution is a proof on its own: the independent verifier accepts it.
        #expect(try CertificateVerifier.verify(DualCertificate(program: program, solution: exact)) == exact.optimum)
        #expect(program.error(scores: exact.alpha) == exact.optimum)
      }
    }
  }

  @Test("agrees with GLPK for group attributions, including duplicate groups and non-unit points")
  func groupsAndPoints() async {
    await propertyCheck(count: 30, input: Gen.int(in: 0...1_000_000), Gen.int(in: 2...5)) { seed, d in
      let p = DualityTests.polynomial(seed, d: d)
      let point = (0..<d).map { Rational(1 + (seed >> $0) % 3, 1 + (seed >> ($0 + 3)) % 2) }
      let program = ErrorProgram(polynomial: p, point: point, kind: seed % 2 == 0 ? .insertion : .deletion, groups: Self.groups(seed, d: d))
      let exact = try ExactSimplexSolver.solve(program)
      #expect(exact.optimum == (try GLPKDualSolver.solve(program)).optimum, "\(p), groups \(program.groups)")
      #expect(program.error(scores: exact.alpha) == exact.optimum)
    }
  }

  @Test("known optima at d = 12: binomial (4,4,4) insertion 32 and deletion 12716/7")
  func binomialTwelve() throws {
    #expect(try ExactSimplexSolver.solve(ErrorProgram(polynomial: .binomial(4, 4, 4), kind: .insertion)).optimum == 32)
    #expect(try ExactSimplexSolver.solve(ErrorProgram(polynomial: .binomial(4, 4, 4), kind: .deletion)).optimum == Rational(12716, 7))
  }

  @Test("the symmetric program is not stopped by degeneracy: equal-block insertion at d = 60")
  func degenerateInsertion() throws {
    // Insertion with equal blocks is massively degenerate (α = 0 fits almost every subset);
    // the optimum is 2^(n+1) for n ≥ 2, matched by the full program for n ≤ 4.
    for n in [2, 3, 4] {
      let program = ErrorProgram(polynomial: .binomial(n, n, n), kind: .insertion)
      #expect(try SymmetricProgram(program: program).solve().optimum == ExactSimplexSolver.solve(program).optimum)
    }
    let large = ErrorProgram(polynomial: .binomial(20, 20, 20), kind: .insertion)
    #expect(try SymmetricProgram(program: large).solve().optimum == Rational(BigInt.power(2, 21)))
  }
}
