// Learning-rate schedules against values worked out by hand from PyTorch's closed forms
// (torch.optim.lr_scheduler.LinearLR, CosineAnnealingWarmRestarts, SequentialLR). The
// expected numbers are literals; the comments give the arithmetic (checked in plain Python).
//
// Tolerance 1e-7 on rates ≤ 0.1: the schedules compute in Double and round once to Float
// (relative error ≤ 6e-8, i.e. ≤ 6e-9 absolute here), while any formula slip (off-by-one
// step, wrong cycle, wrong start factor) moves the rate by ≥ 1e-3.

import Foundation
import Testing

@testable import Tensor

private let schedTolerance: Float = 1e-7

private func schedExpect(
  _ schedule: any LearningRateSchedule, base: Float, _ table: [(Double, Float)], _ label: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  for (step, expected) in table {
    let rate = schedule.learningRate(at: step, base: base)
    #expect(abs(rate - expected) <= schedTolerance, "\(label) at step \(step): \(rate), expected \(expected)",
      sourceLocation: sourceLocation)
  }
}

@Suite("Learning-rate schedules")
struct ScheduleTests {
  @Test("LinearWarmup = torch LinearLR(start_factor 1/3, end_factor 1, total_iters 5)")
  func linearWarmup() {
    // η_t = η·(1/3 + (2/3)·min(t, 5)/5), η = 0.1:
    // t=0: 0.1/3 = 0.0333333;  t=1: 0.1·(1/3 + 2/15) = 0.0466667;  t=2: 0.06;
    // t=2.5: 0.1·(1/3 + 1/3) = 0.0666667;  t=3: 0.0733333;  t=4: 0.0866667;  t ≥ 5: 0.1
    let warmup = LinearWarmup()
    #expect(abs(warmup.startFactor - 1.0 / 3.0) < 1e-7 && warmup.endFactor == 1 && warmup.steps == 5)
    schedExpect(warmup, base: 0.1, [
      (0, 0.033333333), (1, 0.046666667), (2, 0.06), (2.5, 0.066666667), (3, 0.073333333),
      (4, 0.086666667), (5, 0.1), (7, 0.1), (100, 0.1),
    ], "LinearWarmup")
    // Custom factors: start 0.5, end 0.9 over 4 steps, η = 1: t=2 → 0.5 + 0.4·0.5 = 0.7.
    schedExpect(LinearWarmup(startFactor: 0.5, endFactor: 0.9, steps: 4), base: 1, [(0, 0.5), (2, 0.7), (4, 0.9), (9, 0.9)],
      "LinearWarmup(0.5 → 0.9)")
  }

  @Test("CosineAnnealingWarmRestarts with T_0 = 10, T_mult = 1")
  func cosineFixedPeriod() {
    // η_t = η_min + (η − η_min)·(1 + cos(π·T_cur/10))/2 with T_cur = t mod 10, η = 0.1:
    // t=0: 0.1;  t=1: 0.05·(1 + cos(π/10)) = 0.0975528;  t=2.5: 0.05·(1 + cos(π/4)) = 0.0853553;
    // t=5: 0.05;  t=9: 0.05·(1 + cos(0.9π)) = 0.0024472;  t=10: restart → 0.1;
    // t=12.5: 0.0853553;  t=15: 0.05;  t=20: 0.1;  t=31: 0.0975528
    let cosine = CosineAnnealingWarmRestarts(period: 10)
    schedExpect(cosine, base: 0.1, [
      (0, 0.1), (1, 0.097552826), (2.5, 0.085355339), (5, 0.05), (9, 0.0024471742), (10, 0.1),
      (12.5, 0.085355339), (15, 0.05), (20, 0.1), (31, 0.097552826),
    ], "cosine T_0=10")
    // With η_min = 0.01: t=5: 0.01 + 0.09·0.5 = 0.055; t=9: 0.01 + 0.09·0.0244717 = 0.0122025.
    schedExpect(CosineAnnealingWarmRestarts(period: 10, minimum: 0.01), base: 0.1, [
      (0, 0.1), (5, 0.055), (9, 0.012202457), (10, 0.1),
    ], "cosine T_0=10, η_min=0.01")
  }

