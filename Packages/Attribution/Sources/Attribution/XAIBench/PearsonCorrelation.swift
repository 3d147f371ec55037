import Foundation

/// Pearson's correlation r = Σ(aᵢ − ā)(bᵢ − b̄) / √(Σ(aᵢ − ā)² · Σ(bᵢ − b̄)²).
///
/// XAI-Bench computes it with `numpy.corrcoef` and replaces an undefined result (a constant
/// vector, NaN or infinite input) by 0; `pearsonCorrelation` returns nil there and the metrics
/// apply the benchmark's 0.
func pearsonCorrelation(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double? {
  precondition(a.count == b.count, "pearsonCorrelation: the vectors must have the same length")
  let n = Double(a.count)
  guard a.count >= 2 else { return nil }
  let meanA = a.reduce(0, +) / n
  let meanB = b.reduce(0, +) / n
  var covariance = 0.0
  var varianceA = 0.0
  var varianceB = 0.0
  for (x, y) in zip(a, b) {
    covariance += (x - meanA) * (y - meanB)
    varianceA += (x - meanA) * (x - meanA)
    varianceB += (y - meanB) * (y - meanB)
  }
  let r = covariance / (varianceA * varianceB).squareRoot()
  return r.isFinite ? Swift.max(-1, Swift.min(1, r)) : nil
}
