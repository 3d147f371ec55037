import Foundation
import Tensor

/// What a training run reports while it works.
public struct TrainingProgress: Sendable {
  public var epoch: Int
  public var epochs: Int
  public var loss: Float
  public var elapsed: Double
  /// Something the user should know, e.g. that a solver stopped before converging.
  public var note: String? = nil
  /// What `epoch` counts: "epoch" for the gradient trainer, "iteration" for a solver.
  public var unit = "epoch"

  public init(epoch: Int, epochs: Int, loss: Float, elapsed: Double, note: String? = nil, unit: String = "epoch") {
    self.epoch = epoch
    self.epochs = epochs
    self.loss = loss
    self.elapsed = elapsed
    self.note = note
    self.unit = unit
  }
}

/// Trains a ``TabularModel`` as the INN reference does: Adam (coupled L2 unless configured
/// otherwise), batch size 64, linear warm-up then cosine annealing with warm restarts stepped
/// per batch, the architecture's own penalty (``TabularModel/trainingOutput(_:)``; INN's L1
/// term on the generated weights), optional augmentation, and a snapshot of the weights at
/// the end of every cosine cycle (``IterationPlan``).
public enum Trainer {
  /// Trains `model` on the training split of `data` and returns the snapshots (state dicts,
  /// of every parameter and buffer, frozen ones included), oldest first.
  ///
  /// - Parameter parameters: what the optimizer updates; by default every trainable parameter
  ///   of `model` (frozen sub-modules, ``Module/freeze()``, are not among them).
  public static func train(
    _ model: any TabularModel, on data: PreparedDataset, configuration c: TrainingConfiguration,
    parameters: [Parameter]? = nil, progress: (TrainingProgress) -> Void = { _ in }
  ) -> [[String: Tensor]] {
    let n = data.xTrain.shape[0]
    precondition(n >= 2, "training needs at least two rows")
    let root = RandomGenerator(seed: c.seed)
    var shuffleRNG = root.stream(4)
    var augmentRNG = root.stream(5)
    let batchSize = Swift.min(c.batchSize, n)
    // A final batch of one row cannot be batch-normalised: it joins the batch before it.
    var batchesPerEpoch = (n + batchSize - 1) / batchSize
    if n % batchSize == 1 && batchesPerEpoch > 1 { batchesPerEpoch -= 1 }
    let plan = IterationPlan(epochs: c.epochs, batchesPerEpoch: batchesPerEpoch, warmupEpochs: c.warmupEpochs,
                             tMult: c.schedulerTMult, restarts: c.restarts)
    let optimizer = Adam(parameters ?? model.parameters, learningRate: c.learningRate, weightDecay: c.weightDecay,
                         weightDecayStyle: c.decoupledWeightDecay ? .decoupled : .coupled)
    var schedules: [any LearningRateSchedule] = []
    var milestones: [Double] = []
    if plan.warmup > 0 {
      schedules.append(LinearWarmup(startFactor: 1 / Float(plan.warmup), endFactor: 1, steps: Double(plan.warmup)))
      milestones.append(Double(plan.warmup))
    }
    schedules.append(CosineAnnealingWarmRestarts(period: Double(plan.firstCycle), periodMultiplier: c.schedulerTMult))
    let scheduler = LearningRateScheduler(optimizer, schedule: SequentialSchedule(schedules, milestones: milestones))
    let numericColumns = data.preprocessor.transforms.flatMap { t -> [Bool] in
      if case .numeric = t { return [true] }
      return Array(repeating: false, count: t.encodedNames.count)
    }
    let yScaled = data.task == .regression ? data.yTrain.map { ($0 - data.targetMean) / data.targetScale } : data.yTrain

    var snapshots: [[String: Tensor]] = []
    var iteration = 0
    let start = Date()
    model.train()
    for epoch in 1...c.epochs {
      let order = shuffleRNG.permutation(n)
      var epochLoss: Float = 0
      for b in 0..<batchesPerEpoch {
        let rows = Array(order[(b * batchSize)..<(b == batchesPerEpoch - 1 ? n : (b + 1) * batchSize)])
        let x = data.xTrain.gatheringRows(rows)
        let y = rows.map { yScaled[$0] }
        let batch = Augmentation.apply(x, probability: c.augmentationProbability, methods: c.augmentations, numericColumns: numericColumns, rng: &augmentRNG) { input in
          var probe = input.detached()
          probe.requiresGrad = true
          model.eval()
          defer { model.train() }
          objective(model, probe, y, task: data.task, penalty: false).backward()
          return probe.grad ?? Tensor.zeros(input.shape)
        }
        optimizer.zeroGrad()
        // The loss and its graph live only inside this closure: once it returns, nothing but
        // the parameters holds their values, so Adam updates them in place (a graph still alive
        // during the step made it copy every weight the graph had captured, each step).
        let batchLoss: Float = {
          let loss: Tensor
          if let partner = batch.partner {
            let yPartner = partner.map { y[$0] }
            loss = objective(model, batch.x, y, task: data.task, mixedWith: yPartner, lambda: batch.lambda)
          } else if let adversarial = batch.adversarial {
            loss = objective(model, batch.x, y, task: data.task) * 0.5
              + objective(model, adversarial, y, task: data.task, penalty: false) * 0.5
          } else {
            loss = objective(model, batch.x, y, task: data.task)
          }
          loss.backward()
          return loss.item
        }()
        optimizer.step()
        scheduler.step()
        iteration += 1
        epochLoss += batchLoss
        if plan.snapshots.contains(iteration) { snapshots.append(model.stateDict()) }
      }
      progress(TrainingProgress(epoch: epoch, epochs: c.epochs, loss: epochLoss / Float(batchesPerEpoch),
                                elapsed: Date().timeIntervalSince(start)))
    }
    if snapshots.isEmpty { snapshots.append(model.stateDict()) }
    model.eval()
    return snapshots
  }

  /// The training objective for one batch: the task loss (BCE with logits, cross-entropy or
  /// MSE), mixed as λ·ℓ(y) + (1−λ)·ℓ(y′) when a partner's labels are given, plus, when
  /// `penalty` is true, the architecture's own penalty (INN: λ·mean|W(x)| over every
  /// generated weight). FGSM's input gradient and its adversarial half leave the penalty out.
  public static func objective(
    _ model: any TabularModel, _ x: Tensor, _ y: [Float], task: PredictionTask, penalty: Bool = true,
    mixedWith partner: [Float]? = nil, lambda: Float = 1
  ) -> Tensor {
    let output = model.trainingOutput(x)
    let logits = output.logits
    func taskLoss(_ targets: [Float]) -> Tensor {
      switch task {
      case .binary: binaryCrossEntropy(logits: logits, targets: Tensor(shape: [targets.count, 1], scalars: targets))
      case .multiclass: crossEntropy(logits: logits, labels: targets.map { Int($0) })
      case .regression: meanSquaredError(predictions: logits, targets: Tensor(shape: [targets.count, 1], scalars: targets))
      }
    }
    var loss = taskLoss(y)
    if let partner, lambda < 1 { loss = loss * lambda + taskLoss(partner) * (1 - lambda) }
    if penalty, let term = output.penalty { loss = loss + term }
    return loss
  }
}