  @Test("CosineAnnealingWarmRestarts with T_0 = 2, T_mult = 2: cycles start at 0, 2, 6, 14, 30")
  func cosineGrowingPeriod() {
    // Cycle i lasts 2·2ⁱ steps: [0,2), [2,6), [6,14), [14,30), [30,62).
    // t=1:   T_cur 1/2 → 0.05·(1 + cos(π/2)) = 0.05
    // t=1.5: 1.5/2 → 0.05·(1 + cos(3π/4)) = 0.0146447
    // t=2:   restart → 0.1;  t=3: 1/4 → 0.0853553;  t=4: 2/4 → 0.05;  t=5: 3/4 → 0.0146447
    // t=5.5: 3.5/4 → 0.05·(1 + cos(7π/8)) = 0.0038060
    // t=6:   restart → 0.1;  t=10: 4/8 → 0.05;  t=13: 7/8 → 0.0038060
    // t=14:  restart → 0.1;  t=22: 8/16 → 0.05;  t=29: 15/16 → 0.05·(1 + cos(15π/16)) = 0.00096074
    // t=30:  restart → 0.1
    let cosine = CosineAnnealingWarmRestarts(period: 2, periodMultiplier: 2)
    schedExpect(cosine, base: 0.1, [
      (0, 0.1), (1, 0.05), (1.5, 0.014644661), (2, 0.1), (3, 0.085355339), (4, 0.05), (5, 0.014644661),
      (5.5, 0.0038060234), (6, 0.1), (10, 0.05), (13, 0.0038060234), (14, 0.1), (22, 0.05),
      (29, 0.00096073598), (30, 0.1),
    ], "cosine T_0=2, T_mult=2")
    // The cycle bookkeeping itself, at and just before each boundary.
    let boundaries: [(Double, Double, Double, Int)] = [
      (0, 0, 2, 0), (1.999, 1.999, 2, 0), (2, 0, 4, 1), (5.999, 3.999, 4, 1), (6, 0, 8, 2),
      (13.999, 7.999, 8, 2), (14, 0, 16, 3), (30, 0, 32, 4), (62, 0, 64, 5),
    ]
    for (t, current, length, index) in boundaries {
      let c = cosine.cycle(at: t)
      #expect(abs(c.current - current) < 1e-9 && c.length == length && c.index == index,
        "cycle(at: \(t)) = \(c), expected (\(current), \(length), \(index))")
    }
    // Just before a restart the rate is near η_min; at the restart it jumps back to η.
    #expect(cosine.learningRate(at: 13.999, base: 0.1) < 1e-7)
  }

  @Test("CosineAnnealingWarmRestarts with T_mult = 3 and a fractional T_0")
  func cosineOtherMultiplier() {
    // T_0 = 1.5, T_mult = 3: cycles [0, 1.5), [1.5, 6), [6, 19.5).
    // t=3.75: T_cur 2.25 of 4.5 → 0.05;  t=6: restart → 0.1;  t=12.75: 6.75/13.5 → 0.05
    let cosine = CosineAnnealingWarmRestarts(period: 1.5, periodMultiplier: 3)
    schedExpect(cosine, base: 0.1, [(0, 0.1), (0.75, 0.05), (1.5, 0.1), (3.75, 0.05), (6, 0.1), (12.75, 0.05), (19.5, 0.1)],
      "cosine T_0=1.5, T_mult=3")
  }

  @Test("SequentialSchedule([warmup, cosine], milestones: [5]) = torch SequentialLR")
  func sequential() {
    // Steps 0…4 follow LinearWarmup(t); from 5 on, cosine(t − 5) with T_0 = 10, η = 0.1:
    // t=0: 0.0333333;  t=1: 0.0466667;  t=4: 0.0866667;  t=4.5: 0.1·(1/3 + (2/3)·0.9) = 0.0933333
    // t=5: cosine(0) = 0.1;  t=6: cosine(1) = 0.0975528;  t=10: cosine(5) = 0.05;
    // t=14: cosine(9) = 0.0024472;  t=15: cosine(10) = restart = 0.1;  t=16: 0.0975528
    let schedule = SequentialSchedule([LinearWarmup(), CosineAnnealingWarmRestarts(period: 10)], milestones: [5])
    schedExpect(schedule, base: 0.1, [
      (0, 0.033333333), (1, 0.046666667), (4, 0.086666667), (4.5, 0.093333333), (5, 0.1), (6, 0.097552826),
      (10, 0.05), (14, 0.0024471742), (15, 0.1), (16, 0.097552826),
    ], "warmup then cosine")
  }

  @Test("LearningRateScheduler sets the optimizer's rate at creation and after every step")
  func schedulerDrivesOptimizer() {
    let p = Parameter(Tensor([0]))
    let opt = SGD([p], learningRate: 0.1)
    let scheduler = LearningRateScheduler(
      opt, schedule: SequentialSchedule([LinearWarmup(), CosineAnnealingWarmRestarts(period: 10)], milestones: [5]))
    #expect(scheduler.base == 0.1)
    // At creation: step 0 → 0.0333333.
    #expect(abs(opt.learningRate - 0.033333333) <= schedTolerance)
    // Each SGD step with gradient −1 moves p by exactly the current rate, so p is the running
    // sum of the rates used: 0.0333333 + 0.0466667 + 0.06 + 0.0733333 + 0.0866667 = 0.3.
    let expectedAfterStep: [Float] = [0.046666667, 0.06, 0.073333333, 0.086666667, 0.1, 0.097552826]
    for expected in expectedAfterStep {
      p.grad = Tensor([-1])
      opt.step()
      scheduler.step()
      #expect(abs(opt.learningRate - expected) <= schedTolerance, "rate \(opt.learningRate), expected \(expected)")
    }
    // Rates used: 1/30, 7/150, 0.06, 11/150, 13/150, 0.1 → sum 0.4.
    #expect(abs(p.value.scalars[0] - 0.4) < 1e-6, "p = \(p.value.scalars[0]), the sum of the rates used should be 0.4")
    #expect(scheduler.stepCount == 6)
    // Fractional steps (per batch within an epoch): 6 → 6.5 → 7.
    scheduler.step(by: 0.5)
    // cosine(1.5) = 0.05·(1 + cos(0.15π)) = 0.0945503
    #expect(abs(opt.learningRate - 0.094550326) <= schedTolerance)
    scheduler.step(by: 0.5)
    // cosine(2) = 0.05·(1 + cos(0.2π)) = 0.0904508
    #expect(abs(opt.learningRate - 0.090450850) <= schedTolerance)
    #expect(scheduler.stepCount == 7)
  }

  @Test("a resumed scheduler reproduces the rates of an uninterrupted one, and rates stay in [η_min, η]")
  func resumingGivesSameRates() {
    let schedule = SequentialSchedule([LinearWarmup(), CosineAnnealingWarmRestarts(period: 2, periodMultiplier: 2)], milestones: [5])
    let first = SGD([Parameter(Tensor([0]))], learningRate: 0.3)
    let uninterrupted = LearningRateScheduler(first, schedule: schedule)
    var rates: [Float] = []
    for _ in 0..<160 {
      uninterrupted.step(by: 0.25)
      rates.append(first.learningRate)
      #expect(first.learningRate >= 0 && first.learningRate <= 0.3 + 1e-7)
    }
    // A fresh scheduler asked directly for step 20 (what a resumed run does) agrees.
    #expect(schedule.learningRate(at: 20, base: 0.3) == rates[79])
    #expect(schedule.learningRate(at: 40, base: 0.3) == rates[159])
  }
}
