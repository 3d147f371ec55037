import Foundation
import Tensor

/// Sum-of-Parts (You et al., ICML 2025), brought to tabular data: a self-attributing network
/// whose prediction is exactly a weighted sum over learned groups of features,
///
///   f_k(x) = s_k·Σᵢ α_{k,i}·cᵢ·y_{i,k},   y_i = h(gᵢ ⊙ x)
///
/// - h: a trained TabResNet, frozen (weights and BatchNorm statistics), the backbone;
/// - gᵢ ∈ {0, 1}^d, cᵢ: m groups from the ``GroupGenerator`` over ``FeatureTokenizer`` tokens,
///   with dropped features at 0 — the training mean, since inputs are standardised;
/// - α: the ``GroupSelector``'s sparsemax weights over the groups, per class k;
/// - s_k = exp(ρ_k): a learned positive scale per output, the *selector scale*. Sparsemax weights
///   sum to 1, so without it f is a convex combination of the groups' predictions, each scaled
///   by c ∈ [−1, 1], and |f_k| can never exceed the largest |y_{i,k}|: on a regression target
///   such as x1x2x3x4 + x3x4x5x6 at x = 1, each group's prediction is at most 1 while f must
///   reach 2. On by default for regression, off (ρ fixed at 0) for classification, as the
///   authors have it; `selector_scale=on|off` either way.
///
/// The explanation is the groups and their contributions s_k·α_{k,i}·cᵢ·y_{i,k}, which add up to
/// the logit exactly. All n·m masked rows of a batch go through the backbone in one evaluation.
public final class SumOfParts: Architecture, SelfExplaining {
  public static let kind = "sop"
  public static let displayName = "Sum-of-Parts"
  public static let summary = "Sum-of-Parts: a frozen TabResNet backbone predicts on learned feature groups; the prediction is exactly the sum of the groups' contributions"

  public enum ScaleSetting: String, Codable, Sendable, CaseIterable {
    case auto, on, off
  }

  public enum ScheduleKind: String, Codable, Sendable, CaseIterable {
    case cosine
    case inverseSqrt = "inverse_sqrt"
  }

  /// The backbone's size (the TabResNet flags), the groups, and training.
  public struct Configuration: ArchitectureConfiguration {
    /// A saved TabResNet run to use as the backbone; nil: train one first.
    public var backbone: String?
    /// The backbone's `hidden_size`, `nr_blocks` (and the accepted `weight_norm`).
    public var backboneSize = TabResNetConfiguration()
    /// m, the groups per row.
    public var groups = 20
    /// τ, the share of features a group keeps: t = max(1, ⌈τ·d⌉).
    public var tau = 0.2
    /// H, the generator's attention heads.
    public var heads = 2
    /// E, the token width.
    public var tokenWidth = 64
    /// s_gen and s_sel.
    public var generatorScale: Float = 1
    public var selectorScale: Float = 1
    /// Whether the learned per-output scale s_k is used (auto: for regression).
    public var learnedScale = ScaleSetting.auto
    public var schedule = ScheduleKind.cosine
    public var validationFraction = 0.1
    /// The peak learning rate of the tokenizer, generator and selector (`--learning_rate` is the
    /// backbone's when Sum-of-Parts trains one).
    public var groupLearningRate: Float = 0.001
    /// When Sum-of-Parts trains its own backbone: the per-batch probability of cutout (random
    /// features set to 0, their mean), so the backbone has seen inputs like its groups.
    public var backboneMasking = 0.5
    /// λ of the insertion-consistency term (0: the authors' objective alone); see
    /// ``SumOfParts/trainingOutput(_:)``.
    public var consistency = 0.0
    /// How the selector turns scores into group weights.
    public var selection = GroupSelector.Normalisation.sparsemax

    public init() {}

    enum CodingKeys: String, CodingKey {
      case backbone, groups, tau, heads, tokenWidth = "token_width", generatorScale = "generator_scale"
      case selectorScale = "selector_temperature", learnedScale = "selector_scale", schedule, validationFraction = "validation_fraction"
      case groupLearningRate = "group_learning_rate", backboneMasking = "backbone_masking", consistency, selection
    }

