import Foundation
import Tensor

/// Sum-of-Parts' group generator Γ (You et al., ICML 2025, §3; the authors' `GroupGenerateLayer`),
/// on feature tokens: each of H heads scores every pair of features,
///
///   Aʰ = softmax over keys of s_gen·(T W_qʰ)(T W_kʰ)ᵀ + βʰ·I ∈ ℝ^{d×d}   (no 1/√E, as the authors have it)
///
/// and every row of every head — every feature, as a query, under every head — proposes one
/// candidate group: its top t = max(1, ⌈τ·d⌉) features by attention, as a hard {0, 1} mask.
/// The mask itself passes no gradient; the generator learns only through the candidate's scale
///
///   c = Σ_kept a − Σ_dropped a = 2·Σ_kept a − 1 ∈ [−1, 1],
///
/// which multiplies that group's backbone logits (the authors' design). The m groups kept are
/// the candidates at evenly spaced positions of the H·d candidates, head by head, as in the
/// authors' code (positions ⌊i·H·d/m⌋ for i < m, fewer when that repeats one: m ≥ H·d keeps
/// every candidate). W_qʰ, W_kʰ ∈ ℝ^{E×E} are Xavier-uniform. The authors train one head per
/// phase; here all heads train together.
public final class GroupGenerator: Module {
  public let queries: [Parameter]
  public let keys: [Parameter]
  /// βʰ, the query feature's bonus on itself, per head.
  public let selfBias: Parameter
  public let features: Int
  public let keep: Int
  public let scale: Float
  /// Indices of the kept candidates among the H·d (head-major).
  public let candidates: [Int]
  public var mode = ModuleMode()

  public init(features: Int, width: Int, heads: Int, groups: Int, tau: Double, scale: Float, rng: inout RandomGenerator) {
    precondition(features > 0 && width > 0 && heads > 0 && groups > 0 && tau > 0 && tau <= 1, "GroupGenerator: invalid sizes")
    let bound = (6 / Float(2 * width)).squareRoot()
    queries = (0..<heads).map { _ in Parameter(.randomUniform([width, width], low: -bound, high: bound, using: &rng)) }
    keys = (0..<heads).map { _ in Parameter(.randomUniform([width, width], low: -bound, high: bound, using: &rng)) }
    selfBias = Parameter(.full([heads], Foundation.log(Float(2 * features))))
    self.features = features
    keep = Swift.max(1, Int((tau * Double(features)).rounded(.up)))
    self.scale = scale
    candidates = Self.candidates(total: heads * features, groups: groups)
  }

  /// ⌊i·total/m⌋ for i < m, without repeats.
  static func candidates(total: Int, groups: Int) -> [Int] {
    var seen = Set<Int>()
    return (0..<groups).map { $0 * total / groups }.filter { seen.insert($0).inserted }
  }

  public var ownParameters: [(name: String, parameter: Parameter)] {
    queries.enumerated().map { ("query.\($0.offset)", $0.element) } + keys.enumerated().map { ("key.\($0.offset)", $0.element) }
      + [("self_bias", selfBias)]
  }

  /// The groups of each row: masks [n, m, d] ({0, 1}, row-major, no gradient) and their scales
  /// c [n, m] (differentiable with respect to the tokens and the projections). Only the kept
  /// candidates' attention rows are computed: a head's queries are the kept features alone.
  public func callAsFunction(_ tokens: Tensor) -> (masks: [Float], scales: Tensor) {
    let n = tokens.shape[0]
    let d = features
    let attention = self.attention(tokens)
    let m = candidates.count
    // Hard masks: the top `keep` features of each candidate's attention (ties: lower index),
    // kept in a small list sorted by attention that most features fail to enter.
    var masks = [Float](repeating: 0, count: n * m * d)
    let keep = self.keep
    attention.scalars.withUnsafeBufferPointer { a in
      masks.withUnsafeMutableBufferPointer { out in
        var top = [Int](repeating: 0, count: keep)
        for r in 0..<(n * m) {
          let base = r * d
          var filled = 0
          for j in 0..<d {
            let v = a[base + j]
            if filled == keep && v <= a[base + top[keep - 1]] { continue }
            var slot = filled == keep ? keep - 1 : filled
            while slot > 0 && a[base + top[slot - 1]] < v {
              top[slot] = top[slot - 1]
              slot -= 1
            }
            top[slot] = j
            if filled < keep { filled += 1 }
          }
          for i in 0..<keep { out[base + top[i]] = 1 }
        }
      }
    }
    let signs = Tensor(shape: [n, m, d], scalars: masks.map { 2 * $0 - 1 })
    return (masks, (attention * signs).sum(alongAxis: 2))
  }

  /// The kept candidates' attention rows [n, m, d], head by head.
  func attention(_ tokens: Tensor) -> Tensor {
    let (n, d) = (tokens.shape[0], tokens.shape[1])
    let bias = selfBias.value
    // QKᵀ = (T W_q)(T W_k)ᵀ = (T·W_q W_kᵀ)·Tᵀ: one E×E product per head, Tᵀ shared by the heads.
    let transposedTokens = tokens.transposed()
    var rows: [Tensor] = []
    for (h, (q, k)) in zip(queries, keys).enumerated() {
      let selected = candidates.filter { $0 / d == h }.map { $0 % d }
      guard !selected.isEmpty else { continue }
      let count = selected.count
      let scores = tokens.matmul(q.value.matmul(k.value.transposed())).matmul(transposedTokens)
      var indices = [Int](repeating: 0, count: n * count * d)
      for b in 0..<n { for (i, query) in selected.enumerated() { for j in 0..<d { indices[(b * count + i) * d + j] = query } } }
      let chosen = scores.gathering(alongAxis: 1, indices: indices, indexShape: [n, count, d])
      var onSelf = [Float](repeating: 0, count: count * d)
      for (i, query) in selected.enumerated() { onSelf[i * d + query] = 1 }
      let bonus = Tensor(shape: [count, d], scalars: onSelf) * bias.gathering(alongAxis: 0, indices: [h], indexShape: [1])
      rows.append((chosen * scale + bonus).softmax(alongAxis: -1))
    }
    return rows.count == 1 ? rows[0] : Tensor.concatenating(rows, alongAxis: 1)
  }

  /// The share of the groups of `tokens`' rows whose last kept feature ties with the first
  /// dropped one: there the mask is decided by column order, not by the data (a saturated
  /// attention puts exact zeros on most features).
  public func boundaryTies(_ tokens: Tensor) -> Double {
    guard keep < features else { return 0 }
    let a = withoutGradient { attention(tokens) }.scalars
    let d = features
    var ties = 0
    let rows = a.count / d
    for r in 0..<rows {
      let sorted = a[(r * d)..<((r + 1) * d)].sorted(by: >)
      if sorted[keep - 1] == sorted[keep] { ties += 1 }
    }
    return Double(ties) / Double(Swift.max(rows, 1))
  }
}
