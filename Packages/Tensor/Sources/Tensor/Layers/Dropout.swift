/// Inverted dropout, `torch.nn.Dropout(p)`: in training each value is zeroed with probability
/// p and the survivors are scaled by 1/(1−p), so the expectation is unchanged; in evaluation
/// it is the identity. The mask comes from the layer's own random stream, so a seed fixes it.
public final class Dropout: Layer {
  public let probability: Float
  public var mode = ModuleMode()
  private var rng: RandomGenerator

  public init(_ probability: Float, rng: RandomGenerator) {
    precondition(probability >= 0 && probability <= 1, "Dropout: probability \(probability) must lie in [0, 1]")
    self.probability = probability
    self.rng = rng
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    guard isTraining, probability > 0 else { return x }
    if probability == 1 { return x * Tensor.zeros(x.shape) }
    return x * Tensor(shape: x.shape, scalars: rng.dropoutMask(count: x.count, probability: probability))
  }
}
