import Foundation

/// Hyperparameters of gradient training (``Trainer``), with the reference implementation's
/// defaults. The architecture's own hyperparameters (sizes, INN's `weight_norm`) are in its
/// ``Architecture/Configuration``.
///
/// Encoded with the reference's flag names (`nr_epochs`, `learning_rate`, …), as in
/// `output_info.json`; Float values are written as the shortest decimal that reads back as the
/// same Float (`0.01`, as the user typed it, not 0.009999999776482582).
public struct TrainingConfiguration: Codable, Sendable, Equatable {
  public var epochs = 100
  public var batchSize = 64
  public var learningRate: Float = 0.01
  /// L2 penalty; coupled (added to the gradient, `torch.optim.Adam`) unless `decoupledWeightDecay`.
  public var weightDecay: Float = 0.01
  public var decoupledWeightDecay = false
  /// Cosine cycle growth factor T_mult.
  public var schedulerTMult = 2
  /// The number of cosine cycles, and of snapshots in the ensemble.
  public var restarts = 3
  public var warmupEpochs = 5
  /// Per-batch probability of applying one augmentation (cutmix, mixup, cutout, noise, FGSM).
  public var augmentationProbability: Float = 0
  /// The augmentations drawn from (all five by default; Sum-of-Parts trains its backbone with
  /// cutout alone).
  public var augmentations = Augmentation.allCases
  public var seed: UInt64 = 0

  public init() {}

  enum CodingKeys: String, CodingKey {
    case epochs = "nr_epochs", batchSize = "batch_size", learningRate = "learning_rate", weightDecay = "weight_decay"
    case decoupledWeightDecay = "decoupled_weight_decay", schedulerTMult = "scheduler_t_mult", restarts = "nr_restarts"
    case warmupEpochs = "warmup_epochs", augmentationProbability = "augmentation_probability", seed, augmentations
  }

  /// Settings that are absent (a report of a model that does not use them) take their defaults.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = TrainingConfiguration()
    epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
    batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
    learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate).map(Float.init) ?? d.learningRate
    weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay).map(Float.init) ?? d.weightDecay
    decoupledWeightDecay = try c.decodeIfPresent(Bool.self, forKey: .decoupledWeightDecay) ?? d.decoupledWeightDecay
    schedulerTMult = try c.decodeIfPresent(Int.self, forKey: .schedulerTMult) ?? d.schedulerTMult
    restarts = try c.decodeIfPresent(Int.self, forKey: .restarts) ?? d.restarts
    warmupEpochs = try c.decodeIfPresent(Int.self, forKey: .warmupEpochs) ?? d.warmupEpochs
    augmentationProbability = try c.decodeIfPresent(Double.self, forKey: .augmentationProbability).map(Float.init) ?? d.augmentationProbability
    seed = try c.decode(UInt64.self, forKey: .seed)
    augmentations = try c.decodeIfPresent([Augmentation].self, forKey: .augmentations) ?? Augmentation.allCases
  }

  public func encode(to encoder: any Encoder) throws {
    try encode(to: encoder, settings: Set(TrainingSetting.allCases))
  }

  /// Encodes the seed and `settings` alone (what a model's report records).
  public func encode(to encoder: any Encoder, settings: Set<TrainingSetting>) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    if settings.contains(.epochs) { try c.encode(epochs, forKey: .epochs) }
    if settings.contains(.batchSize) { try c.encode(batchSize, forKey: .batchSize) }
    if settings.contains(.learningRate) { try c.encode(learningRate.decimal, forKey: .learningRate) }
    if settings.contains(.weightDecay) { try c.encode(weightDecay.decimal, forKey: .weightDecay) }
    if settings.contains(.decoupledWeightDecay) { try c.encode(decoupledWeightDecay, forKey: .decoupledWeightDecay) }
    if settings.contains(.schedulerTMult) { try c.encode(schedulerTMult, forKey: .schedulerTMult) }
    if settings.contains(.restarts) { try c.encode(restarts, forKey: .restarts) }
    if settings.contains(.warmupEpochs) { try c.encode(warmupEpochs, forKey: .warmupEpochs) }
    if settings.contains(.augmentationProbability) { try c.encode(augmentationProbability.decimal, forKey: .augmentationProbability) }
    try c.encode(seed, forKey: .seed)
    // Written only when not all five, so the reference's keys stay as they were.
    if augmentations != Augmentation.allCases { try c.encode(augmentations, forKey: .augmentations) }
  }
}

/// The settings of ``TrainingConfiguration`` a model's fit may use (the seed always is), by
/// their flag names. An architecture lists the ones it reads (``Architecture/trainingSettings``);
/// reports record those alone, and `sann train` warns about a flag the model ignores.
public enum TrainingSetting: String, Sendable, CaseIterable, Hashable {
  case epochs = "nr_epochs", batchSize = "batch_size", learningRate = "learning_rate", weightDecay = "weight_decay"
  case decoupledWeightDecay = "decoupled_weight_decay", schedulerTMult = "scheduler_t_mult", restarts = "nr_restarts"
  case warmupEpochs = "warmup_epochs", augmentationProbability = "augmentation_probability"
}

/// The iteration plan of a training run: linear warm-up for `warmup` iterations, then
/// `restarts` cosine cycles of lengths T₀, T₀·m, T₀·m², … with
/// T₀ = max(⌊R·(m − 1)/(m^restarts − 1)⌋, 1) over the R = total − warmup remaining
/// iterations (T₀ = max(⌊R/restarts⌋, 1) when m = 1), and a snapshot at the end of every cycle.
///
/// This is the reference's formula with one conscious fix: the reference computes T₀ over all
/// iterations and snapshots at absolute counts, so its snapshots land five epochs before
/// each cycle's minimum; here cycles start after warm-up and snapshots sit at their ends.
public struct IterationPlan: Sendable, Equatable {
  public let total: Int
  public let warmup: Int
  public let firstCycle: Int
  /// 1-based iteration counts after which a snapshot is taken.
  public let snapshots: [Int]

  public init(epochs: Int, batchesPerEpoch: Int, warmupEpochs: Int, tMult: Int, restarts: Int) {
    total = epochs * batchesPerEpoch
    warmup = Swift.min(warmupEpochs, Swift.max(epochs - 1, 0)) * batchesPerEpoch
    let remaining = total - warmup
    let m = tMult
    let cycles = Swift.max(restarts, 1)
    let denominator = m == 1 ? cycles : Int(pow(Double(m), Double(cycles))) - 1
    firstCycle = Swift.max(remaining * (m == 1 ? 1 : m - 1) / denominator, 1)
    var ends: [Int] = []
    var end = warmup
    var length = firstCycle
    for _ in 0..<cycles {
      end += length
      ends.append(Swift.min(end, total))
      length *= m
    }
    snapshots = Array(Set(ends)).sorted()
  }
}

extension Float {
  /// The shortest decimal that converts back to this Float, as a Double (0.01 for 0.01f, where
  /// `Double(self)` is 0.009999999776482582): what configurations and model files write, so
  /// they show the value as it was given and `Float(decimal) == self`.
  public var decimal: Double { isFinite ? Double(description)! : Double(self) }
}
