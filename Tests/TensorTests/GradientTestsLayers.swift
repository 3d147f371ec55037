// Gradient checks (see GradientCheck.swift) of the layers, with respect to their inputs and to
// every trainable parameter (`Parameter.value` is perturbed, `Parameter.grad` is read).

import Foundation
import PropertyBased
import Tensor
import Testing
import TestSupport

/// The trainable parameters of a module as (name, parameter) pairs.
private func gradCheckParameters(_ module: any Module) -> [(String, Parameter)] {
  module.namedParameters.map { ($0.name, $0.parameter) }
}

/// Values with a random sign and magnitude in [0.5, 1.5): a non-trivial scale γ.
private func gradCheckScale(_ count: Int, rng: inout RandomGenerator) -> Tensor {
  gradCheckMagnitude([count], 0.5, 1.5, rng: &rng)
}

/// A [n, c] batch whose columns all have a standard deviation ≥ `minimum`, so batch
/// normalisation (whose derivatives grow like 1/σ³) is well conditioned for the difference.
private func gradCheckBatch(_ n: Int, _ c: Int, minimum: Float, rng: inout RandomGenerator) -> Tensor {
  var x = Tensor.randomNormal([n, c], using: &rng)
  while gradCheckColumnStandardDeviations(x).min()! < minimum {
    x = Tensor.randomNormal([n, c], using: &rng)
  }
  return x
}

/// A tensor whose last-axis lines all have a standard deviation ≥ `minimum` (for LayerNorm).
private func gradCheckRows(_ shape: [Int], minimum: Float, rng: inout RandomGenerator) -> Tensor {
  var values = Tensor.randomNormal(shape, using: &rng).scalars
  let width = shape.last!
  for line in gradCheckLines(shape: shape, axis: -1) where width > 1 {
    while true {
      let row = line.map { Double(values[$0]) }
      let mean = row.reduce(0, +) / Double(width)
      let sd = (row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)).squareRoot()
      if sd >= Double(minimum) { break }
      for offset in line { values[offset] = rng.nextNormal() }
    }
  }
  return Tensor(shape: shape, scalars: values)
}

extension GradientTests {
  @Test func linearLayer() async {
    await propertyCheck(
      count: gradCheckCount(20), input: GradCheckGen.shape(rank: 1...3, extent: 1...4), GradCheckGen.seed, Gen.int(in: 1...4), Gen.bool
    ) { shape, seed, out, bias in
      var rng = RandomGenerator(seed: seed)
      let layer = Linear(shape.last!, out, bias: bias, rng: &rng)
      let x = gradCheckUniform(shape, -1, 1, rng: &rng)
      gradCheck([x], parameters: gradCheckParameters(layer), seed: seed, label: "Linear(\(shape.last!), \(out), bias: \(bias)) on \(shape)") {
        layer($0[0])
      }
    }
  }

  @Test func embeddingWithRepeatedIndices() async {
    await propertyCheck(count: gradCheckCount(20), input: Gen.int(in: 1...5), Gen.int(in: 1...4), Gen.int(in: 0...5).array(of: 1...7), GradCheckGen.seed) {
      count, dimension, rawIndices, seed in
      var rng = RandomGenerator(seed: seed)
      let embedding = Embedding(count, dimension, rng: &rng)
      let indices = rawIndices.map { $0 % count }
      gradCheck([], parameters: gradCheckParameters(embedding), seed: seed, label: "Embedding(\(count), \(dimension)) \(indices)") { _ in
        let rows = embedding(indices)
        return rows * rows
      }
    }
  }

