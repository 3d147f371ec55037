import Foundation

/// Multi-head scaled dot-product attention, `torch.nn.MultiheadAttention` with
/// `batch_first=True` (Vaswani et al. 2017):
///
///   headᵢ = softmax(QᵢKᵢᵀ/√dₕ)·Vᵢ,   out = concat(head₁…head_h)·W_Oᵀ + b_O
///
/// with Q, K, V the query, key and value projected by the rows of `in_proj_weight` [3E, E].
/// Initialisation follows PyTorch: Xavier-uniform projection, zero biases.
public final class MultiHeadAttention: Module {
  public let embedDimension: Int
  public let heads: Int
  public let inProjectionWeight: Parameter
  public let inProjectionBias: Parameter
  public let outProjection: Linear
  public var mode = ModuleMode()

  public init(embedDimension: Int, heads: Int, rng: inout RandomGenerator) {
    precondition(heads > 0 && embedDimension % heads == 0,
      "MultiHeadAttention: embedDimension \(embedDimension) must be divisible by heads \(heads)")
    self.embedDimension = embedDimension
    self.heads = heads
    let bound = (6 / Float(embedDimension + 3 * embedDimension)).squareRoot()
    inProjectionWeight = Parameter(.randomUniform([3 * embedDimension, embedDimension], low: -bound, high: bound, using: &rng))
    inProjectionBias = Parameter(.zeros([3 * embedDimension]))
    outProjection = Linear(embedDimension, embedDimension, rng: &rng)
    outProjection.bias!.value = .zeros([embedDimension])
  }

  public var ownParameters: [(name: String, parameter: Parameter)] {
    [("in_proj_weight", inProjectionWeight), ("in_proj_bias", inProjectionBias)]
  }

  public var children: [(name: String, module: any Module)] { [("out_proj", outProjection)] }

  /// Attends from `query` [b, lq, E] over `key`/`value` [b, lk, E]; returns the output
  /// [b, lq, E] and the attention weights averaged over heads [b, lq, lk].
  public func callAsFunction(query: Tensor, key: Tensor, value: Tensor) -> (output: Tensor, weights: Tensor) {
    let e = embedDimension
    precondition(query.rank == 3 && query.shape[2] == e && key.shape == value.shape && key.rank == 3
      && key.shape[2] == e && key.shape[0] == query.shape[0],
      "MultiHeadAttention: expected query [b, lq, \(e)] and key/value [b, lk, \(e)], got \(query.shape), \(key.shape), \(value.shape)")
    let (b, lq, lk) = (query.shape[0], query.shape[1], key.shape[1])
    let dh = e / heads
    let w = inProjectionWeight.value
    let bias = inProjectionBias.value
    func project(_ x: Tensor, _ part: Int, length: Int) -> Tensor {
      let rows = part * e..<(part + 1) * e
      let y = Tensor.linear(x.reshaped([-1, e]), weight: w.slice(rows), bias: bias.slice(rows))
      // [b·l, E] → [b, l, h, dh] → [b, h, l, dh] → [b·h, l, dh]
      return y.reshaped([b, length, heads, dh]).permuted([0, 2, 1, 3]).reshaped([b * heads, length, dh])
    }
    let q = project(query, 0, length: lq)
    let k = project(key, 1, length: lk)
    let v = project(value, 2, length: lk)
    let scores = q.matmul(k.transposed()) * (1 / Float(dh).squareRoot())
    let attention = scores.softmax()
    let context = attention.matmul(v)  // [b·h, lq, dh]
      .reshaped([b, heads, lq, dh]).permuted([0, 2, 1, 3]).reshaped([b * lq, e])
    let output = outProjection(context).reshaped([b, lq, e])
    let averaged = attention.reshaped([b, heads, lq, lk]).mean(alongAxis: 1)
    return (output, averaged)
  }

  /// Self-attention: query, key and value are all `x`.
  public func callAsFunction(_ x: Tensor) -> Tensor {
    self(query: x, key: x, value: x).output
  }
}
