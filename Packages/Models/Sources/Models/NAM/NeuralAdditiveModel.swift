import Foundation
import Tensor

/// Neural Additive Model (Agarwal et al., NeurIPS 2021), the feature-wise self-attributing
/// baseline of Sum-of-Parts: f(x) = β + Σⱼ fⱼ(xⱼ), each fⱼ a small network of one encoded
/// feature (``FeatureNetworks``, all d run as batched products), one output per class for
/// multiclass — which the reference code lacks. An ensemble of `models` networks
/// (``AdditiveNetwork``), each trained on its own validation split with its own seed, averages
/// the logits, so it is additive too: β = mean βₘ, fⱼ = mean fₘⱼ.
///
/// Training, after the reference: Adam (weight decay `--weight_decay`, decoupled), the learning
/// rate ×0.995 per epoch, dropout, feature dropout, the output penalty, early stopping on
/// validation loss (``ValidatedTrainer``). Inputs are SANNKit's standardised features (the
/// reference min–max scales to [−1, 1], fitted before its split); classes are balanced by the
/// training rows' oversampling rather than by batch.
///
/// Explanations: local, β and fⱼ(xⱼ) adding up to the logit exactly; global, each fⱼ tabulated
/// on training values, centred, its mean folded into β (``globalExplanation(trainingRows:)``).
public final class NeuralAdditiveModel: Architecture, SelfExplaining, GlobalExplaining {
  public static let kind = "nam"
  public static let displayName = "NAM"
  public static let summary = "Neural Additive Model: one small network per feature, the logit their sum; explains itself locally and by shape functions"

  public struct Configuration: ArchitectureConfiguration {
    public var firstLayer = FeatureNetworks.FirstLayer.exu
    /// Units of the first layer and of each hidden layer after it.
    public var hidden = [64, 32]
    public var dropout = 0.1
    public var featureDropout = 0.05
    /// λₒ of the output penalty λₒ·mean fⱼ².
    public var outputPenalty = 0.001
    /// Networks in the ensemble.
    public var models = 1
    /// Epochs without a better validation loss before a network stops (unused when
    /// `validationFraction` is 0).
    public var patience = 20
    public var decay = 0.995
    public var validationFraction = 0.1

    public init() {}

    enum CodingKeys: String, CodingKey {
      case firstLayer = "first_layer", hidden, dropout, featureDropout = "feature_dropout", outputPenalty = "output_penalty"
      case models, patience, decay = "lr_decay", validationFraction = "validation_fraction"
    }
  }

  public static func configuration(from h: inout HyperparameterReader) throws -> Configuration {
    var c = Configuration()
    c.firstLayer = try h.choice("first_layer", default: FeatureNetworks.FirstLayer.exu, help: "ExU (steep ramps that can jump) or ReLU units")
    c.hidden = try h.integers("hidden", default: [64, 32], in: 1...1024, count: 1...8, help: "units of the first layer and each hidden layer")
    c.dropout = try h.number("dropout", default: 0.1, in: NumberRange(lower: 0, lowerInclusive: true, upper: 0.9), help: "dropout after each hidden layer")
    c.featureDropout = try h.number("feature_dropout", default: 0.05, in: NumberRange(lower: 0, lowerInclusive: true, upper: 0.9),
                                    help: "probability of dropping a feature's whole contribution in training")
    c.outputPenalty = try h.number("output_penalty", default: 0.001, in: .closed(0, 1e6), help: "λₒ of the output penalty λₒ·mean fⱼ²")
    c.models = try h.integer("models", default: 1, in: 1...100, help: "networks in the ensemble, each with its own split and seed")
    c.patience = try h.integer("patience", default: 20, in: 1...100_000, help: "epochs without a better validation loss before stopping")
    c.decay = try h.number("lr_decay", default: 0.995, in: NumberRange(lower: 0, lowerInclusive: false, upper: 1), help: "learning-rate factor per epoch")
    c.validationFraction = try h.number("validation_fraction", default: 0.1, in: .closed(0, 0.5),
                                        help: "the share of training rows for early stopping (0: train on every row for all epochs)")
    return c
  }

  public let configuration: Configuration
  public let members: [AdditiveNetwork]
  public var mode = ModuleMode()

