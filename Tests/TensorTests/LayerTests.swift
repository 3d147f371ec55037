// Layers and modules: BatchNorm1d statistics (PyTorch semantics), Linear initialisation,
// dotted state-dict names, train/eval recursion, Dropout, ResidualBlock at initialisation,
// and saving/loading state dicts.

import Foundation
import PropertyBased
import Testing
import TestSupport

@testable import Tensor

// MARK: - Helpers (prefixed `layer`)

private func layerUniform(_ shape: [Int], seed: UInt64, _ low: Float = -1, _ high: Float = 1) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  return Tensor.randomUniform(shape, low: low, high: high, using: &rng)
}

/// Every module in the tree, depth first, with its dotted path.
private func layerAllModules(_ module: any Module, path: String = "") -> [(String, any Module)] {
  [(path, module)] + module.children.flatMap { layerAllModules($0.module, path: path.isEmpty ? $0.name : path + "." + $0.name) }
}

/// A small network with every kind of named slot: Sequential → Linear, ResidualBlock
/// (Linear, BatchNorm1d, Dropout, Linear, BatchNorm1d), BatchNorm1d, Activation, Linear.
private func layerModel(seed: UInt64) -> Sequential {
  var rng = RandomGenerator(seed: seed)
  return Sequential([
    Linear(4, 8, rng: &rng),
    ResidualBlock(width: 8, dropout: 0.1, rng: &rng),
    BatchNorm1d(8),
    Activation(.gelu),
    Linear(8, 2, bias: false, rng: &rng),
  ])
}

private let layerModelSlotNames = [
  "0.weight", "0.bias",
  "1.linear1.weight", "1.linear1.bias",
  "1.bn1.weight", "1.bn1.bias", "1.bn1.running_mean", "1.bn1.running_var", "1.bn1.num_batches_tracked",
  "1.linear2.weight", "1.linear2.bias",
  "1.bn2.weight", "1.bn2.bias", "1.bn2.running_mean", "1.bn2.running_var", "1.bn2.num_batches_tracked",
  "2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked",
  "4.weight",
]


// MARK: - BatchNorm1d

@Suite("BatchNorm1d")
struct BatchNormTests {
  // x [4, 3]: columns [1, 2, 3, 6], [0, 0, 4, 4], [−1, 1, −1, 1].
  // Batch means μ = [3, 2, 0]; sums of squared deviations [14, 16, 4];
  // biased variances [3.5, 4, 1]; unbiased (÷ 3) [14/3, 16/3, 4/3].
  private let x = Tensor(rows: [[1, 0, -1], [2, 0, 1], [3, 4, -1], [6, 4, 1]])

  @Test("training normalises each feature with the batch mean and biased variance")
  func trainingOutput() {
    let bn = BatchNorm1d(3)
    let y = bn(x)
    let mean: [Double] = [3, 2, 0]
    let biased: [Double] = [3.5, 4, 1]
    for r in 0..<4 {
      for c in 0..<3 {
        let expected = (Double(x[r, c]) - mean[c]) / (biased[c] + 1e-5).squareRoot()
        #expect(abs(Double(y[r, c]) - expected) < 1e-6, "y[\(r),\(c)] = \(y[r, c]), expected \(expected)")
      }
    }
  }