  /// Training mode: batch statistics, gradients for x, γ and β. Every call also updates the
  /// running statistics, which the training-mode output does not read.
  @Test func batchNormTraining() async {
    await propertyCheck(count: gradCheckCount(20), input: Gen.int(in: 2...5), Gen.int(in: 1...4), GradCheckGen.seed) { n, c, seed in
      var rng = RandomGenerator(seed: seed)
      let bn = BatchNorm1d(c)
      bn.weight.value = gradCheckScale(c, rng: &rng)
      bn.bias.value = gradCheckUniform([c], -1, 1, rng: &rng)
      let x = gradCheckBatch(n, c, minimum: 0.5, rng: &rng)
      gradCheck([x], parameters: gradCheckParameters(bn), seed: seed, tolerance: .fine, label: "BatchNorm1d(\(c)) training on [\(n), \(c)]") {
        bn($0[0])
      }
      // Parameters only: the input-gradient branch of the fused backward is skipped.
      gradCheck([x], wrt: [], parameters: gradCheckParameters(bn), seed: seed, tolerance: .fine, label: "BatchNorm1d(\(c)) training, parameters only") {
        bn($0[0])
      }
      #expect(bn.isTraining)
    }
  }

  @Test func batchNormEvaluation() async {
    await propertyCheck(count: gradCheckCount(15), input: Gen.int(in: 1...5), Gen.int(in: 1...4), GradCheckGen.seed) { n, c, seed in
      var rng = RandomGenerator(seed: seed)
      let bn = BatchNorm1d(c)
      bn.weight.value = gradCheckScale(c, rng: &rng)
      bn.bias.value = gradCheckUniform([c], -1, 1, rng: &rng)
      bn.runningMean.value = gradCheckUniform([c], -1, 1, rng: &rng)
      bn.runningVar.value = gradCheckUniform([c], 0.5, 2, rng: &rng)
      bn.eval()
      let x = gradCheckUniform([n, c], -2, 2, rng: &rng)
      gradCheck([x], parameters: gradCheckParameters(bn), seed: seed, label: "BatchNorm1d(\(c)) eval on [\(n), \(c)]") {
        bn($0[0])
      }
      #expect(bn.runningMean.grad == nil && bn.runningVar.grad == nil)
    }
  }

  @Test func layerNorm() async {
    await propertyCheck(count: gradCheckCount(20), input: GradCheckGen.shape(rank: 1...3, extent: 1...5), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let d = shape.last!
      let norm = LayerNorm(d)
      norm.weight.value = gradCheckScale(d, rng: &rng)
      norm.bias.value = gradCheckUniform([d], -1, 1, rng: &rng)
      let x = gradCheckRows(shape, minimum: 0.5, rng: &rng)
      gradCheck([x], parameters: gradCheckParameters(norm), seed: seed, tolerance: .fine, label: "LayerNorm(\(d)) on \(shape)") {
        norm($0[0])
      }
    }
  }

  @Test(arguments: Activation.Kind.allCases)
  func activationLayer(_ kind: Activation.Kind) async {
    await propertyCheck(count: gradCheckCount(8), input: GradCheckGen.shape(), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let layer = Activation(kind)
      let x = gradCheckUniform(shape, -3, 3, awayFrom: [0], margin: 3 * GradCheckTolerance.standard.step, rng: &rng)
      // identity returns its input, which is a leaf: check it via a product instead.
      gradCheck([x], seed: seed, label: "Activation(.\(kind)) on \(shape)") { layer($0[0]) * $0[0] }
    }
  }

