/// Groups of features with a score each, per instance and output (Sum-of-Parts produces
/// these; You et al., ICML 2025). Group j explains insertion of a subset S when Gⱼ ⊆ S, and
/// deletion of S when Gⱼ ∩ S ≠ ∅. A feature attribution is the special case Gᵢ = {i}.
///
/// Every row has the same number of groups m, but the groups may differ between rows (a
/// Sum-of-Parts model chooses them per instance); groups may be empty or overlap.
public struct GroupAttribution: Sendable, Equatable {
  public let rows: Int
  public let outputs: Int
  /// The feature indices of each group, per row: `groups[row][j]`.
  public let groups: [[[Int]]]
  /// rows × outputs × m, row-major.
  public var scores: [Double]
  /// rows × outputs, the value the scores are measured from, or nil.
  public var base: [Double]?
  /// The method that produced the scores, e.g. "sop".
  public var method: String

  /// Groups chosen per row.
  public init(rows: Int, outputs: Int, groups: [[[Int]]], scores: [Double], base: [Double]? = nil, method: String = "groups") {
    precondition(groups.count == rows, "GroupAttribution: groups must be given for each of the \(rows) rows")
    let m = groups.first?.count ?? 0
    precondition(groups.allSatisfy { $0.count == m }, "GroupAttribution: every row must have the same number of groups")
    precondition(scores.count == rows * outputs * m, "GroupAttribution: scores must hold rows × outputs × groups values")
    precondition(base == nil || base!.count == rows * outputs, "GroupAttribution: base must hold rows × outputs values")
    self.rows = rows
    self.outputs = outputs
    self.groups = groups
    self.scores = scores
    self.base = base
    self.method = method
  }

  /// The same groups for every row.
  public init(rows: Int, outputs: Int, groups: [[Int]], scores: [Double], base: [Double]? = nil, method: String = "groups") {
    self.init(rows: rows, outputs: outputs, groups: Array(repeating: groups, count: rows), scores: scores, base: base, method: method)
  }

  /// The feature attribution as singleton groups.
  public init(_ a: FeatureAttribution) {
    self.init(rows: a.rows, outputs: a.outputs, groups: (0..<a.features).map { [$0] }, scores: a.values, base: a.base, method: a.method)
  }

  /// m, the number of groups of every row.
  public var groupCount: Int { groups.first?.count ?? 0 }

  public subscript(row: Int, output: Int, group: Int) -> Double {
    scores[(row * outputs + output) * groupCount + group]
  }

  /// A feature attribution with each group's score split equally among its features
  /// (φⱼ = Σ over groups i ∋ j of scoreᵢ/|Gᵢ|; empty groups give nothing), for summaries
  /// such as global importance. The shares add up to the groups' total minus the empty groups'
  /// scores; unlike the groups themselves they are a convention, not the model's explanation.
  public func featureShares(features d: Int) -> FeatureAttribution {
    var values = [Double](repeating: 0, count: rows * outputs * d)
    for r in 0..<rows {
      for o in 0..<outputs {
        for (i, group) in groups[r].enumerated() where !group.isEmpty {
          let share = self[r, o, i] / Double(group.count)
          for j in group { values[(r * outputs + o) * d + j] += share }
        }
      }
    }
    return FeatureAttribution(rows: rows, outputs: outputs, features: d, values: values, base: base ?? [Double](repeating: 0, count: rows * outputs),
                              method: method + "-shares")
  }
}
