/// The residual block of TabResNet (Kadra et al. 2024; Gorishniy et al. 2021):
///
///   h = GELU(BN₁(W₁x)) → Dropout → BN₂(W₂h);  y = GELU(x + h)
///
/// The second BatchNorm's γ starts at 0, so a fresh block is the identity followed by GELU and
/// deep stacks start well conditioned.
public final class ResidualBlock: Layer {
  public let linear1: Linear
  public let bn1: BatchNorm1d
  public let dropout: Dropout
  public let linear2: Linear
  public let bn2: BatchNorm1d
  public var mode = ModuleMode()

  public init(width: Int, dropout probability: Float = 0, rng: inout RandomGenerator) {
    linear1 = Linear(width, width, rng: &rng)
    bn1 = BatchNorm1d(width)
    dropout = Dropout(probability, rng: RandomGenerator(seed: rng.next()))
    linear2 = Linear(width, width, rng: &rng)
    bn2 = BatchNorm1d(width)
    bn2.weight.value = .zeros([width])
  }

  public var children: [(name: String, module: any Module)] {
    [("linear1", linear1), ("bn1", bn1), ("dropout", dropout), ("linear2", linear2), ("bn2", bn2)]
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    let h = linear2(dropout(bn1.gelu(linear1(x))))
    return bn2.gelu(h, adding: x)
  }
}