    public init(from decoder: any Decoder) throws {
      backboneSize = try TabResNetConfiguration(from: decoder)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      backbone = try c.decodeIfPresent(String.self, forKey: .backbone)
      groups = try c.decode(Int.self, forKey: .groups)
      tau = try c.decode(Double.self, forKey: .tau)
      heads = try c.decode(Int.self, forKey: .heads)
      tokenWidth = try c.decode(Int.self, forKey: .tokenWidth)
      generatorScale = Float(try c.decode(Double.self, forKey: .generatorScale))
      selectorScale = Float(try c.decode(Double.self, forKey: .selectorScale))
      learnedScale = try c.decode(ScaleSetting.self, forKey: .learnedScale)
      schedule = try c.decode(ScheduleKind.self, forKey: .schedule)
      validationFraction = try c.decode(Double.self, forKey: .validationFraction)
      groupLearningRate = Float(try c.decode(Double.self, forKey: .groupLearningRate))
      backboneMasking = try c.decode(Double.self, forKey: .backboneMasking)
      // Model files written before the term existed trained without it.
      consistency = try c.decodeIfPresent(Double.self, forKey: .consistency) ?? 0
      selection = try c.decodeIfPresent(GroupSelector.Normalisation.self, forKey: .selection) ?? .sparsemax
    }

    public func encode(to encoder: any Encoder) throws {
      try backboneSize.encode(to: encoder)
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encodeIfPresent(backbone, forKey: .backbone)
      try c.encode(groups, forKey: .groups)
      try c.encode(tau, forKey: .tau)
      try c.encode(heads, forKey: .heads)
      try c.encode(tokenWidth, forKey: .tokenWidth)
      try c.encode(generatorScale.decimal, forKey: .generatorScale)
      try c.encode(selectorScale.decimal, forKey: .selectorScale)
      try c.encode(learnedScale, forKey: .learnedScale)
      try c.encode(schedule, forKey: .schedule)
      try c.encode(validationFraction, forKey: .validationFraction)
      try c.encode(groupLearningRate.decimal, forKey: .groupLearningRate)
      try c.encode(backboneMasking, forKey: .backboneMasking)
      try c.encode(consistency, forKey: .consistency)
      try c.encode(selection, forKey: .selection)
    }
  }

  public static func configuration(from h: inout HyperparameterReader) throws -> Configuration {
    var c = Configuration()
    let path = try h.text("backbone", help: "a saved TabResNet run (its folder or model.safetensors) on the same columns and split; default: train one first")
    c.backboneSize = try .read(from: &h, weightNormHelp: "accepted for the reference's command line; passed to the backbone, where it has no effect")
    if let path {
      let saved = try SavedBackbone.load(path)
      for name in ["hidden_size", "nr_blocks"] where h.isGiven(name) {
        let given = name == "hidden_size" ? c.backboneSize.width : c.backboneSize.blocks
        let actual = name == "hidden_size" ? saved.size.width : saved.size.blocks
        guard given == actual else {
          throw ArchitectureError.invalidHyperparameter(kind: kind, name: name, value: "\(given)", accepted: "\(actual), the size of the backbone at \(path) (or leave it out)")
        }
      }
      c.backbone = path
      c.backboneSize = saved.size
    }
    c.groups = try h.integer("groups", default: 20, in: 1...4096, help: "m, the groups per row (at most heads × encoded features are distinct)")
    c.tau = try h.number("tau", default: 0.2, in: NumberRange(lower: 0, lowerInclusive: false, upper: 1), help: "τ, the share of features a group keeps")
    c.heads = try h.integer("heads", default: 2, in: 1...64, help: "attention heads of the group generator")
    c.tokenWidth = try h.integer("token_width", default: 64, in: 1...1024, help: "E, the width of the feature tokens")
    c.generatorScale = try h.number("generator_scale", default: 1, in: NumberRange(lower: 0, lowerInclusive: false, upper: 1000),
                                    help: "s_gen, the generator's attention scale (large values saturate the attention)")
    c.selectorScale = try h.number("selector_temperature", default: 1, in: NumberRange(lower: 0, lowerInclusive: false, upper: 1000),
                                   help: "s_sel, the selector's attention scale")
    c.learnedScale = try h.choice("selector_scale", default: ScaleSetting.auto, help: "a learned positive scale per output on the selector's weights (auto: on for regression)")
    c.schedule = try h.choice("schedule", default: ScheduleKind.cosine, help: "the learning-rate decay after warm-up")
    c.validationFraction = try h.number("validation_fraction", default: 0.1, in: .closed(0, 0.5),
                                        help: "the share of training rows that picks the best epoch (0: train on every row, keep the last epoch)")
    c.groupLearningRate = try h.number("group_learning_rate", default: 0.001, in: NumberRange(lower: 0, lowerInclusive: false, upper: 1),
                                       help: "peak learning rate of the generator and selector (--learning_rate trains the backbone)")
    c.backboneMasking = try h.number("backbone_masking", default: 0.5, in: .unit,
                                     help: "when it trains its backbone: the per-batch probability of cutout masking (0: as --model tabresnet trains it)")
    c.consistency = try h.number("consistency", default: 0, in: .closed(0, 1000),
                                 help: "λ: train the groups inside a random subset of features to add up to the model's output on that subset alone (0: the authors' objective)")
    c.selection = try h.choice("selection", default: GroupSelector.Normalisation.sparsemax,
                               help: "how the selector weighs the groups: sparsemax (the authors': most weights exactly 0) or softmax")
    return c
  }

