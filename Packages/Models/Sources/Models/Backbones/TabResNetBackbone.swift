import Tensor

/// The TabResNet trunk of Kadra et al. (2024), after Gorishniy et al. (2021):
///
///   h₀ = GELU(BN(W_in·x)),  hₖ = ResidualBlock(hₖ₋₁) for k = 1…blocks
///
/// with `ResidualBlock` = GELU(h + BN₂(W₂·Dropout(GELU(BN₁(W₁·h))))) and BN₂'s weight
/// starting at 0. Defaults: width 128, 2 blocks, dropout 0.
public final class TabResNetBackbone: Layer {
  public let input: Linear
  public let inputNorm: BatchNorm1d
  public let blocks: [ResidualBlock]
  public var isTraining = true

  public init(features: Int, width: Int = 128, blocks count: Int = 2, dropout: Float = 0, rng: inout RandomGenerator) {
    input = Linear(features, width, rng: &rng)
    inputNorm = BatchNorm1d(width)
    blocks = (0..<count).map { _ in ResidualBlock(width: width, dropout: dropout, rng: &rng) }
  }

  public var width: Int { input.outFeatures }

  public var children: [(name: String, module: any Module)] {
    [("input", input), ("input_norm", inputNorm)] + blocks.enumerated().map { ("blocks.\($0.offset)", $0.element as any Module) }
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    blocks.reduce(inputNorm(input(x)).gelu()) { $1($0) }
  }
}
