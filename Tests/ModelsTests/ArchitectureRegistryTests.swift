// The architecture seam: every registered architecture is reachable by its kind, declares the
// hyperparameters it reads, rejects names and values it does not take, round-trips its
// configuration through JSON, builds, trains through the trainer and reports its own keys.

import Foundation
import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("Architecture registry")
struct ArchitectureRegistryTests {
  @Test("kinds are unique and every architecture is found by its kind")
  func kinds() throws {
    let kinds = ModelRegistry.kinds
    #expect(Set(kinds).count == kinds.count)
    #expect(kinds.starts(with: ["inn", "tabresnet"]))
    for kind in kinds { #expect(try ModelRegistry.architecture(kind: kind).kind == kind) }
    #expect(throws: ArchitectureError.unknownKind("mlp", known: kinds)) { try ModelRegistry.architecture(kind: "mlp") }
  }

  @Test("every architecture's default configuration survives JSON, builds, evaluates and declares what it reads", arguments: ModelRegistry.kinds)
  func defaults(kind: String) throws {
    let spec = try ModelRegistry.specification(kind: kind)
    let decoded = try JSONDecoder().decode(ModelSpecification.self, from: try JSONEncoder().encode(spec))
    #expect(decoded == spec)
    var rng = RandomGenerator(seed: 1)
    let model = try spec.makeModel(features: 5, outputs: 3, rng: &rng)
    #expect(model.features == 5 && model.outputs == 3)
    #expect(try (model.configuration as any ArchitectureConfiguration).isEqual(to: spec.configuration))
    model.eval()
    let x = Tensor.randomNormal([4, 5], using: &rng)
    #expect(model.inferencePlan().evaluate(x.scalars, count: 4).count == 12)
    // Every declared hyperparameter is accepted at its default value, and changes nothing.
    let declared = try ModelRegistry.hyperparameters(of: kind)
    let explicit = Hyperparameters(Dictionary(uniqueKeysWithValues: declared.map { ($0.name, $0.defaultValue) }))
    #expect(try ModelRegistry.specification(kind: kind, hyperparameters: explicit) == spec)
  }

  @Test("a name the architecture does not read is an error listing those it does; a bad value names the accepted range")
  func rejections() throws {
    #expect(throws: ArchitectureError.unknownHyperparameter(kind: "tabresnet", name: "tau", known: ["hidden_size", "nr_blocks", "weight_norm"])) {
      try ModelRegistry.specification(kind: "tabresnet", hyperparameters: ["tau": "0.2"])
    }
    for (name, value) in [("hidden_size", "0"), ("hidden_size", "10000000"), ("hidden_size", "4611686018427387904"),
                          ("hidden_size", "12.5"), ("nr_blocks", "-1"), ("weight_norm", "-0.1"), ("weight_norm", "nan"),
                          ("weight_norm", "1e39")] {
      do {
        _ = try ModelRegistry.specification(kind: "inn", hyperparameters: [name: value])
        Issue.record("\(name) = \(value) was accepted")
      } catch let error as ArchitectureError {
        guard case .invalidHyperparameter(let kind, let n, let v, _) = error else { Issue.record("\(error)"); continue }
        #expect(kind == "inn" && n == name && v == value)
        #expect(error.description.contains("expected"))
      }
    }
    let spec = try ModelRegistry.specification(kind: "inn", hyperparameters: ["hidden_size": " 64", "weight_norm": "0"])
    #expect(spec.configuration as? MesomorphicNetwork.Configuration == .init(width: 64, blocks: 2, weightNorm: 0))
  }

  @Test("a network too large to allocate is refused before allocation")
  func tooLarge() throws {
    let spec = try ModelRegistry.specification(kind: "tabresnet", hyperparameters: ["hidden_size": "16384", "nr_blocks": "256"])
    var rng = RandomGenerator(seed: 0)
    #expect(throws: ArchitectureError.self) { try spec.makeModel(features: 10, outputs: 1, rng: &rng) }
  }

  @Test("INN's training output carries λ·mean|W(x)|, TabResNet's none")
  func trainingOutput() throws {
    var rng = RandomGenerator(seed: 3)
    let x = Tensor.randomNormal([6, 4], using: &rng)
    let inn = MesomorphicNetwork(features: 4, outputs: 2, width: 8, blocks: 1, weightNorm: 0.5, rng: &rng)
    let output = inn.trainingOutput(x)
    let (logits, w) = inn.forward(x)
    #expect(output.logits.scalars == logits.scalars)
    #expect(try #require(output.penalty).item == (meanAbsolute(w) * 0.5).item)
    let none = MesomorphicNetwork(features: 4, outputs: 2, width: 8, blocks: 1, weightNorm: 0, rng: &rng)
    #expect(none.trainingOutput(x).penalty == nil)
    let tabresnet = TabResNet(features: 4, outputs: 2, width: 8, blocks: 1, rng: &rng)
    #expect(tabresnet.trainingOutput(x).penalty == nil)
    #expect(tabresnet.selfExplaining == nil && inn.selfExplaining != nil)
  }
}

@Suite("Hyperparameter text under random input")
struct HyperparameterFuzzTests {
  @Test("any text for any hyperparameter of any model gives a configuration that builds, or an ArchitectureError naming it")
  func fuzz() async {
    let texts = ["0", "-0", "1", "-1", "0.5", "1e-9", "1e400", "nan", "inf", "-inf", "", " ", "12.5", "3e38", "9223372036854775807",
                 "99999999999999999999", "l1", "L2", "elasticnet", "none", "0x10", "1_000", "١", "+1", "1 2"]
    await propertyCheck(count: 300, input: Gen.uint64()) { seed in
      var rng = RandomGenerator(seed: seed)
      let kind = ModelRegistry.kinds[rng.nextInt(below: ModelRegistry.kinds.count)]
      let names = try ModelRegistry.hyperparameters(of: kind).map(\.name) + ["unknown"]
      var values: [String: String] = [:]
      for _ in 0..<(1 + rng.nextInt(below: 3)) { values[names[rng.nextInt(below: names.count)]] = texts[rng.nextInt(below: texts.count)] }
      do {
        let spec = try ModelRegistry.specification(kind: kind, hyperparameters: Hyperparameters(values))
        var build = RandomGenerator(seed: 1)
        // Only small sizes are built; a valid large one must at least be refused or accepted cleanly.
        if ((values["hidden_size"].flatMap { Int($0) }) ?? 0) <= 64 { _ = try spec.makeModel(features: 3, outputs: 2, rng: &build) }
      } catch let error as ArchitectureError {
        #expect(!error.description.isEmpty)
      } catch let error as SumOfPartsError {
        // A backbone path that names nothing usable.
        #expect(values["backbone"] != nil && !error.description.isEmpty)
      } catch {
        Issue.record("\(kind) \(values): \(type(of: error)) \(error)")
      }
    }
  }
}
