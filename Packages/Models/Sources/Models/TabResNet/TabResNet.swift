import Tensor

/// The black-box baseline of the INN paper: the TabResNet trunk followed by a linear head,
/// logits = W·h + b (Kadra et al. 2024, after Gorishniy et al. 2021).
public final class TabResNet: Architecture {
  public static let kind = "tabresnet"
  public static let displayName = "TabResNet"
  public static let summary = "TabResNet, the black-box baseline of the INN paper (explained post hoc)"

  /// TabResNet's hyperparameters, with the reference implementation's names and defaults.
  public struct Configuration: ArchitectureConfiguration {
    /// Hidden units per layer (`hidden_size`).
    public var width = 128
    /// Residual blocks (`nr_blocks`).
    public var blocks = 2
    /// The reference's `--weight_norm`, which its command line passes to every model: accepted
    /// and reported so the reference's commands run unchanged, but TabResNet generates no
    /// weights to penalise, so it has no effect.
    public var weightNorm: Float = 0.1

    public init(width: Int = 128, blocks: Int = 2, weightNorm: Float = 0.1) {
      self.width = width
      self.blocks = blocks
      self.weightNorm = weightNorm
    }

    enum CodingKeys: String, CodingKey {
      case width = "hidden_size", blocks = "nr_blocks", weightNorm = "weight_norm"
    }

    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      width = try c.decode(Int.self, forKey: .width)
      blocks = try c.decode(Int.self, forKey: .blocks)
      weightNorm = Float(try c.decodeIfPresent(Double.self, forKey: .weightNorm) ?? 0.1)
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(width, forKey: .width)
      try c.encode(blocks, forKey: .blocks)
      try c.encode(Double(weightNorm), forKey: .weightNorm)
    }
  }

  public static func configuration(from hyperparameters: inout HyperparameterReader) throws -> Configuration {
    let size = try TabResNetBackbone.size(from: &hyperparameters)
    let weightNorm: Float = try hyperparameters.number("weight_norm", default: 0.1, in: .nonNegative,
      help: "accepted for the reference's command line; TabResNet has no generated weights, so it has no effect")
    return Configuration(width: size.width, blocks: size.blocks, weightNorm: weightNorm)
  }

  public let configuration: Configuration
  public let backbone: TabResNetBackbone
  public let head: Linear
  public var mode = ModuleMode()

  public init(configuration: Configuration, features: Int, outputs: Int, rng: inout RandomGenerator) throws {
    try TabResNetBackbone.checkSize(kind: Self.kind, features: features, width: configuration.width, blocks: configuration.blocks, headOutputs: outputs)
    self.configuration = configuration
    backbone = TabResNetBackbone(features: features, width: configuration.width, blocks: configuration.blocks, rng: &rng)
    head = Linear(configuration.width, outputs, rng: &rng)
  }

  /// A TabResNet of the given size.
  public convenience init(features: Int, outputs: Int, width: Int = 128, blocks: Int = 2, rng: inout RandomGenerator) {
    try! self.init(configuration: Configuration(width: width, blocks: blocks), features: features, outputs: outputs, rng: &rng)
  }

  public var features: Int { backbone.input.inFeatures }
  public var outputs: Int { head.outFeatures }

  public var children: [(name: String, module: any Module)] { [("backbone", backbone), ("head", head)] }

  public func callAsFunction(_ x: Tensor) -> Tensor { head(backbone(x)) }

  /// The last hidden state h = TabResNetTrunk(x) [n, width], the representation the head reads.
  public func hidden(_ x: Tensor) -> Tensor { backbone(x) }
}
