import Foundation

/// Hyperparameters of INN/TabResNet training, with the reference implementation's defaults.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
  public var epochs = 100
  public var batchSize = 64
  public var learningRate: Float = 0.01
  /// L2 penalty; coupled (added to the gradient, `torch.optim.Adam`) unless `decoupledWeightDecay`.
  public var weightDecay: Float = 0.01
  public var decoupledWeightDecay = false
  /// λ of INN's sparsity term λ·mean|W(x)| over all generated weights (bias row included).
  public var weightNorm: Float = 0.1
  /// Cosine cycle growth factor T_mult.
  public var schedulerTMult = 2
  /// The number of cosine cycles, and of snapshots in the ensemble.
  public var restarts = 3
  public var warmupEpochs = 5
  /// Per-batch probability of applying one augmentation (cutmix, mixup, cutout, noise, FGSM).
  public var augmentationProbability: Float = 0
  public var seed: UInt64 = 0

  public init() {}
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
