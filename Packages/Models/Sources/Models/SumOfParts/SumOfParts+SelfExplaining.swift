import Tensor

extension SumOfParts {
  /// The groups of every row and their contributions s_k·α_{k,i}·cᵢ·y_{i,k}, which add up to
  /// the logit of every output exactly (up to Float rounding); base 0. Groups are lists of
  /// encoded feature indices; groups with zero weight for every output are kept (m per row).
  /// Method name "sop".
  public func explain(_ rows: [Float], threads: Int) throws -> ModelExplanation {
    let (d, k) = (features, outputs)
    let n = try ExplanationError.rowCount(rows, features: d)
    let m = groupCount
    var groups: [[[Int]]] = []
    var scores: [Double] = []
    groups.reserveCapacity(n)
    scores.reserveCapacity(n * k * m)
    eval()
    let chunk = 512
    var start = 0
    while start < n {
      let count = Swift.min(chunk, n - start)
      let (masks, contributions) = withoutGradient { parts(Tensor(shape: [count, d], scalars: Array(rows[(start * d)..<((start + count) * d)]))) }
      for r in 0..<count {
        groups.append((0..<m).map { i in (0..<d).filter { masks[(r * m + i) * d + $0] != 0 } })
      }
      scores += contributions.scalars.map(Double.init)
      start += count
    }
    return .groups(GroupAttribution(rows: n, outputs: k, groups: groups, scores: scores, method: "sop"))
  }
}
