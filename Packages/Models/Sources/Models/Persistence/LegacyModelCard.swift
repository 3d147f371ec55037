import Foundation

/// A model card of format 1 (SANNKit before the architecture registry): INN and TabResNet
/// only, their sizes as top-level `width` and `blocks`, training hyperparameters under
/// `configuration` with Swift property names, INN's λ among them. Read so that models trained
/// then still load; never written.
struct LegacyModelCard: Decodable {
  var kind: String
  var task: PredictionTask
  var width: Int
  var blocks: Int
  var features: Int
  var outputs: Int
  var targetName: String
  var classNames: [String]
  var targetMean: Float
  var targetScale: Float
  var preprocessor: Preprocessor
  var snapshotCount: Int
  var configuration: Training

  struct Training: Decodable {
    var epochs: Int
    var batchSize: Int
    var learningRate: Float
    var weightDecay: Float
    var decoupledWeightDecay: Bool
    var weightNorm: Float
    var schedulerTMult: Int
    var restarts: Int
    var warmupEpochs: Int
    var augmentationProbability: Float
    var seed: UInt64
  }

  /// The same model as a format-2 card. The architecture's configuration is decoded, through
  /// the registry, from the reference's names for the format-1 fields (`hidden_size`,
  /// `nr_blocks`, `weight_norm`), which is how INN and TabResNet name them.
  func card() throws -> ModelCard {
    struct Sizes: Encodable {
      var hidden_size: Int
      var nr_blocks: Int
      var weight_norm: Double
    }
    struct Specification: Encodable {
      var kind: String
      var configuration: Sizes
    }
    let legacy = Specification(kind: kind, configuration: Sizes(hidden_size: width, nr_blocks: blocks, weight_norm: Double(configuration.weightNorm)))
    let specification = try JSONDecoder().decode(ModelSpecification.self, from: try JSONEncoder().encode(legacy))
    var training = TrainingConfiguration()
    training.epochs = configuration.epochs
    training.batchSize = configuration.batchSize
    training.learningRate = configuration.learningRate
    training.weightDecay = configuration.weightDecay
    training.decoupledWeightDecay = configuration.decoupledWeightDecay
    training.schedulerTMult = configuration.schedulerTMult
    training.restarts = configuration.restarts
    training.warmupEpochs = configuration.warmupEpochs
    training.augmentationProbability = configuration.augmentationProbability
    training.seed = configuration.seed
    return ModelCard(model: specification, task: task, features: features, outputs: outputs, targetName: targetName,
                     classNames: classNames, targetMean: targetMean, targetScale: targetScale, preprocessor: preprocessor,
                     snapshotCount: snapshotCount, training: training)
  }
}