  public init(configuration: Configuration, features: Int, outputs: Int, rng: inout RandomGenerator) throws {
    let c = configuration
    // The same ranges as `configuration(from:)`, for configurations from code or edited model files.
    for (name, value, valid, accepted) in [
      ("features", "\(features)", (1...1 << 20).contains(features), "1...\(1 << 20)"), ("outputs", "\(outputs)", (1...1 << 16).contains(outputs), "1...\(1 << 16)"),
      ("hidden", "\(c.hidden)", (1...8).contains(c.hidden.count) && c.hidden.allSatisfy { (1...1024).contains($0) }, "1–8 sizes in 1...1024"),
      ("models", "\(c.models)", (1...100).contains(c.models), "1...100"), ("dropout", "\(c.dropout)", (0...0.9).contains(c.dropout), "[0, 0.9]"),
      ("feature_dropout", "\(c.featureDropout)", (0...0.9).contains(c.featureDropout), "[0, 0.9]"),
      ("output_penalty", "\(c.outputPenalty)", (0...1e6).contains(c.outputPenalty), "[0, 1e6]"),
      ("patience", "\(c.patience)", (1...100_000).contains(c.patience), "1...100000"), ("lr_decay", "\(c.decay)", c.decay > 0 && c.decay <= 1, "(0, 1]"),
      ("validation_fraction", "\(c.validationFraction)", (0...0.5).contains(c.validationFraction), "[0, 0.5]"),
    ] where !valid {
      throw ArchitectureError.invalidHyperparameter(kind: Self.kind, name: name, value: value, accepted: accepted)
    }
    let sizes = [1] + c.hidden + [outputs]
    let perFeature = zip(sizes, sizes.dropFirst()).reduce(0.0) { $0 + Double($1.0 + 1) * Double($1.1) }
    let parameters = perFeature * Double(features) * Double(c.models)
    guard parameters <= Double(TabResNetBackbone.maximumParameters) else {
      throw ArchitectureError.tooLarge(kind: Self.kind, parameters: parameters, maximum: TabResNetBackbone.maximumParameters)
    }
    self.configuration = c
    members = (0..<c.models).map { m in
      var stream = rng.stream(UInt64(m))
      let networks = FeatureNetworks(features: features, outputs: outputs, hidden: c.hidden, first: c.firstLayer, dropout: Float(c.dropout), rng: &stream)
      return AdditiveNetwork(networks: networks, featureDropout: Float(c.featureDropout), outputPenalty: Float(c.outputPenalty), rng: &stream)
    }
  }

  public var features: Int { members[0].features }
  public var outputs: Int { members[0].outputs }
  public var children: [(name: String, module: any Module)] { members.enumerated().map { ("members.\($0.offset)", $0.element as any Module) } }

  /// fⱼ(xⱼ) averaged over the ensemble, [n, d, K], and the averaged β [K].
  public func contributions(_ x: Tensor) -> (contributions: Tensor, intercept: Tensor) {
    let scale = 1 / Float(members.count)
    let f = members.dropFirst().reduce(members[0].contributions(x)) { $0 + $1.contributions(x) } * scale
    let beta = members.dropFirst().reduce(members[0].intercept.value) { $0 + $1.intercept.value } * scale
    return (f, beta)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    let (f, beta) = contributions(x)
    return f.sum(alongAxis: 1) + beta
  }

  public var selfExplaining: (any SelfExplaining)? { self }
  public var globalExplaining: (any GlobalExplaining)? { self }

  /// Adam (decoupled weight decay) with its own per-epoch decay and early stopping: no restarts,
  /// warm-up or augmentation.
  public static func trainingSettings(_ configuration: Configuration) -> Set<TrainingSetting> { [.epochs, .batchSize, .learningRate, .weightDecay] }

  /// Trains each network of the ensemble on its own validation split and seed (``ValidatedTrainer``).
  public func fit(on data: PreparedDataset, training: TrainingConfiguration, progress: (TrainingProgress) -> Void) throws -> FitResult {
    for (m, member) in members.enumerated() {
      var c = ValidatedTraining()
      c.epochs = training.epochs
      c.batchSize = training.batchSize
      c.learningRate = training.learningRate
      c.weightDecay = training.weightDecay
      c.optimizer = .adamW
      c.schedule = .exponential(perEpoch: Float(configuration.decay))
      c.validationFraction = configuration.validationFraction
      c.patience = configuration.validationFraction > 0 ? configuration.patience : nil
      c.seed = training.seed &+ UInt64(m)
      _ = try ValidatedTrainer.train(member, on: data, configuration: c, progress: progress)
    }
    eval()
    return FitResult(snapshots: [stateDict()])
  }

  /// β and fⱼ(xⱼ) per encoded feature, averaged over the ensemble: φ[k, j] = fⱼ(xⱼ)[k], base β_k,
  /// adding up to the logit exactly (up to Float rounding). Method name "nam".
  public func explain(_ rows: [Float], threads: Int) throws -> ModelExplanation {
    let (d, k) = (features, outputs)
    let n = try ExplanationError.rowCount(rows, features: d)
    eval()
    let (f, beta) = withoutGradient { contributions(Tensor(shape: [n, d], scalars: rows)) }
    var values = [Double](repeating: 0, count: n * k * d)
    let fv = f.scalars
    for r in 0..<n { for j in 0..<d { for o in 0..<k { values[(r * k + o) * d + j] = Double(fv[(r * d + j) * k + o]) } } }
    let base = (0..<n).flatMap { _ in beta.scalars.map(Double.init) }
    return .features(FeatureAttribution(rows: n, outputs: k, features: d, values: values, base: base, method: "nam"))
  }
}
