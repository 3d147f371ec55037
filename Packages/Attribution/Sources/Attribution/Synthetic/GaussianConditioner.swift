import Foundation
import Tensor

/// The conditional distribution of a Gaussian's free features F given its fixed features S:
///
///   X_F | X_S = x_S  ~  N(μ_F + Σ_FS Σ_SS⁻¹ (x_S − μ_S),  Σ_FF − Σ_FS Σ_SS⁻¹ Σ_SF)
///
/// (the Schur complement; e.g. Bishop, *Pattern Recognition and Machine Learning*, §2.3.1).
/// The regression matrix B = Σ_FS Σ_SS⁻¹ and the Cholesky factor of the conditional covariance
/// depend on S only, so they are computed once here and reused for every row x, all in Double.
/// XAI-Bench computes the same with a pseudo-inverse of Σ_SS and `numpy.random.multivariate_normal`;
/// here Σ_SS must be positive definite (it is for every equicorrelated Σ with ρ < 1).
///
/// Edge cases: S = ∅ gives the unconditional N(μ, Σ); S = every feature gives the point mass at x.
public struct GaussianConditioner: Sendable {
  public let dimension: Int
  /// S, ascending.
  public let fixed: [Int]
  /// F, ascending.
  public let free: [Int]
  /// B = Σ_FS Σ_SS⁻¹, |F| × |S|, row-major.
  public let regression: [Double]
  /// Σ_FF − B Σ_SF, |F| × |F|, row-major.
  public let covariance: [Double]
  /// The Cholesky factor of ``covariance`` (nil when F = ∅).
  public let cholesky: Cholesky?
  private let mean: [Double]

  init(_ g: MultivariateGaussian, fixing fixedFeatures: [Int]) throws {
    let d = g.dimension
    let fixedSet = Set(fixedFeatures)
    guard fixedSet.count == fixedFeatures.count, fixedFeatures.allSatisfy({ (0..<d).contains($0) }) else {
      throw AttributionError.invalidArgument("the features to condition on must be distinct indices in 0..<\(d); got \(fixedFeatures)")
    }
    let s = fixedFeatures.sorted()
    let f = (0..<d).filter { !fixedSet.contains($0) }
    let sigma = g.covariance
    var b = [Double](repeating: 0, count: f.count * s.count)
    if !s.isEmpty {
      let sigmaSS = Cholesky.submatrix(sigma, d: d, rows: s, columns: s)
      let solver = try Cholesky(n: s.count, matrix: sigmaSS)
      // Row r of B solves Σ_SS·bᵣ = Σ_S,f(r) (Σ_SS is symmetric).
      for (r, feature) in f.enumerated() {
        let row = solver.solve(s.map { sigma[$0 * d + feature] })
        for c in 0..<s.count { b[r * s.count + c] = row[c] }
      }
    }
    var conditional = Cholesky.submatrix(sigma, d: d, rows: f, columns: f)
    for i in 0..<f.count {
      for j in 0..<f.count {
        var correction = 0.0
        for k in 0..<s.count { correction += b[i * s.count + k] * sigma[s[k] * d + f[j]] }
        conditional[i * f.count + j] -= correction
      }
    }
    // Symmetrise against rounding before factorising.
    for i in 0..<f.count {
      for j in 0..<i {
        let average = (conditional[i * f.count + j] + conditional[j * f.count + i]) / 2
        conditional[i * f.count + j] = average
        conditional[j * f.count + i] = average
      }
    }
    self.dimension = d
    self.fixed = s
    self.free = f
    self.regression = b
    self.covariance = conditional
    self.cholesky = f.isEmpty ? nil : try Cholesky(n: f.count, matrix: conditional)
    self.mean = g.mean
  }

  /// E[X | X_S = x_S] as a full row: x on S, μ_F + B(x_S − μ_S) on F.
  public func conditionalMean(_ x: ArraySlice<Double>) -> [Double] {
    precondition(x.count == dimension, "GaussianConditioner: a row must hold \(dimension) values")
    let x = Array(x)
    var out = x
    let shifted = fixed.map { x[$0] - mean[$0] }
    for (r, feature) in free.enumerated() {
      var value = mean[feature]
      for c in 0..<fixed.count { value += regression[r * fixed.count + c] * shifted[c] }
      out[feature] = value
    }
    return out
  }

  /// Appends `count` draws of X | X_S = x_S to `out` as full rows (x on S, sampled on F).
  ///
  /// Draw k uses z = `normals[k·d ..< (k+1)·d]` restricted to the free features (zⱼ for each
  /// free feature j, in ascending order), so callers can share one block of draws across
  /// coalitions and every free feature keeps its own draw in each of them (common random
  /// numbers). `normals` must hold at least count × d values.
  public func sample(given x: ArraySlice<Double>, count: Int, normals: [Double], into out: inout [Double]) {
    precondition(normals.count >= count * dimension, "GaussianConditioner.sample: normals must hold count × d values")
    let centre = conditionalMean(x)
    guard let cholesky else {
      for _ in 0..<count { out.append(contentsOf: centre) }
      return
    }
    let m = free.count
    var row = centre
    for k in 0..<count {
      let base = k * dimension
      for i in 0..<m {
        var value = centre[free[i]]
        for j in 0...i { value += cholesky.factor[i * m + j] * normals[base + free[j]] }
        row[free[i]] = value
      }
      out.append(contentsOf: row)
    }
  }

  /// `count` draws of X | X_S = x_S, count × d, row-major, with fresh normal draws from `rng`.
  public func sample(given x: ArraySlice<Double>, count: Int, rng: inout RandomGenerator) -> [Double] {
    let normals = (0..<(count * dimension)).map { _ in Double(rng.nextNormal()) }
    var out = [Double]()
    out.reserveCapacity(count * dimension)
    sample(given: x, count: count, normals: normals, into: &out)
    return out
  }
}

extension Cholesky {
  /// The rows × columns submatrix of a d × d row-major matrix.
  static func submatrix(_ m: [Double], d: Int, rows: [Int], columns: [Int]) -> [Double] {
    var out = [Double]()
    out.reserveCapacity(rows.count * columns.count)
    for r in rows { for c in columns { out.append(m[r * d + c]) } }
    return out
  }
}
