// INN's own explanation: contributions plus bias reproduce the hypernetwork's logits, batch by
// batch, without any other model call.

import Attribution
import Foundation
import Models
import PropertyBased
import Tensor
import Testing

@Suite("INN explainer")
struct INNExplainerTests {
  @Test("Σⱼ wⱼ(x)·xⱼ + bias = logit for every output, and batching does not change the result")
  func contributionsAddUpToLogits() async {
    await propertyCheck(count: 15, input: Gen.int(in: 1...12), Gen.int(in: 1...3), Gen.int(in: 1...40), Gen.uint64()) { d, c, n, seed in
      var rng = RandomGenerator(seed: seed)
      let model = Hypernetwork(features: d, outputs: c, width: 16, blocks: 1, rng: &rng)
      let x = ExplainerFixtures.uniform(n * d, &rng, -2, 2)
      let explanation = try INNExplainer(model).explain(rows: x)
      model.eval()
      let logits = withoutGradient { model(Tensor(shape: [n, d], scalars: x)) }
      for r in 0..<n {
        for o in 0..<c {
          let total = explanation.scores(row: r, output: o).reduce(explanation.base![r * c + o], +)
          #expect(Swift.abs(total - Double(logits[r, o])) < 1e-4 * (1 + Swift.abs(Double(logits[r, o]))))
        }
      }
      let batched = try INNExplainer(model, batchSize: 7).explain(rows: x)
      #expect(ExplainerFixtures.maxDifference(explanation, batched) < 1e-5)
    }
  }

  @Test("INN explanation rejects rows of the wrong width")
  func wrongWidth() throws {
    var rng = RandomGenerator(seed: 1)
    let model = Hypernetwork(features: 4, outputs: 1, width: 8, blocks: 1, rng: &rng)
    #expect(throws: AttributionError.self) { try INNExplainer(model).explain(rows: [1, 2, 3]) }
  }
}
