import Tensor

/// `lime`'s QuartileDiscretizer (lime 0.2, `discretize.py`): each feature is cut at the
/// quartiles of the training data (NumPy's linear percentiles 25, 50, 75, duplicates
/// dropped), a value falls in bin `#{edges < value}` (`numpy.searchsorted`), and each bin keeps
/// the training mean, standard deviation (+1e-11), bounds and frequency used to draw values
/// back from a bin (a normal truncated to the bin, as lime's `undiscretize`).
struct QuartileDiscretizer {
  struct Feature {
    var edges: [Double]
    var means: [Double]
    var stds: [Double]
    var lower: [Double]
    var upper: [Double]
    /// Training frequency of each bin (sums to 1).
    var frequencies: [Double]
  }

  let features: [Feature]

  init(training: [Float], rows n: Int, features d: Int) {
    features = (0..<d).map { j in
      let column = (0..<n).map { Double(training[$0 * d + j]) }.sorted()
      var edges = [Double]()
      for q in [0.25, 0.5, 0.75] {
        let value = Self.percentile(column, q)
        if edges.last != value { edges.append(value) }
      }
      let bins = edges.count + 1
      var sums = [Double](repeating: 0, count: bins)
      var squares = [Double](repeating: 0, count: bins)
      var counts = [Double](repeating: 0, count: bins)
      for v in column {
        let b = Self.bin(v, edges: edges)
        sums[b] += v
        squares[b] += v * v
        counts[b] += 1
      }
      var means = [Double](repeating: 0, count: bins)
      var stds = [Double](repeating: 1e-11, count: bins)
      for b in 0..<bins where counts[b] > 0 {
        means[b] = sums[b] / counts[b]
        stds[b] = max(squares[b] / counts[b] - means[b] * means[b], 0).squareRoot() + 1e-11
      }
      return Feature(edges: edges, means: means, stds: stds, lower: [column.first!] + edges, upper: edges + [column.last!],
                     frequencies: counts.map { $0 / Double(n) })
    }
  }

  /// NumPy's default (linear) percentile of sorted values: position q·(n − 1).
  static func percentile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let low = Int(position.rounded(.down))
    let high = min(low + 1, sorted.count - 1)
    return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
  }

  /// The bin of a value: the number of edges strictly below it.
  static func bin(_ value: Double, edges: [Double]) -> Int {
    var b = 0
    while b < edges.count && edges[b] < value { b += 1 }
    return b
  }

  /// A random bin by training frequency.
  func sampleBin(feature j: Int, rng: inout RandomGenerator) -> Int {
    let u = rng.nextUniformDouble()
    var running = 0.0
    let f = features[j].frequencies
    for (b, p) in f.enumerated() {
      running += p
      if u < running { return b }
    }
    return f.lastIndex(where: { $0 > 0 }) ?? 0
  }

  /// A value in bin b of feature j: mean + std·z with z a standard normal truncated so that the
  /// value stays within the bin's bounds. A bin whose bounds coincide returns its mean (lime
  /// returns the standardised bound there, a bug this does not reproduce).
  func sampleValue(feature j: Int, bin b: Int, rng: inout RandomGenerator) -> Double {
    let f = features[j]
    let lo = (f.lower[b] - f.means[b]) / f.stds[b]
    let hi = (f.upper[b] - f.means[b]) / f.stds[b]
    guard lo < hi else { return f.means[b] }
    return f.means[b] + f.stds[b] * NormalDistribution.truncated(lo, hi, rng: &rng)
  }
}
