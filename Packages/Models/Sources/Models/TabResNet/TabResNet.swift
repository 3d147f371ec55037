import Tensor

/// The black-box baseline of the INN paper: the TabResNet trunk followed by a linear head,
/// logits = W·h + b (Kadra et al. 2024, after Gorishniy et al. 2021).
public final class TabResNet: Architecture {
  public static let kind = "tabresnet"
  public static let displayName = "TabResNet"
  public static let summary = "TabResNet, the black-box baseline of the INN paper (explained post hoc)"

  /// `hidden_size` and `nr_blocks`; `weight_norm` is accepted (the reference's command line
  /// passes it to every model) and has no effect.
  public typealias Configuration = TabResNetConfiguration

  public static func configuration(from hyperparameters: inout HyperparameterReader) throws -> Configuration {
    try .read(from: &hyperparameters, weightNormHelp: "accepted for the reference's command line; TabResNet has no generated weights, so it has no effect")
  }

  public let configuration: Configuration
  public let backbone: TabResNetBackbone
  public let head: Linear
  public var mode = ModuleMode()

  public init(configuration: Configuration, features: Int, outputs: Int, rng: inout RandomGenerator) throws {
    try TabResNetBackbone.checkSize(kind: Self.kind, features: features, width: configuration.width, blocks: configuration.blocks, headOutputs: outputs,
                                    weightNorm: configuration.weightNorm)
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
