import PropertyBased
import Testing
import Theory

@Suite("Duality and brute force")
struct DualityTests {
  /// A random multilinear polynomial over d ≤ 4 features with small integer coefficients.
  static func polynomial(_ seed: Int, d: Int) -> Polynomial {
    var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    func next(_ n: Int) -> Int {
      state ^= state << 13; state ^= state >> 7; state ^= state << 17
      return Int(state % UInt64(n))
    }
    let terms = (0..<(1 + next(3))).map { _ in
      Polynomial.Term(coefficient: Rational(next(7) - 3, 1 + next(2)), support: (0..<d).filter { _ in next(2) == 1 })
    }
    return Polynomial(dimension: d, terms: terms)
  }

  /// OPT by brute force: a least-absolute-deviations optimum interpolates d linearly
  /// independent subsets, so try every d-set of subsets, solve for α exactly, keep the best.
  static func bruteForce(_ program: ErrorProgram) -> Rational {
    let d = program.dimension
    let b = program.targets()
    let n = program.subsetCount
    var best: Rational? = nil
    func search(_ start: Int, _ chosen: [Int]) {
      if chosen.count == d {
        // Solve Σ_{i∈S} α_i = b_S for the chosen subsets exactly.
        var rows = chosen.map { s in (0..<d).map { (s >> $0) & 1 == 1 ? Rational.one : Rational.zero } + [b[s]] }
        for col in 0..<d {
          guard let p = (col..<d).first(where: { !rows[$0][col].isZero }) else { return }
          rows.swapAt(p, col)
          for r in 0..<d where r != col && !rows[r][col].isZero {
            let f = rows[r][col] / rows[col][col]
            rows[r] = zip(rows[r], rows[col]).map { $0 - f * $1 }
          }
        }
        let alpha = (0..<d).map { rows[$0][d] / rows[$0][$0] }
        let e = program.error(scores: alpha, targets: b)
        if best == nil || e < best! { best = e }
        return
      }
      if start >= n { return }
      for s in start..<n { search(s + 1, chosen + [s]) }
    }
    search(1, [])
    return best ?? program.error(scores: Array(repeating: .zero, count: d), targets: b)
  }

  @Test("OPT equals brute force on random polynomials with d ≤ 4, insertion and deletion")
  func matchesBruteForce() async {
    await propertyCheck(count: 25, input: Gen.int(in: 0...1_000_000), Gen.int(in: 1...4)) { seed, d in
      let p = Self.polynomial(seed, d: d)
      for kind in ErrorKind.allCases {
        let program = ErrorProgram(polynomial: p, kind: kind)
        let solution = try GLPKDualSolver.solve(program)
        #expect(solution.optimum == Self.bruteForce(program), "\(p), \(kind)")
      }
    }
  }

  @Test("weak duality: D(λ) ≤ E(α) for feasible λ (scaled optima and square moves) and random α")
  func weakDuality() async {
    await propertyCheck(count: 30, input: Gen.int(in: 0...1_000_000), Gen.int(in: 2...5), Gen.int(in: -9...9), Gen.int(in: 0...4)) { seed, d, a, t in
      let p = Self.polynomial(seed, d: d)
      let program = ErrorProgram(polynomial: p, kind: seed % 2 == 0 ? .insertion : .deletion)
      let b = program.targets()
      let optimal = try GLPKDualSolver.solve(program)
      // A feasible λ: t/8 of the optimal one plus 1/4 of a "square" e_{S+i} + e_{S+j} −
      // e_{S+i+j} − e_S, whose row sums vanish; |λ| ≤ 1/2 + 1/4.
      var lambda = optimal.lambda.map { $0 * Rational(t, 8) }
      let i = seed % d, j = (seed / 7) % d
      if i != j {
        let s = 0
        for (mask, sign) in [(s | 1 << i, 1), (s | 1 << j, 1), (s | 1 << i | 1 << j, -1), (s, -1)] {
          lambda[mask] = lambda[mask] + Rational(sign, 4)
        }
      }
      #expect(lambda.allSatisfy { $0.magnitude <= .one })
      let dual = zip(lambda, b).reduce(Rational.zero) { $0 + $1.0 * $1.1 }
      let alpha = (0..<d).map { Rational(a + $0, 3) }
      #expect(dual <= program.error(scores: alpha, targets: b))
      #expect(dual <= optimal.optimum)
    }
  }
}
