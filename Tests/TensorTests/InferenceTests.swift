import PropertyBased
import Testing
import TestSupport

@testable import Tensor

/// The raw-buffer inference pieces (`AffineMap`, BatchNorm folding, the per-instance linear
/// kernel, `RowPartition`, `InferenceWorkspace`, single-threaded BLAS scopes) against the
/// tensor ops they replace.
@Suite struct InferenceTests {
  /// `map` applied to x [n, inputs] through raw buffers, optionally accumulating into `initial`.
  static func apply(_ map: AffineMap, _ x: Tensor, initial: Tensor? = nil, epilogue: AffineMap.Epilogue) -> [Float] {
    let n = x.shape[0]
    var y = initial?.scalars ?? [Float](repeating: .nan, count: n * map.outputs)
    x.scalars.withUnsafeBufferPointer { px in
      y.withUnsafeMutableBufferPointer { py in
        map.apply(px.baseAddress!, rows: n, into: py.baseAddress!, accumulating: initial != nil, then: epilogue)
      }
    }
    return y
  }


  /// A BatchNorm1d with random γ, β, running mean and variance, in evaluation mode.
  static func randomNorm(_ c: Int, rng: inout RandomGenerator) -> BatchNorm1d {
    let norm = BatchNorm1d(c)
    norm.weight.value = .randomUniform([c], low: -2, high: 2, using: &rng)
    norm.bias.value = .randomUniform([c], low: -1, high: 1, using: &rng)
    norm.runningMean.value = .randomUniform([c], low: -2, high: 2, using: &rng)
    norm.runningVar.value = .randomUniform([c], low: 0.01, high: 5, using: &rng)
    norm.eval()
    return norm
  }

  @Test("AffineMap(linear) is linear(x), with and without a bias, with identity, ReLU and GELU epilogues")
  func affineMatchesLinear() async {
    await propertyCheck(count: 50, input: Gen.int(in: 1...40), Gen.int(in: 0...33), Gen.int(in: 1...33), Gen.uint64()) { n, inputs, outputs, seed in
      var rng = RandomGenerator(seed: seed)
      let linear = Linear(inputs, outputs, bias: seed % 3 != 0, rng: &rng)
      let x = Tensor.randomNormal([n, inputs], using: &rng) * 3
      let map = AffineMap(linear)
      let y = withoutGradient { linear(x) }
      #expect(maxRelativeDifference(Self.apply(map, x, epilogue: .identity), y.scalars) <= 1e-5)
      #expect(maxRelativeDifference(Self.apply(map, x, epilogue: .gelu), y.gelu().scalars) <= 1e-5)
      #expect(Self.apply(map, x, epilogue: .relu) == Self.apply(map, x, epilogue: .identity).map { Swift.max($0, 0) })
    }
  }

  @Test("AffineMap(linear, followedBy: bn) is bn(linear(x)) in evaluation mode; accumulating adds a residual")
  func foldedBatchNorm() async {
    await propertyCheck(count: 50, input: Gen.int(in: 1...40), Gen.int(in: 1...33), Gen.int(in: 1...33), Gen.uint64()) { n, inputs, outputs, seed in
      var rng = RandomGenerator(seed: seed)
      let linear = Linear(inputs, outputs, rng: &rng)
      let norm = Self.randomNorm(outputs, rng: &rng)
      let x = Tensor.randomNormal([n, inputs], using: &rng) * 3
      let residual = Tensor.randomNormal([n, outputs], using: &rng)
      let map = AffineMap(linear, followedBy: norm)
      let y = withoutGradient { norm(linear(x)) }
      #expect(maxRelativeDifference(Self.apply(map, x, epilogue: .identity), y.scalars) <= 1e-5)
      #expect(maxRelativeDifference(Self.apply(map, x, epilogue: .gelu), y.gelu().scalars) <= 1e-5)
      let summed = Self.apply(map, x, initial: residual, epilogue: .gelu)
      #expect(maxRelativeDifference(summed, (residual + y).gelu().scalars) <= 1e-5)
    }
  }