  @Test("running statistics after one batch: 0.9·init + 0.1·(batch mean, UNBIASED batch variance)")
  func runningStatistics() {
    let bn = BatchNorm1d(3)
    _ = bn(x)
    // running_mean = 0.9·0 + 0.1·[3, 2, 0]          = [0.3, 0.2, 0]
    // running_var  = 0.9·1 + 0.1·[14/3, 16/3, 4/3]  = [1.3666667, 1.4333333, 1.0333333]
    // (the biased variance would give [1.25, 1.3, 1.0])
    let expectedMean: [Float] = [0.3, 0.2, 0]
    let expectedVar: [Float] = [1.3666667, 1.4333333, 1.0333333]
    for c in 0..<3 {
      #expect(abs(bn.runningMean.value.scalars[c] - expectedMean[c]) < 1e-6, "running_mean \(bn.runningMean.value.scalars)")
      #expect(abs(bn.runningVar.value.scalars[c] - expectedVar[c]) < 1e-6, "running_var \(bn.runningVar.value.scalars)")
    }
    #expect(bn.batchesTracked.value == Tensor(scalar: 1))
    // A second batch: r ← 0.9·r + 0.1·s. x + 1 has the same variances and means [4, 3, 1]:
    // running_mean = 0.9·[0.3, 0.2, 0] + 0.1·[4, 3, 1] = [0.67, 0.48, 0.1]
    // running_var  = 0.9·[1.3666667, 1.4333333, 1.0333333] + 0.1·[4.6666667, 5.3333333, 1.3333333]
    //              = [1.6966667, 1.8233333, 1.0633333]
    _ = bn(x + 1)
    let mean2: [Float] = [0.67, 0.48, 0.1]
    let var2: [Float] = [1.6966667, 1.8233333, 1.0633333]
    for c in 0..<3 {
      #expect(abs(bn.runningMean.value.scalars[c] - mean2[c]) < 1e-6, "running_mean \(bn.runningMean.value.scalars)")
      #expect(abs(bn.runningVar.value.scalars[c] - var2[c]) < 2e-6, "running_var \(bn.runningVar.value.scalars)")
    }
    #expect(bn.batchesTracked.value == Tensor(scalar: 2))
  }

  @Test("running statistics have the bits of r·(1 − m) + s·m̃ as tensor operations, for any momentum and batch")
  func runningStatisticsBits() async {
    await propertyCheck(count: 40, input: Gen.int(in: 2...9), Gen.int(in: 1...20), Gen.float(in: 0...1), Gen.uint64(in: 0...UInt64.max)) {
      rows, features, momentum, seed in
      let bn = BatchNorm1d(features, momentum: momentum)
      var rng = RandomGenerator(seed: seed)
      bn.runningMean.value = Tensor.randomNormal([features], using: &rng)
      bn.runningVar.value = Tensor.randomUniform([features], low: 0.1, high: 3, using: &rng)
      let x = Tensor.randomNormal([rows, features], using: &rng) * 3
      let (oldMean, oldVar) = (bn.runningMean.value, bn.runningVar.value)
      _ = bn(x)
      let n = Float(rows)
      // The batch statistics the layer used, from the same kernel; then the update as tensor
      // operations (each product rounded, then the sum).
      let (_, kernelMean, kernelVar) = Tensor.batchNormTraining(x, weight: .ones([features]), bias: .zeros([features]), epsilon: 1e-5)
      let expectedMean = oldMean * (1 - momentum) + kernelMean * momentum
      let expectedVar = oldVar * (1 - momentum) + kernelVar * (momentum * n / (n - 1))
      #expect(bn.runningMean.value.scalars.map(\.bitPattern) == expectedMean.scalars.map(\.bitPattern))
      #expect(bn.runningVar.value.scalars.map(\.bitPattern) == expectedVar.scalars.map(\.bitPattern))
      #expect(bn.batchesTracked.value.scalars == [1])
    }
  }

  @Test("running buffers set by hand to another shape: one value broadcasts as in the tensor expression, others stop with a message")
  func runningBuffersOfAnotherShape() async {
    let bn = BatchNorm1d(3)
    bn.runningMean.value = Tensor(scalar: 0)
    bn.runningVar.value = Tensor([1])
    bn.batchesTracked.value = Tensor([0, 5])
    _ = bn(x)
    // As `r * 0.9 + s * 0.1` broadcasts it: one running value per feature from then on.
    #expect(bn.runningMean.value.shape == [3])
    #expect(bn.runningMean.value.scalars.map(\.bitPattern) == (Tensor(scalar: 0) * 0.9 + Tensor([3, 2, 0]) * 0.1).scalars.map(\.bitPattern))
    #expect(bn.runningVar.value.shape == [3])
    #expect(bn.batchesTracked.value.scalars == [1, 6])
    // A buffer longer than the features cannot be broadcast: a stop, not values read past the
    // end of the batch statistics.
    await #expect(processExitsWith: .failure) {
      let norm = BatchNorm1d(3)
      norm.runningMean.value = Tensor.zeros([8])
      _ = norm(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
    }
  }

