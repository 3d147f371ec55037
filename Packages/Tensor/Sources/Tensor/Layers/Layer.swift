/// A module that maps one tensor to one tensor, so it can be stacked in a ``Sequential``.
public protocol Layer: Module {
  func callAsFunction(_ x: Tensor) -> Tensor
}

extension Linear: Layer {}

/// Layers applied in order, `torch.nn.Sequential`; children are named "0", "1", ….
public final class Sequential: Layer {
  public let layers: [any Layer]
  public var mode = ModuleMode()

  public init(_ layers: [any Layer]) { self.layers = layers }

  public var children: [(name: String, module: any Module)] {
    layers.enumerated().map { ("\($0.offset)", $0.element) }
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    layers.reduce(x) { $1($0) }
  }
}