  public let configuration: Configuration
  public let backbone: TabResNet
  public let tokenizer: FeatureTokenizer
  public let generator: GroupGenerator
  public let selector: GroupSelector
  /// ρ_k, the log of the selector scale per output (fixed at 0 when the scale is off).
  public let logScale: Parameter
  public var mode = ModuleMode()
  /// Draws the subsets of the consistency term; seeded by ``fit(on:training:progress:)``.
  var subsetGenerator = RandomGenerator(seed: 0)

  public init(configuration: Configuration, features: Int, outputs: Int, rng: inout RandomGenerator) throws {
    let c = configuration
    try TabResNetBackbone.checkSize(kind: Self.kind, features: features, width: c.backboneSize.width, blocks: c.backboneSize.blocks,
                                    headOutputs: outputs, weightNorm: c.backboneSize.weightNorm)
    // The same ranges as `configuration(from:)`, for configurations from code or edited model files.
    for (name, value, valid, accepted) in [
      ("groups", "\(c.groups)", (1...4096).contains(c.groups), "1...4096"), ("tau", "\(c.tau)", c.tau > 0 && c.tau <= 1, "(0, 1]"),
      ("heads", "\(c.heads)", (1...64).contains(c.heads), "1...64"), ("token_width", "\(c.tokenWidth)", (1...1024).contains(c.tokenWidth), "1...1024"),
      ("generator_scale", "\(c.generatorScale)", c.generatorScale > 0 && c.generatorScale <= 1000, "(0, 1000]"),
      ("selector_temperature", "\(c.selectorScale)", c.selectorScale > 0 && c.selectorScale <= 1000, "(0, 1000]"),
      ("validation_fraction", "\(c.validationFraction)", (0...0.5).contains(c.validationFraction), "[0, 0.5]"),
      ("group_learning_rate", "\(c.groupLearningRate)", c.groupLearningRate > 0 && c.groupLearningRate <= 1, "(0, 1]"),
      ("backbone_masking", "\(c.backboneMasking)", (0...1).contains(c.backboneMasking), "[0, 1]"),
      ("consistency", "\(c.consistency)", (0...1000).contains(c.consistency), "[0, 1000]"),
    ] where !valid {
      throw ArchitectureError.invalidHyperparameter(kind: Self.kind, name: name, value: value, accepted: accepted)
    }
    guard Double(features) * Double(c.heads) * Double(c.tokenWidth) * Double(c.tokenWidth) <= Double(TabResNetBackbone.maximumParameters) else {
      throw ArchitectureError.tooLarge(kind: Self.kind, parameters: Double(features * c.heads) * Double(c.tokenWidth * c.tokenWidth),
                                       maximum: TabResNetBackbone.maximumParameters)
    }
    self.configuration = c
    backbone = TabResNet(features: features, outputs: outputs, width: c.backboneSize.width, blocks: c.backboneSize.blocks, rng: &rng)
    tokenizer = FeatureTokenizer(features: features, width: c.tokenWidth, rng: &rng)
    generator = GroupGenerator(features: features, width: c.tokenWidth, heads: c.heads, groups: c.groups, tau: c.tau,
                               scale: c.generatorScale, rng: &rng)
    selector = GroupSelector(classes: outputs, width: c.backboneSize.width, scale: c.selectorScale, normalisation: c.selection, rng: &rng)
    logScale = Parameter(.zeros([outputs]))
    backbone.freeze()
  }

