/// Zero-error reachability of group-based attributions (Sum-of-Parts, You et al., ICML 2025,
/// Theorem 2.4): for p = Σₜ cₜ ∏_{i∈Tₜ} xᵢ, the groups Gₜ = Tₜ with scores cₜ·∏_{i∈Tₜ} xᵢ
/// explain every subset exactly, for insertion (Gₜ ⊆ S ⇔ the term survives in x_S) and for
/// deletion (Gₜ ∩ S ≠ ∅ ⇔ the term vanishes in x_¬S). Constant terms cancel in both targets
/// and get no group.
public enum ZeroErrorCheck {
  /// The groups and scores of the construction.
  public static func groups(of program: ErrorProgram) -> (groups: [[Int]], scores: [Rational]) {
    let terms = program.polynomial.terms.filter { !$0.support.isEmpty }
    return (terms.map(\.support), terms.map { term in term.support.reduce(term.coefficient) { $0 * program.point[$1] } })
  }

  /// The exact total error of the construction over all 2^d subsets (0 when the theorem holds).
  public static func groupError(_ program: ErrorProgram) -> Rational {
    let (groups, scores) = groups(of: program)
    if groups.isEmpty { return program.error(scores: [], targets: nil, groupsOverride: []) }
    let grouped = ErrorProgram(polynomial: program.polynomial, point: program.point, kind: program.kind, groups: groups)
    return grouped.error(scores: scores)
  }
}
