/// An exactly verified optimum of an ``ErrorProgram``: a dual-feasible λ, primal scores α with
/// E(α) = D(λ), and that common value, OPT.
public struct DualSolution: Sendable {
  public let optimum: Rational
  /// λ_S for every subset (index = bit mask).
  public let lambda: [Rational]
  /// Optimal group scores (feature-wise: the attribution α).
  public let alpha: [Rational]
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
