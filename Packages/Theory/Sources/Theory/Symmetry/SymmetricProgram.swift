/// The error program reduced by symmetry (feature-wise attributions only).
///
/// Averaging an optimal attribution over the symmetry group keeps it optimal (E is convex and
/// invariant), so some optimal α is constant on each block, αᵦ. Then
/// E(α) = Σ_k m_k·|b_k − Σᵦ kᵦαᵦ|, and the dual becomes: maximise Σ_k μ_k b_k subject to
/// Σ_k μ_k kᵦ = 0 for each block and |μ_k| ≤ m_k, with μ_k = m_k·λ_k. It has ∏(nᵦ+1) columns
/// and one row per block, instead of 2^d columns and d rows. The multiplicities reach 10^80
/// and beyond, beyond what a floating-point solver such as GLPK can represent, so this program
/// is solved by an exact dual simplex with bound flipping (``ExactDualSimplex``) and the solution is verified
/// with GMP before it is reported. Lifting λ_S = λ_{class(S)}
/// gives a certificate for the full program.
public struct SymmetricProgram: Sendable {
  public let program: ErrorProgram
  public let structure: BlockStructure

  /// The largest number of classes attempted.
  public static let maximumClasses = 30_000_000

  public init(program: ErrorProgram) {
    precondition(program.groups == (0..<program.dimension).map { [$0] }, "the symmetric reduction applies to feature-wise attributions")
    self.program = program
    self.structure = BlockStructure(program: program)
  }

  /// The exact optimum with λ per class and α per block.
  public struct Solution: Sendable {
    public let optimum: Rational
    /// λ_k = μ_k/m_k for every class (index as in ``BlockStructure/classCounts(_:)``).
    public let lambda: [Rational]
    /// α per block.
    public let blockAlpha: [Rational]
    /// α per feature (constant on blocks).
    public let alpha: [Rational]
    /// Dual simplex iterations used.
    public let iterations: Int
    /// How the optimum was found (verified exactly whichever way).
    public let solver: DualSolver
  }

  /// b_k for every class, exactly.
  public func targets() -> [Rational] {
    let blockOf = Dictionary(uniqueKeysWithValues: structure.blocks.enumerated().flatMap { b, features in features.map { ($0, b) } })
    let terms = program.polynomial.terms.filter { !$0.support.isEmpty }.map { term in
      (blocks: Array(Set(term.support.map { blockOf[$0]! })), value: term.support.reduce(term.coefficient) { $0 * program.point[$1] })
    }
    let sizes = structure.sizes
    var cache: [UInt64: Rational] = [:]
    return (0..<structure.classCount).map { c in
      let k = structure.classCounts(c)
      var selection: UInt64 = 0
      for (t, term) in terms.enumerated() {
        let counts = program.kind == .insertion ? term.blocks.allSatisfy { k[$0] == sizes[$0] } : term.blocks.contains { k[$0] > 0 }
        if counts { selection |= 1 << UInt64(t) }
      }
      if let known = cache[selection] { return known }
      let sum = terms.indices.filter { selection & (1 << UInt64($0)) != 0 }.reduce(Rational.zero) { $0 + terms[$1].value }
      cache[selection] = sum
      return sum
    }
  }

  /// m_k for every class.
  public func multiplicities() -> [BigInt] {
    let sizes = structure.sizes
    let binomials = sizes.map { n in (0...n).map { BigInt.binomial(n, $0) } }
    return (0..<structure.classCount).map { c in
      structure.classCounts(c).enumerated().reduce(BigInt(1)) { $0 * binomials[$1.offset][$1.element] }
    }
  }

  public func solve(progress: ((Int) -> Void)? = nil) throws -> Solution {
    let n = structure.classCount
    guard n <= Self.maximumClasses else {
      throw TheoryError.solverFailed("the symmetric program has \(n) classes, more than \(Self.maximumClasses); the polynomial has too many distinct blocks")
    }
    let B = structure.blocks.count
    let b = targets()
    let bounds = ColumnBounds.perColumn(multiplicities())
    let sizes = structure.sizes
    let columns = try IntegerColumns(rows: B, count: n) { c, column in
      var rest = c
      for (r, size) in sizes.enumerated() {
        column[r] = rest % (size + 1)
        rest /= size + 1
      }
    }
    let start = LADStart.basis(columns: columns, targets: b.map(\.doubleValue), bounds: bounds, iterations: 60)
    let (exact, solver) = try ExactSimplexSolver.solve(columns: columns, targets: b, bounds: bounds, start: start, progress: progress)
    var alpha = [Rational](repeating: .zero, count: program.dimension)
    for (blockIndex, features) in structure.blocks.enumerated() { for i in features { alpha[i] = exact.y[blockIndex] } }
    return Solution(optimum: exact.optimum, lambda: (0..<n).map { exact.lambda($0) }, blockAlpha: exact.y, alpha: alpha, iterations: exact.iterations, solver: solver)
  }

  /// The total error of the zero-error construction (groups Gₜ = Tₜ, scores cₜ·x^{Tₜ}) over
  /// all subsets, summed through the classes: Σ_k m_k·|b_k − Σₜ scoreₜ·[Gₜ counts for k]|,
  /// where Gₜ counts for insertion when every block of Tₜ is complete in k and for deletion
  /// when some block of Tₜ is touched.
  public func groupError() -> Rational {
    let blockOf = Dictionary(uniqueKeysWithValues: structure.blocks.enumerated().flatMap { b, features in features.map { ($0, b) } })
    let groups = program.polynomial.terms.filter { !$0.support.isEmpty }.map { term in
      (blocks: Set(term.support.map { blockOf[$0]! }), score: term.support.reduce(term.coefficient) { $0 * program.point[$1] })
    }
    let sizes = structure.sizes
    let b = targets()
    let m = multiplicities()
    var total = Rational.zero
    for c in 0..<structure.classCount {
      let k = structure.classCounts(c)
      var explained = Rational.zero
      for group in groups {
        let counts = program.kind == .insertion ? group.blocks.allSatisfy { k[$0] == sizes[$0] } : group.blocks.contains { k[$0] > 0 }
        if counts { explained += group.score }
      }
      let gap = b[c] - explained
      if !gap.isZero { total += Rational(m[c]) * gap.magnitude }
    }
    return total
  }
}
