import Foundation

/// A learning rate as a function of the step count (an epoch or a batch, possibly
/// fractional) and the optimizer's base rate. Schedules are values: the same step always gives
/// the same rate, so training can resume anywhere.
public protocol LearningRateSchedule: Sendable {
  func learningRate(at step: Double, base: Float) -> Float
}

/// `torch.optim.lr_scheduler.LinearLR`: the rate is base·f with f moving linearly from
/// `startFactor` to `endFactor` over `steps` steps, then staying at `endFactor`:
/// f(t) = start + (end − start)·min(t, steps)/steps.
public struct LinearWarmup: LearningRateSchedule {
  public let startFactor: Float
  public let endFactor: Float
  public let steps: Double

  public init(startFactor: Float = 1.0 / 3.0, endFactor: Float = 1, steps: Double = 5) {
    precondition(steps > 0, "LinearWarmup: steps must be positive")
    precondition(startFactor > 0 && startFactor <= 1 && endFactor >= 0 && endFactor <= 1,
      "LinearWarmup: factors must lie in (0, 1] and [0, 1] as in PyTorch")
    self.startFactor = startFactor
    self.endFactor = endFactor
    self.steps = steps
  }

  public func learningRate(at step: Double, base: Float) -> Float {
    let progress = Float(Swift.min(Swift.max(step, 0), steps) / steps)
    return base * (startFactor + (endFactor - startFactor) * progress)
  }
}

/// `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts` (SGDR, Loshchilov & Hutter 2017):
///
///   η = η_min + (η_base − η_min)·(1 + cos(π·T_cur/T_i))/2
///
/// where the i-th cycle lasts T_i = T₀·T_multⁱ steps and T_cur counts steps since its start.
/// For T_mult > 1 the cycle of step t is i = ⌊log_{T_mult}(t/T₀·(T_mult − 1) + 1)⌋ and
/// T_cur = t − T₀·(T_multⁱ − 1)/(T_mult − 1); for T_mult = 1, T_cur = t mod T₀.
public struct CosineAnnealingWarmRestarts: LearningRateSchedule {
  public let period: Double
  public let periodMultiplier: Int
  public let minimum: Float

  public init(period: Double, periodMultiplier: Int = 1, minimum: Float = 0) {
    precondition(period > 0, "CosineAnnealingWarmRestarts: T_0 must be positive")
    precondition(periodMultiplier >= 1, "CosineAnnealingWarmRestarts: T_mult must be an integer ≥ 1")
    self.period = period
    self.periodMultiplier = periodMultiplier
    self.minimum = minimum
  }

  /// The position in the current cycle and the cycle's length.
  public func cycle(at step: Double) -> (current: Double, length: Double, index: Int) {
    let t = Swift.max(step, 0)
    if t < period { return (t, period, 0) }
    if periodMultiplier == 1 {
      let index = Int((t / period).rounded(.down))
      return (t - Double(index) * period, period, index)
    }
    let m = Double(periodMultiplier)
    var index = Int((Foundation.log(t / period * (m - 1) + 1) / Foundation.log(m)).rounded(.down))
    // Guard the floor against rounding at exact cycle boundaries.
    func start(_ i: Int) -> Double { period * (Foundation.pow(m, Double(i)) - 1) / (m - 1) }
    while start(index + 1) <= t { index += 1 }
    while index > 0 && start(index) > t { index -= 1 }
    return (t - start(index), period * Foundation.pow(m, Double(index)), index)
  }

  public func learningRate(at step: Double, base: Float) -> Float {
    let (current, length, _) = cycle(at: step)
    return minimum + (base - minimum) * Float((1 + Foundation.cos(Double.pi * current / length)) / 2)
  }
}

/// `torch.optim.lr_scheduler.SequentialLR`: schedule k runs from milestone k−1 to milestone k,
/// counting its own steps from 0 at its milestone.
public struct SequentialSchedule: LearningRateSchedule {
  public let schedules: [any LearningRateSchedule]
  public let milestones: [Double]

  public init(_ schedules: [any LearningRateSchedule], milestones: [Double]) {
    precondition(!schedules.isEmpty && milestones.count == schedules.count - 1,
      "SequentialSchedule: needs one milestone fewer than schedules")
    precondition(zip(milestones, milestones.dropFirst()).allSatisfy { $0 < $1 }, "SequentialSchedule: milestones must increase")
    self.schedules = schedules
    self.milestones = milestones
  }

  public func learningRate(at step: Double, base: Float) -> Float {
    let k = milestones.firstIndex { step < $0 } ?? milestones.count
    let start = k == 0 ? 0 : milestones[k - 1]
    return schedules[k].learningRate(at: step - start, base: base)
  }
}

/// Drives an optimizer's learning rate from a schedule, like a PyTorch scheduler object:
/// the rate is set for step 0 on creation and for step t after the t-th call to `step()`.
public final class LearningRateScheduler {
  public let optimizer: any Optimizer
  public let schedule: any LearningRateSchedule
  public let base: Float
  public private(set) var stepCount: Double = 0

  public init(_ optimizer: any Optimizer, schedule: any LearningRateSchedule) {
    self.optimizer = optimizer
    self.schedule = schedule
    self.base = optimizer.learningRate
    optimizer.learningRate = schedule.learningRate(at: 0, base: base)
  }

  /// Advances by `amount` steps (1 by default; fractions for per-batch updates of an
  /// epoch-based schedule) and sets the optimizer's rate.
  public func step(by amount: Double = 1) {
    stepCount += amount
    optimizer.learningRate = schedule.learningRate(at: stepCount, base: base)
  }
}
