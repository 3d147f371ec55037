/// An element-wise non-linearity as a layer (`nn.GELU()`, `nn.ReLU()`, …).
public final class Activation: Layer {
  public enum Kind: String, Sendable, CaseIterable {
    case gelu, relu, tanh, sigmoid, softplus, identity
  }

  public let kind: Kind
  public var mode = ModuleMode()

  public init(_ kind: Kind) { self.kind = kind }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    switch kind {
    case .gelu: x.gelu()
    case .relu: x.relu()
    case .tanh: x.tanh()
    case .sigmoid: x.sigmoid()
    case .softplus: x.softplus()
    case .identity: x
    }
  }
}