  /// Training mode, dropout 0. The second BatchNorm's γ starts at 0 (the block is then
  /// GELU(x)); it is set to non-zero values so every parameter is reached. Linear weights are
  /// drawn U(±1.5) and weights and batch are redrawn until both BatchNorm inputs have
  /// per-feature standard deviations ≥ 0.5 (BatchNorm's derivatives grow like 1/σ³).
  @Test func residualBlockTraining() async {
    await propertyCheck(count: gradCheckCount(10), input: Gen.int(in: 3...5), Gen.int(in: 1...3), GradCheckGen.seed) { n, width, seed in
      var rng = RandomGenerator(seed: seed)
      var block = ResidualBlock(width: width, rng: &rng)
      var x = Tensor.zeros([n, width])
      var conditioned = false
      for _ in 0..<1000 where !conditioned {
        block = ResidualBlock(width: width, rng: &rng)
        block.bn1.weight.value = gradCheckScale(width, rng: &rng)
        block.bn1.bias.value = gradCheckUniform([width], -0.5, 0.5, rng: &rng)
        block.bn2.weight.value = gradCheckScale(width, rng: &rng)
        block.bn2.bias.value = gradCheckUniform([width], -0.5, 0.5, rng: &rng)
        block.linear1.weight.value = gradCheckUniform([width, width], -1.5, 1.5, rng: &rng)
        block.linear2.weight.value = gradCheckUniform([width, width], -1.5, 1.5, rng: &rng)
        x = Tensor.randomNormal([n, width], using: &rng)
        let (h1, h2) = withoutGradient {
          let h1 = block.linear1(x)
          return (h1, block.linear2(block.bn1(h1).gelu()))
        }
        let sd = gradCheckColumnStandardDeviations(h1) + gradCheckColumnStandardDeviations(h2)
        conditioned = sd.min()! >= 0.5
      }
      #expect(conditioned, "no well-conditioned draw for the BatchNorms")
      #expect(block.isTraining && block.bn1.isTraining && block.bn2.isTraining)
      let parameters = gradCheckParameters(block)
      #expect(parameters.count == 8)
      gradCheck([x], parameters: parameters, seed: seed, tolerance: .fine, label: "ResidualBlock(width: \(width)) on [\(n), \(width)]") {
        block($0[0])
      }
    }
  }

  @Test func multiHeadSelfAttention() async {
    await propertyCheck(
      count: gradCheckCount(8), input: Gen.element(of: [(2, 1), (2, 2), (4, 1), (4, 2), (6, 3)]), Gen.int(in: 1...2), Gen.int(in: 1...3), GradCheckGen.seed
    ) { config, batch, length, seed in
      let (e, heads) = config!
      var rng = RandomGenerator(seed: seed)
      let attention = MultiHeadAttention(embedDimension: e, heads: heads, rng: &rng)
      attention.inProjectionBias.value = gradCheckUniform([3 * e], -0.5, 0.5, rng: &rng)
      attention.outProjection.bias!.value = gradCheckUniform([e], -0.5, 0.5, rng: &rng)
      let x = gradCheckUniform([batch, length, e], -1.5, 1.5, rng: &rng)
      let parameters = gradCheckParameters(attention)
      #expect(parameters.map(\.0) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
      gradCheck([x], parameters: parameters, seed: seed, label: "MultiHeadAttention(\(e), heads: \(heads)) self on \(x.shape)") {
        attention($0[0])
      }
    }
  }

  @Test func multiHeadCrossAttentionAndWeights() async {
    await propertyCheck(
      count: gradCheckCount(8), input: Gen.element(of: [(2, 1), (2, 2), (4, 2)]), Gen.int(in: 1...2), GradCheckGen.shape(rank: 2...2, extent: 1...3),
      GradCheckGen.seed
    ) { config, batch, lengths, seed in
      let (e, heads) = config!
      let (lq, lk) = (lengths[0], lengths[1])
      var rng = RandomGenerator(seed: seed)
      let attention = MultiHeadAttention(embedDimension: e, heads: heads, rng: &rng)
      attention.inProjectionBias.value = gradCheckUniform([3 * e], -0.5, 0.5, rng: &rng)
      let query = gradCheckUniform([batch, lq, e], -1.5, 1.5, rng: &rng)
      let key = gradCheckUniform([batch, lk, e], -1.5, 1.5, rng: &rng)
      let value = gradCheckUniform([batch, lk, e], -1.5, 1.5, rng: &rng)
      let inProjection = [("in_proj_weight", attention.inProjectionWeight), ("in_proj_bias", attention.inProjectionBias)]
      let what = "MultiHeadAttention(\(e), heads: \(heads)) q \(query.shape) k/v \(key.shape)"
      gradCheck([query, key, value], parameters: inProjection, seed: seed, label: "\(what) output") {
        attention(query: $0[0], key: $0[1], value: $0[2]).output
      }
      gradCheck([query, key, value], parameters: inProjection, seed: seed, label: "\(what) weights") {
        attention(query: $0[0], key: $0[1], value: $0[2]).weights
      }
    }
  }