  @Test("a state dict saved before a training batch keeps the running statistics it had")
  func savedStateKeepsRunningStatistics() {
    let bn = BatchNorm1d(3)
    _ = bn(x)
    let saved = bn.stateDict()
    let before = saved.mapValues(\.scalars)
    _ = bn(x + 1)
    #expect(saved.mapValues(\.scalars) == before)
    #expect(bn.runningMean.value.scalars != before["running_mean"], "the layer's own statistics moved on")
    #expect(bn.batchesTracked.value.scalars == [2])
  }

  @Test("eval mode uses the running statistics (and γ, β), and changes no buffer")
  func evalUsesRunningStatistics() {
    let bn = BatchNorm1d(3)
    _ = bn(x)
    bn.weight.value = Tensor([2, 0.5, -1])
    bn.bias.value = Tensor([0.1, 0, 1])
    bn.eval()
    let before = bn.stateDict()
    let input = Tensor(rows: [[0, 1, 2], [3, -4, 5]])
    let y = bn(input)
    // y = (x − running_mean)/√(running_var + ε)·γ + β with the values from `runningStatistics`.
    let rm: [Double] = [0.3, 0.2, 0]
    let rv: [Double] = [0.9 + 1.4 / 3, 0.9 + 1.6 / 3, 0.9 + 0.4 / 3]
    let gamma: [Double] = [2, 0.5, -1]
    let beta: [Double] = [0.1, 0, 1]
    for r in 0..<2 {
      for c in 0..<3 {
        let expected = (Double(input[r, c]) - rm[c]) / (rv[c] + 1e-5).squareRoot() * gamma[c] + beta[c]
        #expect(abs(Double(y[r, c]) - expected) < 2e-6, "eval y[\(r),\(c)] = \(y[r, c]), expected \(expected)")
      }
    }
    #expect(bn.stateDict() == before, "evaluation must not update running statistics or the batch count")
    // A single row is fine in eval mode, and rows are treated independently.
    #expect(bn(input.slice(1..<2)).scalars == Array(y.scalars[3..<6]))
  }

  @Test("training output has per-feature mean 0 and biased variance σ²/(σ² + ε) ≈ 1; stats match Double")
  func trainingProperty() async {
    await propertyCheck(count: 40, input: Gen.int(in: 2...32), Gen.int(in: 1...6), Gen.float(in: 0.5...50), Gen.uint64()) {
      n, features, scale, seed in
      var rng = RandomGenerator(seed: seed)
      let offsets = Tensor((0..<features).map { _ in Float(rng.nextUniformDouble() * 20 - 10) })
      let x = layerUniform([n, features], seed: seed &+ 1, -scale, scale) + offsets
      let bn = BatchNorm1d(features)
      let y = bn(x)
      for c in 0..<features {
        let column = (0..<n).map { Double(x[$0, c]) }
        let mean = column.reduce(0, +) / Double(n)
        let ss = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let biased = ss / Double(n)
        let out = (0..<n).map { Double(y[$0, c]) }
        let outMean = out.reduce(0, +) / Double(n)
        let outVar = out.reduce(0) { $0 + ($1 - outMean) * ($1 - outMean) } / Double(n)
        // Float error: the deviations xᵢ − μ are computed from values of magnitude ≤ max|x|, so
        // relative to the spread σ they carry errors of a few u·κ with κ = max|x|/σ (the
        // conditioning of centring); 10·u·κ (plus a floor) bounds that.
        let u = Double(Float.ulpOfOne) / 2
        let kappa = column.map(abs).max()! / max(biased.squareRoot(), 1e-30)
        #expect(abs(outMean) < 1e-5 + 10 * u * kappa, "feature \(c): output mean \(outMean)")
        #expect(abs(outVar - biased / (biased + 1e-5)) < 2e-5 + 10 * u * kappa, "feature \(c): output variance \(outVar)")
        // Running statistics after one batch from (0, 1), momentum 0.1, unbiased variance.
        let unbiased = ss / Double(n - 1)
        let rm = Double(bn.runningMean.value.scalars[c])
        let rv = Double(bn.runningVar.value.scalars[c])
        #expect(abs(rm - 0.1 * mean) <= 1e-6 * (1 + abs(mean)), "running_mean \(rm) vs \(0.1 * mean)")
        #expect(abs(rv - (0.9 + 0.1 * unbiased)) <= 2e-6 * (1 + unbiased) + 0.1 * unbiased * 10 * u * kappa, "running_var \(rv)")
      }
      #expect(bn.batchesTracked.value.item == 1)
    }
  }

