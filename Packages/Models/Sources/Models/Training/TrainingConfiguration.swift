import Foundation

/// Hyperparameters of gradient training (``Trainer``), with the reference implementation's
/// defaults. The architecture's own hyperparameters (sizes, INN's `weight_norm`) are in its
/// ``Architecture/Configuration``.
///
/// Encoded with the reference's flag names (`nr_epochs`, `learning_rate`, …), as in
/// `output_info.json`; Float values are written as the Double they convert to exactly.
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

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    epochs = try c.decode(Int.self, forKey: .epochs)
    batchSize = try c.decode(Int.self, forKey: .batchSize)
    learningRate = Float(try c.decode(Double.self, forKey: .learningRate))
    weightDecay = Float(try c.decode(Double.self, forKey: .weightDecay))
    decoupledWeightDecay = try c.decode(Bool.self, forKey: .decoupledWeightDecay)
    schedulerTMult = try c.decode(Int.self, forKey: .schedulerTMult)
    restarts = try c.decode(Int.self, forKey: .restarts)
    warmupEpochs = try c.decode(Int.self, forKey: .warmupEpochs)
    augmentationProbability = Float(try c.decode(Double.self, forKey: .augmentationProbability))
    seed = try c.decode(UInt64.self, forKey: .seed)
    augmentations = try c.decodeIfPresent([Augmentation].self, forKey: .augmentations) ?? Augmentation.allCases
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(epochs, forKey: .epochs)
    try c.encode(batchSize, forKey: .batchSize)
    try c.encode(Double(learningRate), forKey: .learningRate)
    try c.encode(Double(weightDecay), forKey: .weightDecay)
    try c.encode(decoupledWeightDecay, forKey: .decoupledWeightDecay)
    try c.encode(schedulerTMult, forKey: .schedulerTMult)
    try c.encode(restarts, forKey: .restarts)
    try c.encode(warmupEpochs, forKey: .warmupEpochs)
    try c.encode(Double(augmentationProbability), forKey: .augmentationProbability)
    try c.encode(seed, forKey: .seed)
    // Written only when not all five, so the reference's keys stay as they were.
    if augmentations != Augmentation.allCases { try c.encode(augmentations, forKey: .augmentations) }
  }
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
