import Tensor

/// L1/L2-regularised logistic (softmax) regression, the first baseline of the INN paper
/// (`baseline_experiment.py`, scikit-learn's `LogisticRegression`), on the same encoded features
/// as INN: logits = W·x + b, one logit for binary classification (sigmoid), one per class for
/// multiclass (softmax, the multinomial model).
///
/// It minimises scikit-learn's objective, with its C (the inverse regularisation strength) and
/// its penalties, the intercept unpenalised:
///
///   C·Σᵢ ℓ(yᵢ, W·xᵢ + b) + R(W),   R = ½‖W‖² (l2), ‖W‖₁ (l1),
///   (1−ρ)/2·‖W‖² + ρ‖W‖₁ (elasticnet, ρ = l1_ratio), 0 (none),
///
/// with ℓ the log-loss (for a regression target, ½ the squared error on the standardised
/// target: ridge, lasso or elastic-net regression). The objective is convex; it is minimised to
/// a tolerance on the proximal gradient by FISTA with backtracking and adaptive restart in
/// Double (``PenalizedLinearFit``), deterministically from W = 0, so the same data give the same
/// model. It explains itself exactly: φⱼ = wⱼ·xⱼ, base b.
public final class LogisticRegression: Architecture, SelfExplaining {
  public static let kind = "logistic"
  public static let displayName = "Logistic regression"
  public static let summary = "L1/L2-regularised logistic (softmax) regression, scikit-learn's objective and C, fitted by FISTA on the same (oversampled) training rows as INN (the training flags --nr_epochs, --learning_rate, … do not apply); on a regression target, ridge/lasso on the standardised target; its coefficients are the explanation"

  /// The penalty R(W).
  public enum Penalty: String, Codable, Sendable, CaseIterable {
    case l2, l1, elasticnet, none
  }

  /// scikit-learn's names and defaults.
  public struct Configuration: ArchitectureConfiguration {
    public var penalty = Penalty.l2
    /// The inverse regularisation strength C > 0.
    public var inverseStrength = 1.0
    /// ρ of the elastic net, in [0, 1] (used by `elasticnet` only).
    public var l1Ratio = 0.5
    /// The most FISTA iterations.
    public var maximumIterations = 10_000
    /// Converged when every entry of the proximal gradient mapping is at most this.
    public var tolerance = 1e-6

    public init(penalty: Penalty = .l2, inverseStrength: Double = 1, l1Ratio: Double = 0.5, maximumIterations: Int = 10_000, tolerance: Double = 1e-6) {
      self.penalty = penalty
      self.inverseStrength = inverseStrength
      self.l1Ratio = l1Ratio
      self.maximumIterations = maximumIterations
      self.tolerance = tolerance
    }

    enum CodingKeys: String, CodingKey {
      case penalty, inverseStrength = "C", l1Ratio = "l1_ratio", maximumIterations = "max_iter", tolerance = "tol"
    }

    /// The ℓ1 share ρ of R: 0 for l2 and none, 1 for l1.
    var rho: Double {
      switch penalty {
      case .l2, .none: 0
      case .l1: 1
      case .elasticnet: l1Ratio
      }
    }
  }

  public static func configuration(from hyperparameters: inout HyperparameterReader) throws -> Configuration {
    let c = Configuration(
      penalty: try hyperparameters.choice("penalty", default: Penalty.l2, help: "the regulariser R(W)"),
      inverseStrength: try hyperparameters.number("C", default: 1.0, in: .positive, help: "inverse regularisation strength, as scikit-learn's (unused with penalty=none)"),
      l1Ratio: try hyperparameters.number("l1_ratio", default: 0.5, in: .unit, help: "the elastic net's ℓ1 share ρ (penalty=elasticnet only)"),
      maximumIterations: try hyperparameters.integer("max_iter", default: 10_000, in: 1...10_000_000, help: "the most FISTA iterations"),
      tolerance: try hyperparameters.number("tol", default: 1e-6, in: .positive, help: "stop when the proximal gradient mapping is this small"))
    // A setting the chosen penalty does not read is refused rather than ignored (at its default it
    // changes nothing either way, so every declared name stays accepted at its default).
    if c.l1Ratio != 0.5 && c.penalty != .elasticnet {
      throw ArchitectureError.invalidHyperparameter(kind: kind, name: "l1_ratio", value: "\(c.l1Ratio)",
                                                    accepted: "no value with penalty=\(c.penalty.rawValue): it applies to penalty=elasticnet only")
    }
    if c.inverseStrength != 1 && c.penalty == .none {
      throw ArchitectureError.invalidHyperparameter(kind: kind, name: "C", value: "\(c.inverseStrength)",
                                                    accepted: "no value with penalty=none, which has no regulariser to weigh")
    }
    return c
  }

  /// Fitted by its own solver: epochs, batches and learning rates do not apply.
  public static func trainingSettings(_ configuration: Configuration) -> Set<TrainingSetting> { [] }

  public let configuration: Configuration
  public let linear: Linear
  public var mode = ModuleMode()
  /// The training rows of the last fit: the penalty in ``trainingOutput(_:)`` is R(W)/(C·n),
  /// so that gradient training on mini-batches minimises the same objective divided by C·n.
  public internal(set) var trainingRows: Int?

  public init(configuration: Configuration, features: Int, outputs: Int, rng: inout RandomGenerator) throws {
    for (name, value) in [("features", features), ("outputs", outputs)] where value < 1 || value > 1 << 24 {
      throw ArchitectureError.invalidHyperparameter(kind: Self.kind, name: name, value: "\(value)", accepted: "an integer in 1...\(1 << 24)")
    }
    let c = configuration
    for (name, value, valid) in [("C", c.inverseStrength, c.inverseStrength > 0 && c.inverseStrength.isFinite),
                                 ("l1_ratio", c.l1Ratio, (0...1).contains(c.l1Ratio)),
                                 ("max_iter", Double(c.maximumIterations), c.maximumIterations >= 1),
                                 ("tol", c.tolerance, c.tolerance > 0 && c.tolerance.isFinite)] where !valid {
      throw ArchitectureError.invalidHyperparameter(kind: Self.kind, name: name, value: "\(value)", accepted: "the range `sann train --help` gives")
    }
    guard Double(features) * Double(outputs) <= Double(TabResNetBackbone.maximumParameters) else {
      throw ArchitectureError.tooLarge(kind: Self.kind, parameters: Double(features) * Double(outputs), maximum: TabResNetBackbone.maximumParameters)
    }
    self.configuration = configuration
    linear = Linear(features, outputs, rng: &rng)
  }

  public var features: Int { linear.inFeatures }
  public var outputs: Int { linear.outFeatures }
  public var children: [(name: String, module: any Module)] { [("linear", linear)] }

  public func callAsFunction(_ x: Tensor) -> Tensor { linear(x) }

  /// The logits and R(W)/(C·n), n the rows of the last fit (the batch's before any fit).
  public func trainingOutput(_ x: Tensor) -> TrainingOutput {
    let logits = linear(x)
    let c = configuration
    guard c.penalty != .none else { return TrainingOutput(logits: logits) }
    let w = linear.weight.value
    let scale = Float(1 / (c.inverseStrength * Double(trainingRows ?? x.shape[0])))
    let l2 = (w * w).sum() * Float((1 - c.rho) / 2)
    let l1 = w.abs().sum() * Float(c.rho)
    return TrainingOutput(logits: logits, penalty: (l2 + l1) * scale)
  }

  public var selfExplaining: (any SelfExplaining)? { self }
}