  @Test("num_batches_tracked counts training batches only, and momentum is configurable")
  func batchCounting() {
    let bn = BatchNorm1d(2, momentum: 0.5)
    let batch = Tensor(rows: [[0, 2], [2, 4]])  // means [1, 3], unbiased variances [2, 2]
    for _ in 0..<3 { _ = bn(batch) }
    #expect(bn.batchesTracked.value == Tensor(scalar: 3))
    // r ← 0.5·r + 0.5·s three times from 0: 1 − 0.5³ = 0.875 of s.
    #expect(bn.runningMean.value == Tensor([0.875, 2.625]))
    // From 1 towards 2: 2 − 0.5³ = 1.875.
    #expect(bn.runningVar.value == Tensor([1.875, 1.875]))
    bn.eval()
    _ = bn(batch)
    #expect(bn.batchesTracked.value == Tensor(scalar: 3))
    bn.train()
    _ = bn(batch)
    #expect(bn.batchesTracked.value == Tensor(scalar: 4))
    // Buffers are not trainable; γ and β are.
    #expect(bn.namedParameters.map(\.name) == ["weight", "bias"])
    #expect(!bn.runningMean.value.requiresGrad && bn.weight.value.requiresGrad)
  }
}

// MARK: - Linear

@Suite("Linear")
struct LinearLayerTests {
  @Test("initialisation is U(±1/√in) for weight and bias (kaiming-uniform, a = √5)", arguments: [1, 3, 16, 100, 1000])
  func initialisationBounds(inFeatures: Int) throws {
    var rng = RandomGenerator(seed: UInt64(inFeatures))
    let outFeatures = 64
    let layer = Linear(inFeatures, outFeatures, rng: &rng)
    let bound = 1 / Float(inFeatures).squareRoot()
    let w = layer.weight.value.scalars
    let b = try #require(layer.bias).value.scalars
    #expect(layer.weight.shape == [outFeatures, inFeatures] && b.count == outFeatures)
    #expect(w.allSatisfy { abs($0) <= bound }, "weights exceed 1/√\(inFeatures) = \(bound): max \(w.map(abs).max()!)")
    #expect(b.allSatisfy { abs($0) <= bound }, "biases exceed the bound")
    // The whole range is used (a bound that is too small would fail): for ≥ 1000 draws the
    // chance that all lie inside 0.95·bound is 0.95¹⁰⁰⁰ ≈ 5e-23.
    if w.count >= 1000 { #expect(w.map(abs).max()! > 0.95 * bound) }
    // Mean 0 and variance bound²/3 of U(−b, b), within 5 standard errors.
    let n = Double(w.count)
    let mean = w.reduce(0.0) { $0 + Double($1) } / n
    let variance = w.reduce(0.0) { $0 + Double($1) * Double($1) } / n - mean * mean
    let sigma2 = Double(bound * bound) / 3
    #expect(abs(mean) < 5 * (sigma2 / n).squareRoot())
    // Var of U² is b⁴(1/5 − 1/9) = b⁴·4/45.
    #expect(abs(variance - sigma2) < 5 * (Double(bound).power4 * 4 / 45 / n).squareRoot() + 1e-12)
  }

  @Test("forward is x·Wᵀ + b, also for inputs of rank 3 and without bias")
  func forward() {
    var rng = RandomGenerator(seed: 3)
    let layer = Linear(3, 2, rng: &rng)
    layer.weight.value = Tensor(rows: [[1, 2, 3], [-1, 0, 1]])
    layer.bias!.value = Tensor([0.5, -0.5])
    #expect(layer(Tensor(rows: [[1, 1, 1], [0, 1, 2]])) == Tensor(rows: [[6.5, -0.5], [8.5, 1.5]]))
    let batch = Tensor(shape: [2, 2, 3], scalars: [1, 1, 1, 0, 1, 2, 1, 0, 0, 0, 0, 1])
    #expect(layer(batch) == Tensor(shape: [2, 2, 2], scalars: [6.5, -0.5, 8.5, 1.5, 1.5, -1.5, 3.5, 0.5]))
    let noBias = Linear(3, 2, bias: false, rng: &rng)
    #expect(noBias.bias == nil && noBias.namedSlots().map(\.name) == ["weight"])
  }

  @Test("the same seed gives the same initialisation")
  func deterministicInit() {
    var a = RandomGenerator(seed: 9)
    var b = RandomGenerator(seed: 9)
    #expect(Linear(5, 4, rng: &a).stateDict() == Linear(5, 4, rng: &b).stateDict())
  }
}

private extension Double {
  var power4: Double { self * self * self * self }
}

// MARK: - Modules and state dicts

@Suite("Modules: names, modes and state dicts")
struct ModuleStateTests {
  @Test("namedSlots gives dotted PyTorch-style names in declaration order")
  func dottedNames() {
    let model = layerModel(seed: 1)
    #expect(model.namedSlots().map(\.name) == layerModelSlotNames)
    #expect(model.namedSlots(prefix: "net.").map(\.name) == layerModelSlotNames.map { "net." + $0 })
    // A ResidualBlock on its own.
    var rng = RandomGenerator(seed: 2)
    let block = ResidualBlock(width: 3, rng: &rng)
    #expect(block.namedSlots().map(\.name) == [
      "linear1.weight", "linear1.bias",
      "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
      "linear2.weight", "linear2.bias",
      "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
    ])
    // Trainable parameters exclude the buffers.
    let buffers: Set<String> = ["running_mean", "running_var", "num_batches_tracked"]
    #expect(model.namedParameters.map(\.name) == layerModelSlotNames.filter { !buffers.contains(String($0.split(separator: ".").last!)) })
    // 4·8+8 + (8·8+8 + 8+8)·2 + 8+8 + 8·2 = 40 + 176 + 16 + 16 = 248.
    #expect(model.parameterCount == 248)
    #expect(model.namedSlots().first { $0.name == "1.bn2.num_batches_tracked" }?.parameter.shape == [])
  }

  @Test("stateDict has one entry per slot, equal to its value, and is a snapshot")
  func stateDict() {
    let model = layerModel(seed: 1)
    let dict = model.stateDict()
    #expect(Set(dict.keys) == Set(layerModelSlotNames))
    for (name, p) in model.namedSlots() {
      #expect(dict[name] == p.value, "\(name)")
      #expect(dict[name]?.requiresGrad == false, "state dict entries carry no autodiff state")
    }
    // Changing the model afterwards does not change the snapshot.
    let first = model.namedSlots()[0].parameter
    first.value = Tensor.zeros(first.shape)
    #expect(dict["0.weight"] != first.value)
  }

  @Test("train() and eval() reach every nested module, including Dropout inside ResidualBlock")
  func modeRecursion() {
    let model = layerModel(seed: 1)
    let modules = layerAllModules(model)
    #expect(modules.map(\.0) == ["", "0", "1", "1.linear1", "1.bn1", "1.dropout", "1.linear2", "1.bn2", "2", "3", "4"])
    #expect(modules.allSatisfy { $0.1.isTraining })
    model.eval()
    for (path, m) in modules { #expect(!m.isTraining, "\(path) still training after eval()") }
    model.train()
    for (path, m) in modules { #expect(m.isTraining, "\(path) not training after train()") }
    model.train(false)
    #expect(modules.allSatisfy { !$0.1.isTraining })
  }

  @Test("in eval mode a model is deterministic and leaves its buffers alone")
  func evalIsDeterministic() {
    let model = layerModel(seed: 4)
    let x = layerUniform([5, 4], seed: 5)
    _ = model(x)  // one training step of the BatchNorm statistics
    model.eval()
    let state = model.stateDict()
    let y1 = model(x)
    let y2 = model(x)
    #expect(y1 == y2)
    #expect(model.stateDict() == state)
  }

  @Test("Module.save / load round-trips every parameter and buffer through a safetensors file")
  func saveLoadRoundTrip() throws {
    let source = layerModel(seed: 1)
    // Move the buffers away from their initial values.
    _ = source(layerUniform([6, 4], seed: 10, -3, 3))
    _ = source(layerUniform([6, 4], seed: 11, -3, 3))
    let dir = try makeTemporaryDirectory("layer")
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("model.safetensors")
    try source.save(to: url, metadata: ["architecture": "test"])
    let target = layerModel(seed: 2)
    #expect(target.stateDict() != source.stateDict())
    try target.load(from: url)
    #expect(target.stateDict() == source.stateDict())
    let (file, metadata) = try SafeTensors.load(from: url)
    #expect(metadata == ["architecture": "test"])
    #expect(file["1.bn1.num_batches_tracked"] == Tensor(scalar: 2))
    // Same outputs in evaluation mode.
    source.eval()
    target.eval()
    let x = layerUniform([3, 4], seed: 12)
    #expect(source(x) == target(x))
    // Loaded parameters are trainable again; buffers are not.
    for (name, p) in target.namedSlots() {
      #expect(p.value.requiresGrad == p.isTrainable, "\(name)")
    }
    let loss = target(x).sum()
    loss.backward()
    #expect(target.parameters.allSatisfy { $0.grad != nil })
  }

  @Test("loadStateDict rejects missing and unexpected keys and wrong shapes, leaving the module unchanged")
  func loadStateDictErrors() throws {
    let model = layerModel(seed: 1)
    let original = model.stateDict()
    // Every other entry differs from the model, so a partial load would be visible.
    let changed = Dictionary(uniqueKeysWithValues: original.map { ($0.key, Tensor.full($0.value.shape, 0.25)) })

    var missing = changed
    missing["2.running_var"] = nil
    #expect(throws: StateDictError.keysMismatch(missing: ["2.running_var"], unexpected: [])) { try model.loadStateDict(missing) }
    #expect(model.stateDict() == original)

    var unexpected = changed
    unexpected["5.weight"] = Tensor.zeros([2, 2])
    #expect(throws: StateDictError.keysMismatch(missing: [], unexpected: ["5.weight"])) { try model.loadStateDict(unexpected) }
    #expect(model.stateDict() == original)

    var both = changed
    both["0.bias"] = nil
    both["0.weights"] = Tensor.zeros([8, 4])
    both["extra"] = Tensor(scalar: 1)
    #expect(throws: StateDictError.keysMismatch(missing: ["0.bias"], unexpected: ["0.weights", "extra"])) { try model.loadStateDict(both) }
    #expect(model.stateDict() == original)

    var wrongShape = changed
    wrongShape["4.weight"] = Tensor.zeros([2, 9])
    #expect(throws: StateDictError.shapeMismatch(name: "4.weight", expected: [2, 8], found: [2, 9])) { try model.loadStateDict(wrongShape) }
    #expect(model.stateDict() == original)

    var wrongRank = changed
    wrongRank["1.bn2.num_batches_tracked"] = Tensor([0])
    #expect(throws: StateDictError.shapeMismatch(name: "1.bn2.num_batches_tracked", expected: [], found: [1])) {
      try model.loadStateDict(wrongRank)
    }
    #expect(model.stateDict() == original)

    // The complete dict loads.
    try model.loadStateDict(changed)
    #expect(model.stateDict() == changed)
  }

  @Test("Module.load(from:) of an incompatible or corrupt file throws and leaves the module unchanged")
  func loadFromIncompatibleFile() throws {
    let dir = try makeTemporaryDirectory("layer")
    defer { try? FileManager.default.removeItem(at: dir) }
    var rng = RandomGenerator(seed: 3)
    let other = Linear(4, 8, rng: &rng)
    let otherURL = dir.appendingPathComponent("linear.safetensors")
    try other.save(to: otherURL)
    let model = layerModel(seed: 1)
    let original = model.stateDict()
    #expect(throws: StateDictError.self) { try model.load(from: otherURL) }
    #expect(model.stateDict() == original)
    let corruptURL = dir.appendingPathComponent("corrupt.safetensors")
    try Data([1, 2, 3]).write(to: corruptURL)
    #expect(throws: SafeTensorsError.self) { try model.load(from: corruptURL) }
    #expect(model.stateDict() == original)
  }
}

