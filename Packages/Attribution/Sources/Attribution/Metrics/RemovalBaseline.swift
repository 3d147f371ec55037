/// The value a removed feature takes in the insertion and deletion metrics.
public enum RemovalBaseline: Sendable, Equatable {
  /// Removed features are set to 0 (the Sum-of-Parts / Theory definition).
  case zero
  /// Removed features are set to the mean of the background rows (row-major).
  case backgroundMean([Float])
  /// Removed feature i is set to `values[i]`.
  case values([Float])

  /// One value per feature.
  func resolve(features d: Int) throws -> [Float] {
    switch self {
    case .zero: return [Float](repeating: 0, count: d)
    case .values(let v):
      guard v.count == d else { throw AttributionError.wrongWidth(expected: d, got: v.count) }
      try RowInput.finiteBaseline(v, what: "the removal baseline (.values)")
      return v
    case .backgroundMean(let rows):
      let n = try RowInput.background(rows, features: d)
      var mean = [Double](repeating: 0, count: d)
      for r in 0..<n { for i in 0..<d { mean[i] += Double(rows[r * d + i]) } }
      return mean.map { Float($0 / Double(n)) }
    }
  }
}

/// Rows that keep x on a coalition and take the baseline elsewhere.
enum MaskedRows {
  /// `count` rows: row k is x where `masks[k·d + i] != 0`, the baseline elsewhere.
  static func make(x: ArraySlice<Float>, baseline: [Float], masks: [UInt8], count: Int) -> [Float] {
    let d = baseline.count
    var rows = [Float](repeating: 0, count: count * d)
    let start = x.startIndex
    for k in 0..<count {
      for i in 0..<d { rows[k * d + i] = masks[k * d + i] != 0 ? x[start + i] : baseline[i] }
    }
    return rows
  }
}
