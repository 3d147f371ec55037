/// How ``ErrorProgram/solve(method:progress:)`` solves a program.
public enum SolveMethod: String, Sendable, CaseIterable {
  /// The full program for d ≤ 16, or when its blocks of interchangeable features give no fewer
  /// than 1/64 of its 2^d subsets as classes (and d ≤ 20); the symmetric program otherwise.
  case auto
  /// All 2^d subsets (d ≤ 20), exact dual simplex (``ExactSimplexSolver``).
  case full
  /// All 2^d subsets (d ≤ 20), through GLPK and `glp_exact` (``GLPKDualSolver``).
  case glpk
  /// Classes of interchangeable features (``SymmetricProgram``), feature-wise attributions only.
  case symmetric
}

/// An exactly verified optimum of an ``ErrorProgram``, with how it was found and its certificate.
public struct ErrorSolution: Sendable {
  /// OPT = min over attributions of Σ_S |b_S − a_S·α|, exactly.
  public let optimum: Rational
  /// An optimal attribution (per feature, or per group).
  public let alpha: [Rational]
  /// The method that was used (never `.auto`).
  public let method: SolveMethod
  /// The solver behind it.
  public let solver: DualSolver
  /// Dual simplex iterations (the symmetric program's), if counted.
  public let iterations: Int?
  private let makeCertificate: @Sendable () -> DualCertificate

  /// The proof of the optimum (λ and α), to write with ``DualCertificate/encoded()`` and re-check
  /// with ``CertificateVerifier``.
  public func certificate() -> DualCertificate { makeCertificate() }

  /// "full" or "symmetric": the program that was solved.
  public var program: String { method == .symmetric ? "symmetric" : "full" }

  init(optimum: Rational, alpha: [Rational], method: SolveMethod, solver: DualSolver, iterations: Int?,
       certificate: @escaping @Sendable () -> DualCertificate) {
    self.optimum = optimum
    self.alpha = alpha
    self.method = method
    self.solver = solver
    self.iterations = iterations
    makeCertificate = certificate
  }
}

extension ErrorProgram {
  /// The method `method` stands for on this program (`.auto` resolved), or an error saying why
  /// none applies.
  ///
  /// - Throws: ``TheoryError/dimensionTooLarge(d:maximum:)`` when d > 20 for the full program,
  ///   ``TheoryError/solverFailed(_:)`` when the symmetric reduction does not apply or has too
  ///   many classes.
  public func resolvedMethod(_ method: SolveMethod) throws -> SolveMethod {
    let featureWise = groups == (0..<dimension).map { [$0] }
    let classes = featureWise ? BlockStructure(program: self).classCount : Int.max
    switch method {
    case .full, .glpk:
      guard dimension <= Self.maximumFullDimension else {
        throw TheoryError.dimensionTooLarge(d: dimension, maximum: Self.maximumFullDimension)
      }
      return method
    case .symmetric:
      guard featureWise else {
        throw TheoryError.solverFailed("the symmetric reduction applies to feature-wise attributions only; use the full program for groups")
      }
      guard classes <= SymmetricProgram.maximumClasses else {
        throw TheoryError.solverFailed("the polynomial's features form blocks with \(classes) classes of subsets, more than \(SymmetricProgram.maximumClasses)")
      }
      return .symmetric
    case .auto:
      if dimension <= 16 || !featureWise {
        return try resolvedMethod(.full)
      }
      guard classes <= SymmetricProgram.maximumClasses else {
        throw TheoryError.solverFailed("d = \(dimension) is too large to enumerate all 2^d subsets (limit \(Self.maximumFullDimension)), and its features form blocks with \(classes) classes, too many for the symmetric reduction (limit \(SymmetricProgram.maximumClasses)); use a polynomial whose supports are unions of a few blocks")
      }
      return dimension <= Self.maximumFullDimension && classes * 64 > subsetCount ? .full : .symmetric
    }
  }

  /// Solves the program exactly and verifies the optimum before returning it.
  ///
  /// The solver policy lives here: `.auto` picks the full or the symmetric program
  /// (``SolveMethod/auto``). Any rational point is exact — including coordinates converted
  /// exactly from Float or Double (`Rational(exactly:)`), whose denominators reach 2^1074:
  /// when the targets are too large for the exact simplex's 64-bit pivoting, it solves them
  /// rounded to 30 bits and finishes from that basis in rational arithmetic
  /// (``DualSolver/rescaledExactSimplex(pivots:)``).
  ///
  ///     let program = ErrorProgram(polynomial: try PolynomialParser.parse("2 x1 x2 - x2 x3"), kind: .deletion)
  ///     let solution = try program.solve()
  ///     print(solution.optimum, solution.alpha)
  ///
  /// - Parameter progress: called with the iteration count during long exact solves.
  public func solve(method: SolveMethod = .auto, progress: ((Int) -> Void)? = nil) throws -> ErrorSolution {
    let chosen = try resolvedMethod(method)
    switch chosen {
    case .full, .glpk, .auto:
      let solution = try chosen == .glpk ? GLPKDualSolver.solve(self) : ExactSimplexSolver.solve(self, progress: progress)
      return ErrorSolution(optimum: solution.optimum, alpha: solution.alpha, method: chosen, solver: solution.solver, iterations: nil) {
        DualCertificate(program: self, solution: solution)
      }
    case .symmetric:
      let symmetric = SymmetricProgram(program: self)
      let solution = try symmetric.solve(progress: progress)
      return ErrorSolution(optimum: solution.optimum, alpha: solution.alpha, method: .symmetric, solver: solution.solver,
                           iterations: solution.iterations) {
        DualCertificate(program: self, symmetric: solution, structure: symmetric.structure)
      }
    }
  }
}