// MARK: - Dropout and ResidualBlock

@Suite("Dropout and ResidualBlock")
struct DropoutResidualTests {
  @Test("Dropout in eval mode is the identity")
  func dropoutEval() {
    let dropout = Dropout(0.5, rng: RandomGenerator(seed: 1))
    dropout.eval()
    let x = layerUniform([20, 30], seed: 2)
    #expect(dropout(x) == x)
  }

  @Test("Dropout(p) in training zeroes ≈ p of the values and scales survivors by 1/(1 − p)", arguments: [0.5, 0.2, 0.9] as [Float])
  func dropoutTraining(p: Float) {
    let dropout = Dropout(p, rng: RandomGenerator(seed: 7))
    let x = Tensor.full([100, 100], 3)
    let y = dropout(x)
    let n = Double(x.count)
    let zeros = y.scalars.filter { $0 == 0 }.count
    // Zero count ~ Binomial(n, p): within 5 standard errors √(p(1 − p)/n).
    let fraction = Double(zeros) / n
    #expect(abs(fraction - Double(p)) < 5 * (Double(p) * Double(1 - p) / n).squareRoot(), "zeroed fraction \(fraction), p = \(p)")
    let survivor = 3 * (1 / (1 - p))
    #expect(y.scalars.allSatisfy { $0 == 0 || $0 == survivor }, "survivors must be exactly x/(1 − p) = \(survivor)")
    // The next call draws a new mask.
    #expect(dropout(x) != y)
  }

