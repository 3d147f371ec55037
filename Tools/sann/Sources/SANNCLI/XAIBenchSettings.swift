import Attribution
import Models

/// What `sann xai-bench` runs: XAI-Bench's Gaussian regression datasets (d = 5, 1,000 training
/// and 100 validation rows, noise 0.01) at five correlations, INN and TabResNet trained with the
/// reference protocol, and every explainer scored on the validation rows.
struct XAIBenchSettings {
  var datasets: [SyntheticDataset.Kind] = SyntheticDataset.Kind.allCases
  var rhos: [Double] = [0, 0.25, 0.5, 0.75, 0.99]
  var architectures: [Experiment.Architecture] = [.inn, .tabresnet]
  var dimension = 5
  var trainRows = 1000
  var validationRows = 100
  var noise = 0.01
  var width = 128
  var blocks = 2
  var training = TrainingConfiguration()
  /// Conditional draws per coalition for E[f(X) | X_S = x_S].
  var conditionalSamples = 512
  var infidelityPerturbations = 1000
  /// Training rows used as the background of Kernel SHAP and exact (interventional) Shapley.
  var backgroundRows = 100
  var limeSamples = 5000
  var integratedGradientSteps = 64
  var seed: UInt64 = 0

  /// The benchmark as specified.
  static func full(seed: UInt64) -> XAIBenchSettings {
    var s = XAIBenchSettings()
    s.seed = seed
    s.training.seed = seed
    return s
  }

  /// A tiny configuration that exercises every path in seconds (for smoke tests): two
  /// correlations, small networks, few epochs and samples.
  static func quick(seed: UInt64) -> XAIBenchSettings {
    var s = full(seed: seed)
    s.rhos = [0, 0.75]
    s.trainRows = 200
    s.validationRows = 8
    s.width = 16
    s.blocks = 1
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