  @Test("the folded map ignores the norm's training flag: it is always the evaluation-mode map")
  func foldIgnoresTrainingFlag() {
    var rng = RandomGenerator(seed: 3)
    let linear = Linear(4, 6, rng: &rng)
    let norm = Self.randomNorm(6, rng: &rng)
    let x = Tensor.randomNormal([5, 4], using: &rng)
    let expected = withoutGradient { norm(linear(x)) }
    norm.train()
    #expect(maxRelativeDifference(Self.apply(AffineMap(linear, followedBy: norm), x, epilogue: .identity), expected.scalars) <= 1e-5)
  }

  @Test("the raw per-instance linear kernel equals Tensor.perInstanceLinear")
  func perInstanceLinear() async {
    await propertyCheck(count: 50, input: Gen.int(in: 1...30), Gen.int(in: 0...12), Gen.int(in: 1...5), Gen.uint64()) { n, features, outputs, seed in
      var rng = RandomGenerator(seed: seed)
      let x = Tensor.randomNormal([n, features], using: &rng)
      let w = Tensor.randomNormal([n, features + 1, outputs], using: &rng)
      let expected = Tensor.perInstanceLinear(Tensor.concatenating([x, Tensor.ones([n, 1])], alongAxis: 1), weights: w)
      var out = [Float](repeating: .nan, count: n * outputs)
      x.scalars.withUnsafeBufferPointer { px in
        w.scalars.withUnsafeBufferPointer { pw in
          out.withUnsafeMutableBufferPointer { po in
            Tensor.perInstanceLinear(px.baseAddress ?? pw.baseAddress!, weights: pw.baseAddress!, rows: n, features: features,
                                     outputs: outputs, into: po.baseAddress!)
          }
        }
      }
      #expect(maxRelativeDifference(out, expected.scalars) <= 1e-5)
    }
  }

  @Test("RowPartition splits 0..<count into contiguous non-empty ranges whose sizes differ by at most one")
  func rowPartition() async {
    await propertyCheck(count: 200, input: Gen.int(in: 0...1000), Gen.int(in: 1...9)) { count, parts in
      let ranges = RowPartition.ranges(count: count, parts: parts)
      #expect(ranges.count == Swift.min(count, parts))
      #expect(ranges.first?.lowerBound ?? 0 == 0 && ranges.last?.upperBound ?? 0 == count)
      for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
      let sizes = ranges.map(\.count)
      #expect(sizes.allSatisfy { $0 > 0 } && (sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
    }
  }

  @Test("RowPartition.concurrentForEach visits every row exactly once")
  func concurrentForEach() {
    for workers in 1...4 {
      var hits = [Int](repeating: 0, count: 1001)
      hits.withUnsafeMutableBufferPointer { h in
        RowPartition.concurrentForEach(count: 1001, workers: workers) { _, range in
          for i in range { h[i] += 1 }
        }
      }
      #expect(hits.allSatisfy { $0 == 1 }, "workers \(workers)")
    }
  }

  @Test("InferenceWorkspace keeps a buffer's contents until it grows, and grows on demand")
  func workspace() {
    let workspace = InferenceWorkspace(buffers: 2)
    let a = workspace.buffer(0, count: 10)
    for i in 0..<10 { a[i] = Float(i) }
    let again = workspace.buffer(0, count: 5)
    #expect(again == a && (0..<10).allSatisfy { again[$0] == Float($0) })
    let grown = workspace.buffer(0, count: 1000)
    grown[999] = 1
    #expect(Int(bitPattern: grown) % 64 == 0)
    #expect(workspace.buffer(1, count: 3) != grown)
  }

  @Test("overlapping single-threaded BLAS scopes restore the count saved by the first, when the last closes")
  func singleThreadedScopes() {
    var scopes = SingleThreadedScopes()
    scopes.enter(current: 2)
    scopes.enter(current: 1)
    #expect(scopes.exit() == nil)
    scopes.enter(current: 1)
    #expect(scopes.exit() == nil)
    #expect(scopes.exit() == 2)
    scopes.enter(current: 3)
    #expect(scopes.exit() == 3)
    #expect(scopes.depth == 0)
  }

  @Test("BLAS.withSingleThreadedProducts runs its body, nested or not, with one BLAS thread")
  func singleThreadedScope() {
    let value = BLAS.withSingleThreadedProducts {
      #expect(BLAS.threadCount == 1)
      return BLAS.withSingleThreadedProducts { BLAS.threadCount } + 41
    }
    #expect(value == 42)
  }
}
