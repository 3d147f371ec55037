import Tensor

/// Interpretable Mesomorphic Network, INN (Kadra, Pineda Arango & Grabocka, NeurIPS 2024): a
/// deep hypernetwork that writes, for each instance x, the weights of a linear model, and
/// predicts with that linear model:
///
///   W(x) = reshape(Linear(TabResNet(x))) ∈ R^{(F+1)×C},   logits = [x, 1]·W(x)
///
/// The last row of W(x) is the bias. Since the prediction *is* the linear model, the
/// per-instance weights W(x) and contributions wⱼ(x)·xⱼ are exact explanations, not estimates
/// (``explain(_:threads:)``). Training adds the paper's sparsity term λ·mean|W(x)| over every
/// generated weight (``Configuration/weightNorm``, the reference's `--weight_norm`).
public final class MesomorphicNetwork: Architecture, SelfExplaining {
  public static let kind = "inn"
  public static let displayName = "INN"
  public static let summary = "Interpretable Mesomorphic Network: a TabResNet hypernetwork writes a linear model per row; its weights are the explanation"

  /// INN's hyperparameters, with the reference implementation's names and defaults.
  public struct Configuration: ArchitectureConfiguration {
    /// Hidden units per layer of the hypernetwork (`hidden_size`).
    public var width = 128
    /// Residual blocks (`nr_blocks`).
    public var blocks = 2
    /// λ of the L1 term λ·mean|W(x)| (`weight_norm`).
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
      weightNorm = Float(try c.decode(Double.self, forKey: .weightNorm))
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
      help: "λ of INN's L1 term λ·mean|W(x)| on the generated weights")
    return Configuration(width: size.width, blocks: size.blocks, weightNorm: weightNorm)
  }

  public let configuration: Configuration
  public let backbone: TabResNetBackbone
  public let head: Linear
  public let features: Int
  public let outputs: Int
  public var mode = ModuleMode()

  public init(configuration: Configuration, features: Int, outputs: Int, rng: inout RandomGenerator) throws {
    try TabResNetBackbone.checkSize(kind: Self.kind, features: features, width: configuration.width, blocks: configuration.blocks,
                                    headOutputs: (features + 1) * outputs)
    self.configuration = configuration
    self.features = features
    self.outputs = outputs
    backbone = TabResNetBackbone(features: features, width: configuration.width, blocks: configuration.blocks, rng: &rng)
    head = Linear(configuration.width, (features + 1) * outputs, rng: &rng)
  }

  /// An INN of the given size (``Configuration``'s defaults otherwise).
  public convenience init(features: Int, outputs: Int, width: Int = 128, blocks: Int = 2, weightNorm: Float = 0.1, rng: inout RandomGenerator) {
    // The sizes are the caller's; only the registry's validated path can throw.
    try! self.init(configuration: Configuration(width: width, blocks: blocks, weightNorm: weightNorm), features: features, outputs: outputs, rng: &rng)
  }

  public var children: [(name: String, module: any Module)] { [("backbone", backbone), ("head", head)] }

  /// The generated per-instance weights [n, F+1, C] (last feature row = bias).
  public func weights(_ x: Tensor) -> Tensor {
    head(backbone(x)).reshaped([x.shape[0], features + 1, outputs])
  }

  /// Logits and the weights that produced them: logits[n,c] = Σⱼ x̃[n,j]·W[n,j,c], x̃ = [x, 1].
  public func forward(_ x: Tensor) -> (logits: Tensor, weights: Tensor) {
    let w = weights(x)
    let augmented = Tensor.concatenating([x, Tensor.ones([x.shape[0], 1])], alongAxis: 1)
    return (Tensor.perInstanceLinear(augmented, weights: w), w)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { forward(x).logits }

  /// The logits and λ·mean|W(x)| over every generated weight (no penalty when λ = 0).
  public func trainingOutput(_ x: Tensor) -> TrainingOutput {
    let (logits, w) = forward(x)
    let λ = configuration.weightNorm
    return TrainingOutput(logits: logits, penalty: λ > 0 ? meanAbsolute(w) * λ : nil)
  }

  public var selfExplaining: (any SelfExplaining)? { self }
}