  /// A stack of every layer kind that maps a tensor to a tensor. The LayerNorm sits right after
  /// the first Linear, whose weights are drawn U(±1.5) and redrawn (with the input) until every
  /// row reaching the LayerNorm has a standard deviation ≥ 0.5 (see `layerNorm()`).
  @Test func sequentialStack() async {
    await propertyCheck(count: gradCheckCount(10), input: Gen.int(in: 1...4), Gen.int(in: 3...4), Gen.int(in: 1...3), GradCheckGen.seed) {
      n, hidden, out, seed in
      var rng = RandomGenerator(seed: seed)
      let inFeatures = 3
      let first = Linear(inFeatures, hidden, rng: &rng)
      let norm = LayerNorm(hidden)
      norm.weight.value = gradCheckScale(hidden, rng: &rng)
      norm.bias.value = gradCheckUniform([hidden], -0.5, 0.5, rng: &rng)
      let model = Sequential([
        first, norm, Activation(.gelu), Linear(hidden, hidden, rng: &rng), Activation(.tanh),
        Activation(.softplus), Dropout(0.5, rng: RandomGenerator(seed: 1)), Linear(hidden, out, rng: &rng),
        Activation(.sigmoid), Activation(.identity),
      ])
      model.eval()  // dropout off; nothing else depends on the mode
      var x = Tensor.zeros([n, inFeatures])
      var conditioned = false
      for _ in 0..<1000 where !conditioned {
        first.weight.value = gradCheckUniform([hidden, inFeatures], -1.5, 1.5, rng: &rng)
        x = gradCheckUniform([n, inFeatures], -1.5, 1.5, rng: &rng)
        let pre = withoutGradient { first(x) }
        conditioned = gradCheckColumnStandardDeviations(pre.transposed()).min()! >= 0.5
      }
      #expect(conditioned, "no well-conditioned draw for the LayerNorm")
      let parameters = gradCheckParameters(model)
      #expect(parameters.count == 8)
      gradCheck([x], parameters: parameters, seed: seed, tolerance: .fine, label: "Sequential on [\(n), \(inFeatures)]") {
        model($0[0])
      }
    }
  }

  @Test func dropoutIsTheIdentityInEvalModeAndWithProbabilityZero() async {
    await propertyCheck(count: gradCheckCount(10), input: GradCheckGen.shape(), GradCheckGen.seed) { shape, seed in
      var rng = RandomGenerator(seed: seed)
      let evalDropout = Dropout(0.5, rng: RandomGenerator(seed: seed))
      evalDropout.eval()
      let zeroDropout = Dropout(0, rng: RandomGenerator(seed: seed))
      #expect(zeroDropout.isTraining)
      let r = gradCheckUpstream(shape, seed: seed)
      for (name, layer) in [("eval p = 0.5", evalDropout), ("train p = 0", zeroDropout)] {
        var x = gradCheckUniform(shape, -1, 1, rng: &rng)
        x.requiresGrad = true
        let y = layer(x * 1)
        #expect(y == x, "\(name)")
        y.backward(r)
        #expect(x.grad == r, "\(name)")
        gradCheck([x], seed: seed, label: "Dropout \(name)") { layer($0[0]).exp() }
      }
    }
  }

  /// In training with p > 0 the gradient is the upstream gradient times the same mask (0 or
  /// 1/(1−p)) the forward pass applied.
  @Test func dropoutTrainingUsesTheForwardMask() async {
    await propertyCheck(count: gradCheckCount(10), input: GradCheckGen.shape(), GradCheckGen.seed, Gen.element(of: [Float(0.25), 0.5, 1])) {
      shape, seed, p in
      var rng = RandomGenerator(seed: seed)
      let dropout = Dropout(p!, rng: RandomGenerator(seed: seed))
      var x = gradCheckMagnitude(shape, 0.5, 1, rng: &rng)
      x.requiresGrad = true
      let y = dropout(x)
      let r = gradCheckUpstream(shape, seed: seed)
      y.backward(r)
      let keep: Float = p! == 1 ? 0 : 1 / (1 - p!)
      let expected = zip(y.scalars, r.scalars).map { yi, ri in yi == 0 ? 0 * ri : ri * keep }
      #expect(x.grad?.scalars == expected)
    }
  }
}
