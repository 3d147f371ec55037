/// A fully connected layer, `torch.nn.Linear`: y = x·Wᵀ + b with W of shape [out, in].
///
/// Initialisation is PyTorch's default: W ~ U(±√(1/in)) — kaiming-uniform with a = √5, whose
/// bound gain·√(3/fan_in) with gain = √(2/(1+a²)) reduces to 1/√fan_in — and b ~ U(±1/√in).
public final class Linear: Module {
  public let weight: Parameter
  public let bias: Parameter?
  public var mode = ModuleMode()

  public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout RandomGenerator) {
    precondition(inFeatures >= 0 && outFeatures > 0, "Linear(\(inFeatures), \(outFeatures)): sizes must be positive")
    let bound = inFeatures > 0 ? 1 / Float(inFeatures).squareRoot() : 0
    weight = Parameter(.randomUniform([outFeatures, inFeatures], low: -bound, high: bound, using: &rng))
    self.bias = bias ? Parameter(.randomUniform([outFeatures], low: -bound, high: bound, using: &rng)) : nil
  }

  public var inFeatures: Int { weight.shape[1] }
  public var outFeatures: Int { weight.shape[0] }

  public var ownParameters: [(name: String, parameter: Parameter)] {
    [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
  }

  /// Applies the layer to x of shape [n, in] (or [..., in], flattened and restored).
  public func callAsFunction(_ x: Tensor) -> Tensor {
    if x.rank == 2 { return .linear(x, weight: weight.value, bias: bias?.value) }
    precondition(x.rank >= 1 && x.shape.last == inFeatures, "Linear: input \(x.shape) must end in \(inFeatures)")
    let lead = Array(x.shape.dropLast())
    let y = Tensor.linear(x.reshaped([-1, inFeatures]), weight: weight.value, bias: bias?.value)
    return y.reshaped(lead + [outFeatures])
  }
}
