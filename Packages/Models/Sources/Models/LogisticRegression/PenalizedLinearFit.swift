import Foundation
import Tensor

/// The minimiser of a penalised linear model's objective, divided by C·n so its scale does
/// not depend on the data size:
///
///   F(W, b) = (1/n)·Σᵢ ℓ(yᵢ, zᵢ) + (1/(C·n))·[(1−ρ)/2·‖W‖² + ρ·‖W‖₁],   zᵢ = W·xᵢ + b
///
/// ℓ is the binary log-loss (one output, y ∈ {0, 1}), the softmax cross-entropy (one output per
/// class, y the class code) or ½(z − y)² (regression). The smooth part (loss and ℓ2 term) has a
/// Lipschitz gradient; the ℓ1 term enters through its proximal map, soft thresholding
/// (Beck & Teboulle 2009, FISTA), with the step found by backtracking (L doubles until the
/// quadratic upper bound holds, and shrinks by 10 % each iteration so it can follow the local
/// curvature) and the momentum restarted whenever it points uphill (O'Donoghue & Candès 2015),
/// which gives linear convergence where the objective is strongly convex. The intercept is
/// neither penalised nor thresholded.
///
/// Stops when every entry of the proximal gradient mapping L·(y − x⁺) is at most `tolerance`
/// (at the optimum it is 0), or after `maximumIterations`. Products go through `cblas_dgemm`;
/// everything is Double and deterministic.
struct PenalizedLinearFit {
  let x: [Double]
  let rows: Int
  let features: Int
  let outputs: Int
  let task: PredictionTask
  let targets: [Double]
  let configuration: LogisticRegression.Configuration

  struct Result {
    /// W, outputs × features, row-major.
    var weights: [Double]
    var intercepts: [Double]
    var objective: Double
    var iterations: Int
    var converged: Bool
    /// The largest entry of the last proximal gradient mapping.
    var gradientMapping: Double
  }

  /// The coefficient of each penalty term in F: λ₂ = (1−ρ)/(C·n) on ½‖W‖², λ₁ = ρ/(C·n) on ‖W‖₁.
  private var lambdas: (l2: Double, l1: Double) {
    guard configuration.penalty != .none else { return (0, 0) }
    let scale = 1 / (configuration.inverseStrength * Double(rows))
    return ((1 - configuration.rho) * scale, configuration.rho * scale)
  }

  /// The parameters as one vector: W (outputs × features) then b (outputs).
  private var count: Int { outputs * (features + 1) }

  /// The smooth part of F at θ and, when `gradient` is given, its gradient.
  private func smooth(_ theta: [Double], gradient: inout [Double]?) -> Double {
    let (n, f, c) = (rows, features, outputs)
    let w = Array(theta[0..<(c * f)])
    var z = [Double](repeating: 0, count: n * c)
    BLAS.dgemm(m: n, n: c, k: f, x, w, into: &z, transposeB: true)
    for i in 0..<n { for o in 0..<c { z[i * c + o] += theta[c * f + o] } }
    // Loss and the residual r = ∂ℓ/∂z per row, both averaged over rows.
    var loss = 0.0
    var residual = [Double](repeating: 0, count: n * c)
    switch task {
    case .binary:
      for i in 0..<n {
        let zi = z[i]
        // log(1 + e^z) − y·z, computed without overflow.
        loss += Swift.max(zi, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(zi))) - targets[i] * zi
        residual[i] = 1 / (1 + Foundation.exp(-zi)) - targets[i]
      }
    case .multiclass:
      for i in 0..<n {
        let row = z[(i * c)..<((i + 1) * c)]
        let top = row.max()!
        var total = 0.0
        for v in row { total += Foundation.exp(v - top) }
        let label = Int(targets[i])
        loss += top + Foundation.log(total) - z[i * c + label]
        for o in 0..<c { residual[i * c + o] = Foundation.exp(z[i * c + o] - top) / total - (o == label ? 1 : 0) }
      }
    case .regression:
      for i in 0..<n {
        let d = z[i] - targets[i]
        loss += 0.5 * d * d
        residual[i] = d
      }
    }
    let invN = 1 / Double(n)
    var value = loss * invN
    let λ2 = lambdas.l2
    if λ2 > 0 { value += 0.5 * λ2 * w.reduce(0) { $0 + $1 * $1 } }
    if gradient != nil {
      var g = [Double](repeating: 0, count: count)
      // ∂/∂W = rᵀ·X / n + λ₂·W,   ∂/∂b = Σᵢ rᵢ / n.
      var gw = [Double](repeating: 0, count: c * f)
      BLAS.dgemm(m: c, n: f, k: n, residual, x, into: &gw, transposeA: true, alpha: invN)
      for k in 0..<(c * f) { g[k] = gw[k] + λ2 * w[k] }
      for i in 0..<n { for o in 0..<c { g[c * f + o] += residual[i * c + o] * invN } }
      gradient = g
    }
    return value
  }

  /// F's non-smooth part, λ₁·‖W‖₁.
  private func l1(_ theta: [Double]) -> Double {
    let λ1 = lambdas.l1
    guard λ1 > 0 else { return 0 }
    return λ1 * theta[0..<(outputs * features)].reduce(0) { $0 + Swift.abs($1) }
  }

  func solve() -> Result {
    let weightsCount = outputs * features
    let λ1 = lambdas.l1
    var current = [Double](repeating: 0, count: count)
    var point = current
    var t = 1.0
    var lipschitz = 1.0
    var mapping = Double.infinity
    var iteration = 0
    while iteration < configuration.maximumIterations {
      iteration += 1
      var gradient: [Double]? = []
      let f = smooth(point, gradient: &gradient)
      let g = gradient!
      // Backtracking: the smallest L (doubling) whose quadratic model bounds the smooth part.
      var next = [Double](repeating: 0, count: count)
      while true {
        let step = 1 / lipschitz
        for k in 0..<count {
          let v = point[k] - step * g[k]
          next[k] = k < weightsCount && λ1 > 0 ? (v > 0 ? 1 : -1) * Swift.max(Swift.abs(v) - step * λ1, 0) : v
        }
        var model = f
        var squared = 0.0
        for k in 0..<count {
          let d = next[k] - point[k]
          model += g[k] * d
          squared += d * d
        }
        var none: [Double]? = nil
        if smooth(next, gradient: &none) <= model + 0.5 * lipschitz * squared + 1e-12 * Swift.abs(f) || lipschitz > 1e15 { break }
        lipschitz *= 2
      }
      mapping = zip(point, next).reduce(0) { Swift.max($0, lipschitz * Swift.abs($1.0 - $1.1)) }
      // Momentum, restarted when the step and the momentum disagree.
      var uphill = 0.0
      for k in 0..<count { uphill += (point[k] - next[k]) * (next[k] - current[k]) }
      let tNext = uphill > 0 ? 1 : (1 + (1 + 4 * t * t).squareRoot()) / 2
      let momentum = uphill > 0 ? 0 : (t - 1) / tNext
      for k in 0..<count { point[k] = next[k] + momentum * (next[k] - current[k]) }
      current = next
      t = tNext
      if mapping <= configuration.tolerance { break }
      lipschitz *= 0.9
    }
    var none: [Double]? = nil
    return Result(weights: Array(current[0..<weightsCount]), intercepts: Array(current[weightsCount...]),
                  objective: smooth(current, gradient: &none) + l1(current), iterations: iteration,
                  converged: mapping <= configuration.tolerance, gradientMapping: mapping)
  }
}
