/// An exactly verified optimum of an ``ErrorProgram``: a dual-feasible λ, primal scores α with
/// E(α) = D(λ), and that common value, OPT.
public struct DualSolution: Sendable {
  public let optimum: Rational
  /// λ_S for every subset (index = bit mask).
  public let lambda: [Rational]
  /// Optimal group scores (feature-wise: the attribution α).
  public let alpha: [Rational]
  /// How the optimum was found (it is verified exactly whichever way).
  public let solver: DualSolver

  public init(optimum: Rational, lambda: [Rational], alpha: [Rational], solver: DualSolver) {
    self.optimum = optimum
    self.lambda = lambda
    self.alpha = alpha
    self.solver = solver
  }
}

/// The solver that found an optimum. Every one is verified in exact arithmetic before it is
/// reported, so this says how, not how reliably.
public enum DualSolver: Sendable, Equatable, CustomStringConvertible {
  /// ``ExactDualSimplex``: 64-bit integer pivoting over the exact targets.
  case exactSimplex
  /// Targets too large for 64-bit pivoting (e.g. a point converted exactly from a Float): the
  /// exact simplex on the targets rounded to 30 bits gives a basis, and ``RationalDualSimplex``
  /// finishes from it in rational arithmetic after `pivots` pivots.
  case rescaledExactSimplex(pivots: Int)
  /// GLPK's dual simplex and `glp_exact`, the solution recomputed and verified with GMP.
  case glpk

  /// A name for machine-readable output: "exact-simplex", "exact-simplex-rescaled" or "glpk".
  public var name: String {
    switch self {
    case .exactSimplex: "exact-simplex"
    case .rescaledExactSimplex: "exact-simplex-rescaled"
    case .glpk: "glpk"
    }
  }

  public var description: String {
    switch self {
    case .exactSimplex: "exact-simplex"
    case .rescaledExactSimplex(let pivots): "exact-simplex, rescaled (\(pivots) rational pivot\(pivots == 1 ? "" : "s"))"
    case .glpk: "glpk"
    }
  }
}

/// Why a program could not be solved or verified.
public enum TheoryError: Error, Equatable, CustomStringConvertible {
  case dimensionTooLarge(d: Int, maximum: Int)
  case solverFailed(String)
  case verificationFailed(String)

  public var description: String {
    switch self {
    case let .dimensionTooLarge(d, maximum):
      "d = \(d) is too large to enumerate all 2^d subsets (the limit is \(maximum)); use a polynomial whose supports are unions of blocks, so the symmetric reduction applies"
    case let .solverFailed(reason): "the LP solver failed: \(reason)"
    case let .verificationFailed(reason): "the solution did not verify in exact arithmetic: \(reason)"
    }
  }
}
