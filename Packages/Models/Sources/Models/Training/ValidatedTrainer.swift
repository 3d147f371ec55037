import Foundation
import Tensor

/// How ``ValidatedTrainer`` trains: the optimizer, the learning-rate schedule, the validation
/// split and when to stop. Sum-of-Parts and NAM train this way (their authors' protocols),
/// where INN and TabResNet follow the INN reference's snapshot ensemble (``Trainer``).
public struct ValidatedTraining: Sendable, Equatable {
  public enum Optimizer: String, Sendable, Codable, CaseIterable {
    /// Adam with L2 added to the gradient (`torch.optim.Adam`'s weight decay).
    case adam
    /// Adam with decoupled weight decay (`torch.optim.AdamW`).
    case adamW = "adamw"
  }

  /// The learning rate at optimizer step t (from 0), relative to the peak.
  public enum Schedule: Sendable, Equatable {
    /// Linear warm-up over `warmupSteps`, then cosine decay to 0 at the last step.
    case cosine(warmupSteps: Int)
    /// Linear warm-up over `warmupSteps`, then √(warmupSteps / t) (the Transformer schedule).
    case inverseSquareRoot(warmupSteps: Int)
    /// `factor` per epoch from the first (NAM's ×0.995).
    case exponential(perEpoch: Float)
  }

  public var epochs = 100
  public var batchSize = 64
  public var learningRate: Float = 1e-3
  public var weightDecay: Float = 0.01
  public var optimizer = Optimizer.adamW
  public var schedule = Schedule.cosine(warmupSteps: 0)
  /// The share of the distinct training rows held out for validation, in [0, 1); 0: every row
  /// trains and the last epoch is kept (for data that are the whole population, such as every
  /// input of a polynomial; `patience` then has nothing to watch and must be nil).
  public var validationFraction = 0.1
  /// Stop after this many epochs without a better validation loss (nil: run every epoch).
  public var patience: Int?
  public var seed: UInt64 = 0

  public init() {}
}

/// Gradient training that keeps the best checkpoint on a validation split of the training rows.
///
/// The validation rows are a random `validationFraction` of the *distinct* training rows
/// (``PreparedDataset/trainRowSources``: an oversampled copy stays on the side of its original,
/// so nothing is validated on a row it was trained on), at least one and leaving at least two
/// to train on. Each epoch shuffles the training rows into batches (a final batch of one row
/// joins the one before, for BatchNorm), minimises the task loss plus the model's penalty
/// (``TabularModel/trainingOutput(_:)``), steps the schedule per optimizer step, then
/// measures the task loss on the validation rows in evaluation mode — for classification the
/// mean over classes of each class's mean loss, since the training rows are class-balanced. The state with the lowest
/// validation loss is returned; with `patience`, training stops once that many epochs pass
/// without improvement. Deterministic for a seed.
public enum ValidatedTrainer {
  /// What training produced: the best state, when it was reached, and the loss per epoch.
  public struct Outcome {
    public var best: [String: Tensor]
    public var bestEpoch: Int
    public var validationLosses: [Float]
  }

