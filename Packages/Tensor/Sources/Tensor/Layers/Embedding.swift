/// A lookup table, `torch.nn.Embedding`: index i ↦ row i of a [count, dimension] weight,
/// initialised N(0, 1) as in PyTorch.
public final class Embedding: Module {
  public let weight: Parameter
  public var mode = ModuleMode()

  public init(_ count: Int, _ dimension: Int, rng: inout RandomGenerator) {
    precondition(count > 0 && dimension > 0, "Embedding(\(count), \(dimension)): sizes must be positive")
    weight = Parameter(.randomNormal([count, dimension], using: &rng))
  }

  public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight)] }

  /// The rows for `indices`, shape `indices.count × dimension`.
  public func callAsFunction(_ indices: [Int]) -> Tensor {
    weight.value.gatheringRows(indices)
  }
}
