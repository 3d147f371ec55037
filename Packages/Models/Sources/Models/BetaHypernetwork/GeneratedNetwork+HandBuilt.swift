import Foundation
import Tensor

extension GeneratedNetwork {
  /// The three ways to compute ‖x‖₁ with one hidden layer that the β-hypernetwork paper reports.
  public enum Algorithm: String, CaseIterable, Codable, Sendable {
    /// ‖x‖₁ = Σᵢ ReLU(xᵢ) + ReLU(−xᵢ): every input has two hidden partners of opposite sign.
    case doubleSided = "double-sided"
    /// ‖x‖₁ = 2·Σᵢ ReLU(±xᵢ) ∓ Σᵢ xᵢ: one one-sided partner per input, plus one unit kept in its
    /// linear regime by a large bias that carries ∓Σᵢ xᵢ.
    case pudding
    /// ‖x‖₁ ≈ α·Σⱼ σ(wⱼ·x) + c with randomly oriented wⱼ: no per-input structure.
    case convexity
  }

  /// A hand-built network of `algorithm` on `inputs` inputs with `hidden` units (unused units
  /// have zero weights), the patterns the order parameters are defined on.
  ///
  /// - `sharpness` a: an input's partners compute σ(±a·xᵢ)/a. With ReLU they are exact; with
  ///   swish, (swish(a·x) + swish(−a·x))/a = x·tanh(a·x/2), which tends to |x| as a grows.
  /// - `sign`: pudding's variant, +1 for 2·Σ ReLU(xᵢ) − Σ xᵢ, −1 for 2·Σ ReLU(−xᵢ) + Σ xᵢ.
  /// - `seed`: convexity's directions, and the samples its α and c are fitted on (least squares).
  ///
  /// - Throws: ``GeneratedNetworkError`` when the algorithm needs more units than `hidden`
  ///   (double-sided 2n, pudding n + 1) or a size is out of range.
  public static func handBuilt(
    _ algorithm: Algorithm, inputs n: Int, hidden: Int = 48, activation: Activation = .swish, sharpness a: Float = 20,
    sign: Float = 1, seed: UInt64 = 0
  ) throws -> GeneratedNetwork {
    guard (1...maximumInputs).contains(n), (1...maximumHidden).contains(hidden) else {
      throw GeneratedNetworkError.shape("would have \(n) inputs and \(hidden) hidden units; both must lie in 1...\(maximumInputs)")
    }
    guard a >= 1e-3 && a <= 1e4, sign == 1 || sign == -1 else {
      throw GeneratedNetworkError.shape("needs a sharpness in [0.001, 10000] and a sign of ±1 (got \(a), \(sign))")
    }
    var w = [Float](repeating: 0, count: hidden * n)
    var b = [Float](repeating: 0, count: hidden)
    var v = [Float](repeating: 0, count: hidden)
    var c: Float = 0
    switch algorithm {
    case .doubleSided:
      guard 2 * n <= hidden else { throw GeneratedNetworkError.shape("double-sided needs 2n = \(2 * n) hidden units, more than \(hidden)") }
      for i in 0..<n {
        w[(2 * i) * n + i] = a
        w[(2 * i + 1) * n + i] = -a
        v[2 * i] = 1 / a
        v[2 * i + 1] = 1 / a
      }
    case .pudding:
      guard n + 1 <= hidden else { throw GeneratedNetworkError.shape("pudding needs n + 1 = \(n + 1) hidden units, more than \(hidden)") }
      for i in 0..<n {
        w[i * n + i] = sign * a
        v[i] = 2 / a
      }
      // The linear unit: pre-activation ε·Σxᵢ + B, with B at least 30 standard deviations (ε·√n)
      // above 0 and at least 20, so σ is the identity to within B·e^(−B)/ε (swish); its output
      // weight −sign/ε gives ∓Σxᵢ, and c cancels the constant.
      let epsilon: Float = 0.1
      let bias = Swift.max(30 * epsilon * Float(n).squareRoot(), 20)
      for i in 0..<n { w[n * n + i] = epsilon }
      b[n] = bias
      v[n] = -sign / epsilon
      c = sign * bias / epsilon
    case .convexity:
      var rng = RandomGenerator(seed: seed).stream(22)
      for j in 0..<hidden {
        let u = (0..<n).map { _ in rng.nextNormal() }
        let norm = Swift.max(u.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-6)
        for i in 0..<n { w[j * n + i] = u[i] / norm }
      }
      // α, c by least squares of ‖x‖₁ on s(x) = Σⱼ σ(wⱼ·x), over 8,192 draws.
      let unit = try GeneratedNetwork(hiddenWeight: w, hiddenBias: b, outputWeight: [Float](repeating: 1, count: hidden), outputBias: 0, activation: activation)
      let count = 8192
      let x = (0..<(count * n)).map { _ in rng.nextNormal() }
      let s = unit(x)
      var (ss, sy, s1, y1) = (0.0, 0.0, 0.0, 0.0)
      for r in 0..<count {
        let y = (0..<n).reduce(0.0) { $0 + Double(Swift.abs(x[r * n + $1])) }
        ss += Double(s[r]) * Double(s[r])
        sy += Double(s[r]) * y
        s1 += Double(s[r])
        y1 += y
      }
      let variance = ss - s1 * s1 / Double(count)
      let alpha = variance > 0 ? (sy - s1 * y1 / Double(count)) / variance : 0
      v = [Float](repeating: Float(alpha), count: hidden)
      c = Float((y1 - alpha * s1) / Double(count))
    }
    return try GeneratedNetwork(hiddenWeight: w, hiddenBias: b, outputWeight: v, outputBias: c, activation: activation)
  }
}
