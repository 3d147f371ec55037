import Foundation
import Models
import Testing
import TestSupport
import Tensor

@Suite("Augmentation")
struct AugmentationTests {
  static var x: Tensor { Tensor(shape: [4, 5], scalars: (0..<20).map { Float($0) + 1 }) }

  @Test("probability 0 leaves the batch alone")
  func off() {
    var rng = RandomGenerator(seed: 1)
    let batch = Augmentation.apply(Self.x, probability: 0, numericColumns: Array(repeating: true, count: 5), rng: &rng) { _ in
      Issue.record("no gradient may be asked for")
      return Self.x
    }
    #expect(batch.x == Self.x && batch.partner == nil && batch.lambda == 1 && batch.adversarial == nil)
  }

  @Test("every method does what it says, over many draws at probability 1")
  func methods() {
    var rng = RandomGenerator(seed: 2)
    let gradient = Tensor(shape: [4, 5], scalars: (0..<20).map { $0 % 3 == 0 ? -2 : ($0 % 3 == 1 ? 0 : 5) })
    var seen = Set<String>()
    for _ in 0..<200 {
      let batch = Augmentation.apply(Self.x, probability: 1, numericColumns: [true, true, false, false, true], rng: &rng) { _ in gradient }
      if let adversarial = batch.adversarial {
        seen.insert("fgsm")
        #expect(batch.x == Self.x && batch.lambda == 0.5)
        for i in 0..<20 {
          let step = adversarial.scalars[i] - Self.x.scalars[i]
          let expected: Float = gradient.scalars[i] > 0 ? 0.007 : (gradient.scalars[i] < 0 ? -0.007 : 0)
          #expect(Swift.abs(step - expected) < 1e-5)
        }
      } else if let partner = batch.partner {
        // cutmix or mixup: changed cells come from the partner row (cutmix) or mix it (mixup).
        #expect(batch.lambda >= 0 && batch.lambda < 1)
        #expect(partner.sorted() == [0, 1, 2, 3])
        seen.insert("mixed")
        for row in 0..<4 {
          for column in 0..<5 {
            let v = batch.x[row, column]
            let own = Self.x[row, column]
            let other = Self.x[partner[row], column]
            let mixed = batch.lambda * own + (1 - batch.lambda) * other
            #expect(v == own || v == other || Swift.abs(v - mixed) < 1e-4)
            if v != own && v != other { #expect([0, 1, 4].contains(column), "mixup touched a categorical column") }
          }
        }
      } else {
        // cutout (zeros) or noise (small perturbations); labels are kept.
        #expect(batch.lambda == 1)
        let changed = (0..<20).filter { batch.x.scalars[$0] != Self.x.scalars[$0] }
        #expect(!changed.isEmpty)
        let zeroed = changed.allSatisfy { batch.x.scalars[$0] == 0 }
        seen.insert(zeroed ? "cutout" : "noise")
        if !zeroed {
          #expect(changed.allSatisfy { Swift.abs(batch.x.scalars[$0] - Self.x.scalars[$0]) < 0.6 })
        }
      }
    }
    #expect(seen == ["fgsm", "mixed", "cutout", "noise"])
  }

  @Test("training with augmentation at probability 1 runs, keeps a finite loss and still learns")
  func training() throws {
    let table = TestModels.signalTable(rows: 300, seed: 9)
    let data = try PreparedDataset.prepare(table, name: "s", target: "y", regression: false, testFraction: 0.2, seed: 0)
    var experiment = Experiment(model: ModelSpecification(MesomorphicNetwork.self, .init(width: 16)))
    experiment.training.epochs = 12
    experiment.training.warmupEpochs = 1
    experiment.training.augmentationProbability = 1
    var losses: [Float] = []
    let result = try experiment.run(data) { losses.append($0.loss) }
    #expect(losses.count == 12 && losses.allSatisfy(\.isFinite))
    // The label is a linear threshold on x0 and x1; chance is 0.5.
    #expect((result.report.test.auroc ?? 0) > 0.8)
  }
}

@Suite("Augmentation choice")
struct AugmentationChoiceTests {
  @Test("a restricted list draws only its methods; the configuration writes the list only when it is not all five")
  func restricted() throws {
    var rng = RandomGenerator(seed: 4)
    let x = Tensor.randomNormal([16, 5], using: &rng)
    for _ in 0..<200 {
      let batch = Augmentation.apply(x, probability: 1, methods: [.cutout], numericColumns: [Bool](repeating: true, count: 5), rng: &rng) { $0 }
      // Cutout keeps the label (no partner) and only zeroes entries.
      #expect(batch.partner == nil && batch.adversarial == nil)
      #expect(zip(batch.x.scalars, x.scalars).allSatisfy { $0 == $1 || $0 == 0 })
    }
    var c = TrainingConfiguration()
    let plain = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(c)) as! [String: Any]
    #expect(plain["augmentations"] == nil)
    c.augmentations = [.cutout]
    let encoded = try JSONEncoder().encode(c)
    #expect((try JSONSerialization.jsonObject(with: encoded) as! [String: Any])["augmentations"] as? [String] == ["cutout"])
    #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: encoded) == c)
  }
}
