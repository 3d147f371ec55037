// The bridges between models and explainers: TabularModelAdapter's compiled plan against the
// model's own forward, the buffer form of `evaluate`, and the interventional value function's
// coalition rows against a direct construction.

import Attribution
import Foundation
import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

/// A random INN or TabResNet with non-trivial batch-norm statistics, in evaluation mode.
private func randomModel(features d: Int, outputs c: Int, inn: Bool, seed: UInt64) -> any TabularModel {
  TestModels.tabResNetFamily(inn: inn, features: d, outputs: c, width: 16, blocks: 1, seed: seed)
}

private func forwardLogits(_ model: any TabularModel, _ rows: [Float], count: Int) -> [Float] {
  withoutGradient { model(Tensor(shape: [count, model.features], scalars: rows)).scalars }
}

private func adapter(_ model: any TabularModel, threads: Int) -> any ExplainableModel {
  TabularModelAdapter(model, threads: threads)
}

@Suite("Model adapters and coalition rows")
struct ModelAdapterTests {
  @Test("TabularModelAdapter.evaluate (the compiled plan) agrees with the model's forward, on 1 or 2 threads, array and buffer forms alike")
  func adapterMatchesForward() async {
    await propertyCheck(count: 10, input: Gen.int(in: 1...6), Gen.int(in: 1...3), Gen.bool, Gen.uint64()) { d, c, inn, seed in
      let model = randomModel(features: d, outputs: c, inn: inn, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 1)
      let n = 300
      let rows = TestModels.uniform(n * d, &rng, -2, 2)
      let expected = forwardLogits(model, rows, count: n)
      for threads in [1, 2] {
        let f = adapter(model, threads: threads)
        let viaArray = try f.evaluate(rows, count: n)
        #expect(maxRelativeDifference(viaArray, expected) < 1e-4)
        var viaBuffer = [Float](repeating: .nan, count: n * c)
        try rows.withUnsafeBufferPointer { input in
          try viaBuffer.withUnsafeMutableBufferPointer { try f.evaluate(input, count: n, into: $0) }
        }
        #expect(viaBuffer == viaArray)
      }
    }
  }

  @Test("the adapter evaluates the parameters it was made with until rebuildPlan()")
  func adapterSnapshotsParameters() throws {
    var rng = RandomGenerator(seed: 3)
    let model = TabResNet(features: 4, outputs: 1, width: 8, blocks: 1, rng: &rng)
    let f = TabularModelAdapter(model, threads: 1)
    let rows = TestModels.uniform(5 * 4, &rng)
    let before = try f.evaluate(rows, count: 5)
    model.head.bias!.value = model.head.bias!.value + 1
    #expect(try f.evaluate(rows, count: 5) == before)
    f.rebuildPlan()
    let after = try f.evaluate(rows, count: 5)
    #expect(maxRelativeDifference(after, forwardLogits(model, rows, count: 5)) < 1e-5)
    #expect(zip(after, before).allSatisfy { Swift.abs($0 - $1 - 1) < 1e-5 })
  }

  @Test("the interventional value function's rows are (x_S, b_¬S) exactly: v(S) equals the mean over directly built rows")
  func interventionalRowsAreExact() async {
    await propertyCheck(count: 20, input: Gen.int(in: 1...9), Gen.int(in: 1...7), Gen.int(in: 1...40), Gen.uint64()) { d, b, coalitions, seed in
      var rng = RandomGenerator(seed: seed)
      let background = TestModels.uniform(b * d, &rng, -3, 3)
      let x = TestModels.uniform(d, &rng, -3, 3)
      let masks = (0..<(coalitions * d)).map { _ in UInt8(rng.nextInt(below: 2)) }
      // A model that returns a hash of the row's bits, so any changed value changes the output.
      let model = ClosureModel(features: d, outputs: 2) { rows, n in
        (0..<n).flatMap { r -> [Float] in
          var h: UInt32 = 2_166_136_261
          for i in 0..<d { h = (h ^ rows[r * d + i].bitPattern) &* 16_777_619 }
          return [Float(h % 1024), rows[r * d]]
        }
      }
      // Small chunks, so several calls and a short last one are exercised.
      let game = try InterventionalValueFunction(model: model, background: background, rowsPerCall: 3 * b)
      let v = try game.values(of: x, masks: masks, count: coalitions)
      for k in 0..<coalitions {
        var rows = [Float]()
        for r in 0..<b {
          for i in 0..<d { rows.append(masks[k * d + i] != 0 ? x[i] : background[r * d + i]) }
        }
        let out = try model.evaluate(rows, count: b)
        for o in 0..<2 {
          let mean = (0..<b).reduce(0.0) { $0 + Double(out[$1 * 2 + o]) } / Double(b)
          #expect(Swift.abs(v[k * 2 + o] - mean) <= 1e-12 * Swift.max(1, Swift.abs(mean)))
        }
      }
    }
  }
}
