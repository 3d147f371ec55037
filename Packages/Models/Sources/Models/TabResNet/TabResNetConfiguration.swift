/// The hyperparameters of the networks built on the TabResNet trunk — INN and TabResNet —
/// with the reference implementation's names and defaults.
public struct TabResNetConfiguration: ArchitectureConfiguration {
  /// Hidden units per layer (`hidden_size`).
  public var width = 128
  /// Residual blocks (`nr_blocks`).
  public var blocks = 2
  /// λ of INN's L1 term λ·mean|W(x)| on the generated weights (`weight_norm`). The reference's
  /// command line passes it to TabResNet too, so TabResNet accepts and reports it; it has no
  /// generated weights, so there it has no effect.
  public var weightNorm: Float = 0.1

  public init(width: Int = 128, blocks: Int = 2, weightNorm: Float = 0.1) {
    self.width = width
    self.blocks = blocks
    self.weightNorm = weightNorm
  }

  /// Reads `hidden_size`, `nr_blocks` and `weight_norm`; `weightNormHelp` says what λ does
  /// for the architecture at hand.
  static func read(from hyperparameters: inout HyperparameterReader, weightNormHelp: String) throws -> TabResNetConfiguration {
    let width = try hyperparameters.integer("hidden_size", default: 128, in: 1...TabResNetBackbone.maximumWidth, help: "hidden units per layer")
    let blocks = try hyperparameters.integer("nr_blocks", default: 2, in: 0...TabResNetBackbone.maximumBlocks, help: "residual blocks")
    let weightNorm: Float = try hyperparameters.number("weight_norm", default: 0.1, in: .nonNegative, help: weightNormHelp)
    return TabResNetConfiguration(width: width, blocks: blocks, weightNorm: weightNorm)
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

  /// λ is written as the Double it converts to exactly (0.1 → 0.10000000149011612), as the
  /// reference's output_info.json keys have always held it.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(width, forKey: .width)
    try c.encode(blocks, forKey: .blocks)
    try c.encode(weightNorm.decimal, forKey: .weightNorm)
  }
}