  public var features: Int { backbone.features }
  public var outputs: Int { backbone.outputs }
  /// m, the groups each row is explained by.
  public var groupCount: Int { generator.candidates.count }

  public var children: [(name: String, module: any Module)] {
    [("backbone", backbone), ("tokenizer", tokenizer), ("generator", generator), ("selector", selector)]
  }

  public var ownParameters: [(name: String, parameter: Parameter)] { [("log_scale", logScale)] }

  /// The forward pass in parts: masks [n, m, d], and the contributions [n, K, m] whose sum
  /// over groups is the logits.
  ///
  /// The frozen backbone runs on the n·m masked rows through its evaluation plan, which records
  /// no gradient: training needs none (the masks pass none and the backbone is frozen). When
  /// the gradient with respect to x itself is asked for (x requires one: Integrated Gradients,
  /// input gradients), the masked rows go through the backbone's own tensor operations instead,
  /// so ∂/∂x reaches x through the backbone's outputs y and hidden states z (and through the
  /// selector's weights, which z decides), not only through the generator's scales.
  public func parts(_ x: Tensor) -> (masks: [Float], contributions: Tensor) {
    let (n, d) = (x.shape[0], x.shape[1])
    let (masks, scales) = generator(tokenizer(x))
    let m = generator.candidates.count
    let k = outputs
    let width = backbone.backbone.width
    let alpha: Tensor, outputsByGroup: Tensor
    if x.requiresGrad && GradientRecording.isEnabled {
      let masked = (x.reshaped([n, 1, d]) * Tensor(shape: [n, m, d], scalars: masks)).reshaped([n * m, d])
      let z = backbone.backbone(masked)
      alpha = selector(z.reshaped([n, m, width]))
      outputsByGroup = backbone.head(z).reshaped([n, m, k]).transposed(1, 2)
    } else {
      let masked = x.scalars.withUnsafeBufferPointer { values in
        masks.withUnsafeBufferPointer { g in
          [Float](unsafeUninitializedCapacity: n * m * d) { out, written in
            for b in 0..<n { for i in 0..<m { for j in 0..<d { out[(b * m + i) * d + j] = values[b * d + j] * g[(b * m + i) * d + j] } } }
            written = n * m * d
          }
        }
      }
      let (y, z) = BackbonePasses(backbone).evaluate(masked, count: n * m)
      alpha = selector(Tensor(shape: [n, m, width], scalars: z))
      // y as [n, K, m] to line up with α.
      var yt = [Float](repeating: 0, count: n * k * m)
      for b in 0..<n { for i in 0..<m { for o in 0..<k { yt[(b * k + o) * m + i] = y[(b * m + i) * k + o] } } }
      outputsByGroup = Tensor(shape: [n, k, m], scalars: yt)
    }
    let contributions = alpha * scales.expandingDims(at: 1) * outputsByGroup * logScale.value.exp().reshaped([1, k, 1])
    return (masks, contributions)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { parts(x).contributions.sum(alongAxis: 2) }

  /// The masked rows of a batch of 512 rows (×m) stay a few megabytes.
  public func inferencePlan() -> any InferencePlan { ForwardPassPlan(self, chunkSize: 512) }

  public var selfExplaining: (any SelfExplaining)? { self }

  /// The group stage reads the epochs, batch size, weight decay (AdamW) and warm-up; a backbone it
  /// trains itself reads every setting but augmentation, which `backbone_masking` replaces.
  public static func trainingSettings(_ configuration: Configuration) -> Set<TrainingSetting> {
    configuration.backbone == nil
      ? Set(TrainingSetting.allCases).subtracting(configuration.backboneMasking > 0 ? [.augmentationProbability] : [])
      : [.epochs, .batchSize, .weightDecay, .warmupEpochs]
  }

  public var components: [(name: String, model: any TabularModel)] { [("backbone", backbone)] }

  /// Each row differentiated with respect to the input takes a backbone pass per group, all on
  /// the tape: 4096 rows in all, as other models take 4096 rows (a default of 20 groups took
  /// 1.8 GB at 4096 points, 60 groups 4.8 GB).
  public var inputGradientRows: Int { Swift.max(1, 4096 / Swift.max(groupCount, 1)) }
}
