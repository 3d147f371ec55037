/// Layer normalisation over the last axis, `torch.nn.LayerNorm(d)` (Ba et al. 2016):
/// y = (x − μ)/√(σ² + ε)·γ + β with μ, σ² (biased) over the last axis of each row;
/// ε = 1e-5, γ = 1, β = 0 at initialisation.
public final class LayerNorm: Layer {
  public let weight: Parameter
  public let bias: Parameter
  public let epsilon: Float
  public var mode = ModuleMode()

  public init(_ dimension: Int, epsilon: Float = 1e-5) {
    precondition(dimension > 0, "LayerNorm(\(dimension)): dimension must be positive")
    weight = Parameter(.ones([dimension]))
    bias = Parameter(.zeros([dimension]))
    self.epsilon = epsilon
  }

  public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    precondition(x.shape.last == weight.shape[0], "LayerNorm(\(weight.shape[0])): input \(x.shape) must end in \(weight.shape[0])")
    let centered = x - x.mean(alongAxis: -1, keepingDims: true)
    let variance = (centered * centered).mean(alongAxis: -1, keepingDims: true)
    return centered / (variance + epsilon).sqrt() * weight.value + bias.value
  }
}
