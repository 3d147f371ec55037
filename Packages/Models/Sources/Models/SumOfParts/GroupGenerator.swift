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
  /// c [n, m] (differentiable with respect to the tokens and the projections).
  public func callAsFunction(_ tokens: Tensor) -> (masks: [Float], scales: Tensor) {
    let (n, d) = (tokens.shape[0], tokens.shape[1])
    let identity = Tensor(shape: [d, d], scalars: (0..<(d * d)).map { $0 / d == $0 % d ? 1 : 0 })
    let bias = selfBias.value
    let attention = Tensor.concatenating(zip(queries, keys).enumerated().map { h, pair in
      let (q, k) = pair
      let onSelf = identity * bias.gathering(alongAxis: 0, indices: [h], indexShape: [1])
      return (tokens.matmul(q.value).matmul(tokens.matmul(k.value).transposed()) * scale + onSelf).softmax(alongAxis: -1)
    }, alongAxis: 1)
    let m = candidates.count
    var indices = [Int](repeating: 0, count: n * m * d)
    for b in 0..<n { for (i, c) in candidates.enumerated() { for j in 0..<d { indices[(b * m + i) * d + j] = c } } }
    let selected = attention.gathering(alongAxis: 1, indices: indices, indexShape: [n, m, d])
    // Hard masks: the top `keep` features of each candidate's attention (ties: lower index).
    let a = selected.scalars
    var masks = [Float](repeating: 0, count: n * m * d)
    var order = Array(0..<d)
    for r in 0..<(n * m) {
      let base = r * d
      order.sort { a[base + $0] > a[base + $1] || (a[base + $0] == a[base + $1] && $0 < $1) }
      for j in order.prefix(keep) { masks[base + j] = 1 }
      for j in 0..<d { order[j] = j }
    }
    let signs = Tensor(shape: [n, m, d], scalars: masks.map { 2 * $0 - 1 })
    return (masks, (selected * signs).sum(alongAxis: 2))
  }
}
