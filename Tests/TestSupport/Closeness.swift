/// max over i of |aᵢ − bᵢ| / max(1, |bᵢ|): the absolute difference for values up to 1, the
/// relative one beyond (b is the reference). The arrays must have the same length.
public func maxRelativeDifference(_ a: [Float], _ b: [Float]) -> Float {
  precondition(a.count == b.count, "maxRelativeDifference: \(a.count) values against \(b.count)")
  return zip(a, b).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
}

/// The same for Double values.
public func maxRelativeDifference(_ a: [Double], _ b: [Double]) -> Double {
  precondition(a.count == b.count, "maxRelativeDifference: \(a.count) values against \(b.count)")
  return zip(a, b).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
}
