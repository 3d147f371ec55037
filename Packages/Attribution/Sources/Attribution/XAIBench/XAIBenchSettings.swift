import Models

/// What an XAI-Bench run covers: XAI-Bench's Gaussian regression datasets (d = 5, 1,000
/// training and 100 validation rows, noise 0.01) at five correlations, the architectures
/// (INN and TabResNet by default) trained with the reference protocol, and every explainer
/// scored on the validation rows.
public struct XAIBenchSettings: Sendable {
  public var datasets: [SyntheticDataset.Kind] = SyntheticDataset.Kind.allCases
  public var rhos: [Double] = [0, 0.25, 0.5, 0.75, 0.99]
  /// The models trained on each dataset (any registered architecture).
  public var architectures: [ModelSpecification]
  public var dimension = 5
  public var trainRows = 1000
  public var validationRows = 100
  public var noise = 0.01
  public var training = TrainingConfiguration()
  /// Conditional draws per coalition for E[f(X) | X_S = x_S].
  public var conditionalSamples = 512
  public var infidelityPerturbations = 1000
  /// Training rows used as the background of Kernel SHAP and exact (interventional) Shapley.
  public var backgroundRows = 100
  public var limeSamples = 5000
  public var integratedGradientSteps = 64
  public var seed: UInt64 = 0

  /// INN and TabResNet of the given size, with their default hyperparameters otherwise.
  public init(width: Int = 128, blocks: Int = 2) {
    architectures = [
      ModelSpecification(MesomorphicNetwork.self, .init(width: width, blocks: blocks)),
      ModelSpecification(TabResNet.self, .init(width: width, blocks: blocks)),
    ]
  }

  /// The benchmark as specified.
  public static func full(seed: UInt64) -> XAIBenchSettings {
    var s = XAIBenchSettings()
    s.seed = seed
    s.training.seed = seed
    return s
  }

  /// A tiny configuration that exercises every path in seconds (for smoke tests): two
  /// correlations, small networks, few epochs and samples.
  public static func quick(seed: UInt64) -> XAIBenchSettings {
    var s = XAIBenchSettings(width: 16, blocks: 1)
    s.seed = seed
    s.training.seed = seed
    s.rhos = [0, 0.75]
    s.trainRows = 200
    s.validationRows = 8
    s.training.epochs = 4
    s.training.warmupEpochs = 1
    s.training.restarts = 1
    s.conditionalSamples = 64
    s.infidelityPerturbations = 64
    s.backgroundRows = 20
    s.limeSamples = 200
    s.integratedGradientSteps = 16
    return s
  }
}
