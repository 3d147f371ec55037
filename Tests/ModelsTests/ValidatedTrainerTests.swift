// The validation-split trainer Sum-of-Parts and NAM use: no row validated on which it trained,
// the best epoch's state kept, the schedules as documented.

import Foundation
@testable import Models
import Tensor
import Testing
import TestSupport

@Suite("Validated trainer")
struct ValidatedTrainerTests {
  @Test("oversampled copies stay on their original's side of the split; the validation rows are distinct")
  func split() throws {
    // Imbalanced classes (about 1 in 4 positive), so oversampling copies minority rows.
    var table = TestModels.signalTable(rows: 200, seed: 3)
    let x0 = table.columns[0].values
    if case .numeric(let v) = x0 {
      table.columns[6] = .init(name: "y", values: .categorical(levels: ["neg", "pos"], codes: v.map { ($0 ?? 0) > 0.7 ? 1 : 0 }))
    }
    let data = try PreparedDataset.prepare(table, name: "s", target: "y", regression: false, testFraction: 0.2, seed: 0)
    #expect(Set(data.trainRowSources).count < data.trainRowSources.count, "the fixture should oversample")
    for fraction in [0.1, 0.25, 0.5] {
      let (train, validation) = ValidatedTrainer.split(data, fraction: fraction, seed: 9)
      let trainSources = Set(train.map { data.trainRowSources[$0] })
      let validationSources = validation.map { data.trainRowSources[$0] }
      #expect(Set(validationSources).count == validation.count)
      #expect(trainSources.isDisjoint(with: validationSources))
      #expect(Set(train).union(validation).count >= Set(data.trainRowSources).count)
      #expect(Swift.abs(Double(validation.count) - fraction * Double(Set(data.trainRowSources).count)) <= 1)
    }
  }

  @Test("the state returned is the one with the lowest validation loss, loaded into the model")
  func bestState() throws {
    let data = try PreparedDataset.prepare(TestModels.signalTable(rows: 300, seed: 4), name: "s", target: "y", regression: false,
                                           testFraction: 0.2, seed: 0)
    var rng = RandomGenerator(seed: 2)
    let model = TabResNet(features: 6, outputs: 1, width: 16, blocks: 1, rng: &rng)
    var c = ValidatedTraining()
    c.epochs = 12
    c.learningRate = 0.01
    let outcome = try ValidatedTrainer.train(model, on: data, configuration: c)
    #expect(outcome.validationLosses.count == 12)
    #expect(outcome.validationLosses[outcome.bestEpoch - 1] == outcome.validationLosses.min())
    for (name, value) in outcome.best { #expect(model.stateDict()[name]!.scalars == value.scalars, "\(name)") }
    #expect(!model.isTraining)
  }

  @Test("patience stops training once the validation loss stops improving")
  func patience() throws {
    let data = try PreparedDataset.prepare(TestModels.signalTable(rows: 200, seed: 5), name: "s", target: "y", regression: false,
                                           testFraction: 0.2, seed: 0)
    var rng = RandomGenerator(seed: 3)
    let model = TabResNet(features: 6, outputs: 1, width: 8, blocks: 1, rng: &rng)
    var c = ValidatedTraining()
    c.epochs = 200
    c.learningRate = 0.05
    c.patience = 3
    let outcome = try ValidatedTrainer.train(model, on: data, configuration: c)
    #expect(outcome.validationLosses.count < 200)
    #expect(outcome.validationLosses.count - outcome.bestEpoch == 3)
  }

  @Test("schedules: linear warm-up then cosine to 0, inverse square root, exponential per epoch")
  func schedules() {
    #expect(ValidatedTrainer.factor(.cosine(warmupSteps: 10), step: 0, epoch: 0, totalSteps: 110) == 0.1)
    #expect(ValidatedTrainer.factor(.cosine(warmupSteps: 10), step: 10, epoch: 0, totalSteps: 110) == 1)
    #expect(Swift.abs(ValidatedTrainer.factor(.cosine(warmupSteps: 10), step: 60, epoch: 0, totalSteps: 110) - 0.5) < 1e-6)
    #expect(ValidatedTrainer.factor(.cosine(warmupSteps: 0), step: 110, epoch: 0, totalSteps: 110) < 1e-6)
    #expect(ValidatedTrainer.factor(.inverseSquareRoot(warmupSteps: 4), step: 15, epoch: 0, totalSteps: 100) == 0.5)
    #expect(Swift.abs(ValidatedTrainer.factor(.exponential(perEpoch: 0.995), step: 0, epoch: 2, totalSteps: 100) - 0.990025) < 1e-6)
  }

  @Test("fewer than three distinct rows cannot be split, and says so")
  func tooFew() throws {
    let data = try PreparedDataset(name: "t", featureNames: ["a"], xTrain: [1, 2], yTrain: [0, 1], xTest: [1], yTest: [0], classNames: ["p", "q"])
    var rng = RandomGenerator(seed: 0)
    #expect(throws: TrainingError.tooFewRows(rows: 2)) {
      try ValidatedTrainer.train(TabResNet(features: 1, outputs: 1, width: 4, blocks: 0, rng: &rng), on: data, configuration: ValidatedTraining())
    }
  }

  @Test("validation fraction 0: every row trains, every epoch runs, the last state is kept; two rows suffice")
  func noValidation() throws {
    let data = try PreparedDataset.prepare(TestModels.signalTable(rows: 120, seed: 6), name: "s", target: "y", regression: false,
                                           testFraction: 0.2, seed: 0)
    var rng = RandomGenerator(seed: 4)
    let model = TabResNet(features: 6, outputs: 1, width: 8, blocks: 1, rng: &rng)
    var c = ValidatedTraining()
    c.epochs = 7
    c.learningRate = 0.01
    c.validationFraction = 0
    var seen = 0
    let outcome = try ValidatedTrainer.train(model, on: data, configuration: c) { _ in seen += 1 }
    #expect(seen == 7 && outcome.bestEpoch == 7 && outcome.validationLosses.count == 7)
    for (name, value) in outcome.best { #expect(model.stateDict()[name]!.scalars == value.scalars, "\(name)") }
    #expect(outcome.validationLosses.allSatisfy { $0.isFinite })

    let two = try PreparedDataset(name: "t", featureNames: ["a"], xTrain: [1, 2], yTrain: [0, 1], xTest: [1], yTest: [0], classNames: ["p", "q"])
    var tiny = ValidatedTraining()
    tiny.epochs = 2
    tiny.validationFraction = 0
    let small = try ValidatedTrainer.train(TabResNet(features: 1, outputs: 1, width: 4, blocks: 0, rng: &rng), on: two, configuration: tiny)
    #expect(small.bestEpoch == 2)
  }

  @Test("NAM and Sum-of-Parts accept validation_fraction=0 (NAM then ignores its patience) and refuse values outside [0, 0.5]")
  func validationFractionRange() throws {
    for kind in [NeuralAdditiveModel.kind, SumOfParts.kind] {
      _ = try ModelRegistry.specification(kind: kind, hyperparameters: ["validation_fraction": "0"])
      #expect(throws: ArchitectureError.self) { try ModelRegistry.specification(kind: kind, hyperparameters: ["validation_fraction": "-0.1"]) }
      #expect(throws: ArchitectureError.self) { try ModelRegistry.specification(kind: kind, hyperparameters: ["validation_fraction": "0.6"]) }
    }
  }
}