  @Test("Dropout masks are fixed by the seed; p = 0 is the identity and p = 1 zeroes everything")
  func dropoutEdgeCases() {
    let x = layerUniform([10, 10], seed: 3)
    #expect(Dropout(0.3, rng: RandomGenerator(seed: 4))(x) == Dropout(0.3, rng: RandomGenerator(seed: 4))(x))
    #expect(Dropout(0.3, rng: RandomGenerator(seed: 4))(x) != Dropout(0.3, rng: RandomGenerator(seed: 5))(x))
    #expect(Dropout(0, rng: RandomGenerator(seed: 4))(x) == x)
    #expect(Dropout(1, rng: RandomGenerator(seed: 4))(x).scalars.allSatisfy { $0 == 0 })
  }

  @Test("a fresh ResidualBlock (bn2.weight = 0) computes exactly gelu(x), in training and in eval mode")
  func residualBlockAtInit() async {
    await propertyCheck(count: 20, input: Gen.int(in: 2...16), Gen.int(in: 1...8), Gen.uint64()) { n, width, seed in
      var rng = RandomGenerator(seed: seed)
      let block = ResidualBlock(width: width, dropout: 0.3, rng: &rng)
      #expect(block.bn2.weight.value == Tensor.zeros([width]))
      let x = layerUniform([n, width], seed: seed &+ 1, -4, 4)
      #expect(block(x) == x.gelu(), "training mode")
      block.eval()
      #expect(block(x) == x.gelu(), "eval mode")
    }
    // Once bn2.weight is non-zero the residual branch contributes.
    var rng = RandomGenerator(seed: 1)
    let block = ResidualBlock(width: 4, rng: &rng)
    block.bn2.weight.value = Tensor.ones([4])
    let x = layerUniform([8, 4], seed: 2)
    #expect(block(x) != x.gelu())
  }
}

@Suite("Parameter assignment")
struct ParameterAssignmentTests {
  @Test("assigning a computed tensor to a parameter makes it a fresh leaf that receives gradients")
  func assignedComputedValueIsLeaf() {
    let p = Parameter(Tensor([1, 2]))
    p.value = p.value * 2
    (p.value * p.value).sum().backward()
    #expect(p.value.scalars == [2, 4])
    #expect(p.grad?.scalars == [4, 8])
  }
}
