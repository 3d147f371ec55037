// SequentialModelAdapter (a Tensor `Sequential` through its compiled SequentialPlan) against a
// ClosureModel over the layers' ordinary forward.

import Attribution
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("SequentialModelAdapter")
struct SequentialModelAdapterTests {
  /// A random ReLU or GELU MLP d → h → h → c, optionally with BatchNorms with random running statistics.
  static func mlp(features d: Int, outputs c: Int, hidden h: Int, batchNorm: Bool, rng: inout RandomGenerator) -> Sequential {
    func norm() -> BatchNorm1d {
      let norm = BatchNorm1d(h)
      norm.runningMean.value = Tensor(shape: [h], scalars: TestModels.uniform(h, &rng, -0.3, 0.3))
      norm.runningVar.value = Tensor(shape: [h], scalars: TestModels.uniform(h, &rng, 0.5, 1.5))
      norm.weight.value = Tensor(shape: [h], scalars: TestModels.uniform(h, &rng, 0.5, 1.5))
      return norm
    }
    let kind: Activation.Kind = rng.nextInt(below: 2) == 0 ? .relu : .gelu
    var layers: [any Layer] = [Linear(d, h, rng: &rng)]
    if batchNorm { layers.append(norm()) }
    layers += [Activation(kind), Linear(h, h, rng: &rng), Activation(kind)]
    if batchNorm { layers.append(norm()) }
    layers.append(Linear(h, c, rng: &rng))
    return Sequential(layers)
  }

  @Test("Kernel SHAP through the adapter equals Kernel SHAP through a ClosureModel over the ordinary forward, on 1 or 2 threads")
  func kernelSHAPMatchesForward() async {
    await propertyCheck(count: 8, input: Gen.int(in: 2...7), Gen.int(in: 1...2), Gen.bool, Gen.uint64()) { d, c, batchNorm, seed in
      var rng = RandomGenerator(seed: seed)
      let model = Self.mlp(features: d, outputs: c, hidden: 16, batchNorm: batchNorm, rng: &rng)
      let background = TestModels.uniform(20 * d, &rng, -2, 2)
      let x = TestModels.uniform(3 * d, &rng, -2, 2)
      for threads in [1, 2] {
        let adapter = try SequentialModelAdapter(model, threads: threads)
        #expect(adapter.features == d && adapter.outputs == c)
        let reference = ClosureModel(features: d, outputs: c) { rows, n in
          withoutGradient { model(Tensor(shape: [n, d], scalars: rows)) }.scalars
        }
        let kernel = KernelSHAP(background: background, budget: 64, seed: seed)
        let viaPlan = try kernel.explain(adapter, rows: x)
        let viaForward = try kernel.explain(reference, rows: x)
        let gap = zip(viaPlan.values, viaForward.values).map { Swift.abs($0 - $1) }.max() ?? 0
        #expect(gap <= 1e-5, "threads \(threads)")
        #expect(zip(viaPlan.base!, viaForward.base!).allSatisfy { Swift.abs($0 - $1) <= 1e-5 })
      }
    }
  }

  @Test("the adapter's forward is the live model, for gradients; its plan is a snapshot until rebuildPlan()")
  func forwardAndSnapshot() throws {
    var rng = RandomGenerator(seed: 4)
    let model = Self.mlp(features: 3, outputs: 1, hidden: 8, batchNorm: true, rng: &rng)
    let f = try SequentialModelAdapter(model, threads: 1)
    let rows = TestModels.uniform(5 * 3, &rng)
    let before = try f.evaluate(rows, count: 5)
    #expect(zip(before, withoutGradient { f.forward(Tensor(shape: [5, 3], scalars: rows)) }.scalars).allSatisfy { Swift.abs($0 - $1) <= 1e-5 })
    let head = model.layers.last as! Linear
    head.bias!.value = head.bias!.value + 1
    #expect(try f.evaluate(rows, count: 5) == before)
    try f.rebuildPlan()
    #expect(zip(try f.evaluate(rows, count: 5), before).allSatisfy { Swift.abs($0 - $1 - 1) <= 1e-5 })
  }

  @Test("a Sequential with a layer the plan cannot compile is refused with the layer named")
  func unsupported() {
    var rng = RandomGenerator(seed: 5)
    let model = Sequential([Linear(3, 4, rng: &rng), Activation(.sigmoid), Linear(4, 1, rng: &rng)])
    #expect(throws: SequentialPlanError.unsupportedLayer(path: "1", layer: "Activation(.sigmoid)")) { try SequentialModelAdapter(model) }
  }
}
