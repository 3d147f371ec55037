import Tensor

/// Sum-of-Parts' group selector θ (the authors' `GroupSelectLayer`): one cross-attention head
/// from class queries to the groups' hidden states z, with sparsemax over the groups,
///
///   α_k = sparsemax over i of s_sel·(C_k W_q)·(zᵢ W_k)ᵀ
///
/// so most groups get weight exactly 0 and the rest sum to 1 for each class k. C ∈ ℝ^{K×D}
/// starts as the backbone's output-layer weights (``initialiseQueries(from:)``) and trains;
/// W_q, W_k ∈ ℝ^{D×D} start as the identity.
public final class GroupSelector: Module {
  public let classQueries: Parameter
  public let queryProjection: Parameter
  public let keyProjection: Parameter
  public let scale: Float
  /// Sparsemax (the authors': most groups get weight exactly 0) or softmax (every group some).
  public let normalisation: Normalisation
  public var mode = ModuleMode()

  public enum Normalisation: String, Codable, Sendable, CaseIterable {
    case sparsemax, softmax
  }

  public init(classes: Int, width: Int, scale: Float, normalisation: Normalisation = .sparsemax, rng: inout RandomGenerator) {
    let bound = (6 / Float(classes + width)).squareRoot()
    classQueries = Parameter(.randomUniform([classes, width], low: -bound, high: bound, using: &rng))
    let identity = Tensor(shape: [width, width], scalars: (0..<(width * width)).map { $0 / width == $0 % width ? 1 : 0 })
    queryProjection = Parameter(identity)
    keyProjection = Parameter(identity)
    self.scale = scale
    self.normalisation = normalisation
  }

  public var ownParameters: [(name: String, parameter: Parameter)] {
    [("class_queries", classQueries), ("query", queryProjection), ("key", keyProjection)]
  }

  /// C ← the backbone head's weights [K, D].
  public func initialiseQueries(from head: Linear) {
    classQueries.value = head.weight.value.detached()
  }

  /// The group weights α [n, K, m] for the groups' hidden states z [n, m, D]. The scores are
  /// computed as z·(W_k·(C W_q)ᵀ): the same product, associated so that the n·m hidden states
  /// meet a D×K matrix rather than a D×D one.
  public func callAsFunction(_ hidden: Tensor) -> Tensor {
    let queries = classQueries.value.matmul(queryProjection.value)
    let scores = hidden.matmul(keyProjection.value.matmul(queries.transposed())).transposed(1, 2) * scale
    return normalisation == .sparsemax ? scores.sparsemax(alongAxis: -1) : scores.softmax(alongAxis: -1)
  }
}