  /// Trains `parameters` (default: every trainable parameter of `model`) and loads the best
  /// state back into `model`, which is left in evaluation mode.
  public static func train(
    _ model: any TabularModel, on data: PreparedDataset, configuration c: ValidatedTraining, parameters: [Parameter]? = nil,
    progress: (TrainingProgress) -> Void = { _ in }
  ) throws -> Outcome {
    let distinct = Set(data.trainRowSources.count == data.xTrain.shape[0] ? data.trainRowSources : Array(0..<data.xTrain.shape[0])).count
    let validated = c.validationFraction > 0
    guard distinct >= (validated ? 3 : 2) else { throw TrainingError.tooFewRows(rows: distinct) }
    precondition(c.epochs >= 1 && c.batchSize >= 2 && c.validationFraction >= 0 && c.validationFraction < 1 && (validated || c.patience == nil),
                 "ValidatedTraining: epochs ≥ 1, batch size ≥ 2, a validation fraction in [0, 1), no patience without validation")
    let (trainRows, validationRows) = validated ? split(data, fraction: c.validationFraction, seed: c.seed)
      : (Array(0..<data.xTrain.shape[0]), [])
    let n = trainRows.count
    let targets = data.task == .regression ? data.yTrain.map { ($0 - data.targetMean) / data.targetScale } : data.yTrain
    // Classification is validated class by class (the mean of each class's mean loss), as the
    // training rows are balanced by oversampling while the held-out rows keep the data's
    // imbalance: a plain mean would favour epochs that predict the majority class.
    let validationGroups: [[Int]] = data.task == .regression ? [validationRows]
      : Dictionary(grouping: validationRows, by: { Int(targets[$0]) }).sorted { $0.key < $1.key }.map(\.value)
    let validationSets = validationGroups.map { rows in (data.xTrain.gatheringRows(rows), rows.map { targets[$0] }) }
    let batchSize = Swift.min(c.batchSize, n)
    var batches = (n + batchSize - 1) / batchSize
    if n % batchSize == 1 && batches > 1 { batches -= 1 }
    let trained = parameters ?? model.parameters
    let optimizer = Adam(trained, learningRate: c.learningRate, weightDecay: c.weightDecay,
                         weightDecayStyle: c.optimizer == .adamW ? .decoupled : .coupled)
    var shuffle = RandomGenerator(seed: c.seed).stream(6)
    var best = model.stateDict()
    var bestLoss = Float.infinity
    var bestEpoch = 0
    var losses: [Float] = []
    var step = 0
    let totalSteps = c.epochs * batches
    let start = Date()
    for epoch in 1...c.epochs {
      model.train()
      let order = shuffle.permutation(n).map { trainRows[$0] }
      var epochLoss: Float = 0
      for b in 0..<batches {
        let rows = Array(order[(b * batchSize)..<(b == batches - 1 ? n : (b + 1) * batchSize)])
        optimizer.learningRate = c.learningRate * factor(c.schedule, step: step, epoch: epoch - 1, totalSteps: totalSteps)
        optimizer.zeroGrad()
        // The graph dies with the closure, so the step updates the weights in place (see Trainer).
        let batchLoss: Float = {
          let loss = Trainer.objective(model, data.xTrain.gatheringRows(rows), rows.map { targets[$0] }, task: data.task)
          loss.backward()
          return loss.item
        }()
        optimizer.step()
        step += 1
        epochLoss += batchLoss
      }
      model.eval()
      // Without validation rows the epoch's training loss stands in, and only the last epoch is kept.
      let validation = validated ? withoutGradient {
        validationSets.reduce(Float(0)) { $0 + Trainer.objective(model, $1.0, $1.1, task: data.task, penalty: false).item } / Float(validationSets.count)
      } : epochLoss / Float(batches)
      losses.append(validation)
      if validated ? validation < bestLoss : epoch == c.epochs {
        bestLoss = validation
        best = model.stateDict()
        bestEpoch = epoch
      }
      progress(TrainingProgress(epoch: epoch, epochs: c.epochs, loss: epochLoss / Float(batches), elapsed: Date().timeIntervalSince(start)))
      if let patience = c.patience, epoch - bestEpoch >= patience { break }
    }
    guard bestLoss.isFinite else {
      throw TrainingError.diverged(epochs: losses.count, validated: validated)
    }
    try model.loadStateDict(best)
    model.eval()
    return Outcome(best: best, bestEpoch: bestEpoch, validationLosses: losses)
  }

  /// The learning-rate factor of `schedule` at optimizer step `step` (0-based) in `epoch` (0-based).
  public static func factor(_ schedule: ValidatedTraining.Schedule, step: Int, epoch: Int, totalSteps: Int) -> Float {
    switch schedule {
    case .cosine(let warmup):
      if step < warmup { return Float(step + 1) / Float(warmup) }
      let span = Swift.max(totalSteps - warmup, 1)
      return Float(0.5 * (1 + cos(Double.pi * Double(step - warmup) / Double(span))))
    case .inverseSquareRoot(let warmup):
      if step < warmup { return Float(step + 1) / Float(warmup) }
      return Float((Double(Swift.max(warmup, 1)) / Double(step + 1)).squareRoot())
    case .exponential(let perEpoch):
      return Float(Foundation.pow(Double(perEpoch), Double(epoch)))
    }
  }

  /// Training and validation row indices into `data.xTrain`: a seeded random `fraction` of the
  /// distinct sources validates (one row each), every row of the other sources trains.
  static func split(_ data: PreparedDataset, fraction: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
    let n = data.xTrain.shape[0]
    let sources = data.trainRowSources.count == n ? data.trainRowSources : Array(0..<n)
    var firstRow: [Int: Int] = [:]
    for (row, source) in sources.enumerated() where firstRow[source] == nil { firstRow[source] = row }
    let distinct = firstRow.keys.sorted()
    var rng = RandomGenerator(seed: seed).stream(7)
    let count = Swift.min(Swift.max(1, Int((Double(distinct.count) * fraction).rounded())), distinct.count - 2)
    let held = Set(rng.permutation(distinct.count).prefix(Swift.max(count, 0)).map { distinct[$0] })
    let validation = held.sorted().map { firstRow[$0]! }
    let train = (0..<n).filter { !held.contains(sources[$0]) }
    return (train, validation)
  }
}

/// Why training could not produce a model.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
  case diverged(epochs: Int, validated: Bool = true)
  case tooFewRows(rows: Int)

  public var description: String {
    switch self {
    case let .diverged(epochs, validated):
      "\(validated ? "the validation loss was never finite in \(epochs) epochs" : "the training loss was not finite after \(epochs) epochs"): training diverged; lower the learning rate (Sum-of-Parts: group_learning_rate), the weight decay or the model's penalties"
    case let .tooFewRows(rows):
      "\(rows) training rows are too few for a validation split (at least 3 distinct rows are needed)"
    }
  }
}
