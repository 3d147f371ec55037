import Tensor

/// One token per feature, FT-Transformer's feature tokenizer (Gorishniy et al. 2021):
///
///   Tⱼ(x) = bⱼ + xⱼ·wⱼ ∈ ℝ^E,   j = 1…d
///
/// with bⱼ, wⱼ learned per feature (both ~ U(±1/√E)), so a token carries which feature it is
/// and its standardised value. Sum-of-Parts' group generator attends over these tokens.
public final class FeatureTokenizer: Module {
  public let weight: Parameter
  public let bias: Parameter
  public var mode = ModuleMode()

  public init(features: Int, width: Int, rng: inout RandomGenerator) {
    precondition(features > 0 && width > 0, "FeatureTokenizer(\(features), \(width)): sizes must be positive")
    let bound = 1 / Float(width).squareRoot()
    weight = Parameter(.randomUniform([features, width], low: -bound, high: bound, using: &rng))
    bias = Parameter(.randomUniform([features, width], low: -bound, high: bound, using: &rng))
  }

  public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

  public var width: Int { weight.shape[1] }

  /// The tokens of `x` [n, d]: [n, d, E].
  public func callAsFunction(_ x: Tensor) -> Tensor {
    x.expandingDims(at: 2) * weight.value + bias.value
  }
}
