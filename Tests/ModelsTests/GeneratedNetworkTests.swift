// Generated networks (the β-hypernetwork's output): evaluation against a direct loop, files that
// round-trip and carry exactly the four tensors, clear errors for files that are not networks,
// hand-built networks of the three algorithms computing ‖x‖₁, and order parameters that
// recognise each algorithm whatever the input order, unit order, scale and a little noise.

import Foundation
@testable import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("Generated networks and order parameters")
struct GeneratedNetworkTests {
  /// `network` with its inputs and units permuted, each unit rescaled (Wⱼ, bⱼ by s, vⱼ by 1/s —
  /// the same function for ReLU), and noise of `noise` times the unit's largest |weight| on each
  /// of its weights.
  static func disguised(_ network: GeneratedNetwork, seed: UInt64, noise: Float) throws -> GeneratedNetwork {
    var rng = RandomGenerator(seed: seed)
    let (n, h) = (network.inputs, network.hidden)
    let inputs = rng.permutation(n)
    let units = rng.permutation(h)
    var w = [Float](repeating: 0, count: h * n)
    var b = [Float](repeating: 0, count: h)
    var v = [Float](repeating: 0, count: h)
    for (to, from) in units.enumerated() {
      let s = 0.5 + 1.5 * rng.nextUniform()
      let scale = network.weights(ofUnit: from).map { Swift.abs($0) }.max() ?? 0
      for (i, source) in inputs.enumerated() { w[to * n + i] = s * (network.hiddenWeight[from * n + source] + noise * scale * rng.nextNormal()) }
      b[to] = s * network.hiddenBias[from]
      v[to] = network.outputWeight[from] / s
    }
    return try GeneratedNetwork(hiddenWeight: w, hiddenBias: b, outputWeight: v, outputBias: network.outputBias, activation: network.activation)
  }

  @Test("f(x) = Σⱼ vⱼ·σ(Wⱼ·x + bⱼ) + c, as a direct loop computes it, for both activations")
  func evaluation() async {
    await propertyCheck(count: 30, input: Gen.int(in: 1...20), Gen.int(in: 1...40), Gen.uint64(), Gen.bool) { n, h, seed, relu in
      var rng = RandomGenerator(seed: seed)
      let network = try GeneratedNetwork(
        hiddenWeight: (0..<(h * n)).map { _ in rng.nextNormal() }, hiddenBias: (0..<h).map { _ in rng.nextNormal() },
        outputWeight: (0..<h).map { _ in rng.nextNormal() }, outputBias: rng.nextNormal(), activation: relu ? .relu : .swish)
      let rows = 1 + rng.nextInt(below: 5)
      let x = (0..<(rows * n)).map { _ in 2 * rng.nextNormal() }
      let f = network(x)
      for r in 0..<rows {
        var expected = Double(network.outputBias)
        for j in 0..<h {
          let z = (0..<n).reduce(Double(network.hiddenBias[j])) { $0 + Double(network.hiddenWeight[j * n + $1]) * Double(x[r * n + $1]) }
          expected += Double(network.outputWeight[j]) * (relu ? Swift.max(z, 0) : z / (1 + Foundation.exp(-z)))
        }
        #expect(Swift.abs(Double(f[r]) - expected) <= 1e-4 * Swift.max(1, Swift.abs(expected)), "row \(r): \(f[r]) vs \(expected)")
      }
    }
  }

  @Test("a saved network loads back equal, its file holds exactly hidden.weight [H, n], hidden.bias [H], output.weight [1, H], output.bias [1] and the activation")
  func fileRoundTrip() throws {
    let directory = try makeTemporaryDirectory("generated")
    defer { try? FileManager.default.removeItem(at: directory) }
    for activation in GeneratedNetwork.Activation.allCases {
      let network = try GeneratedNetwork.handBuilt(.pudding, inputs: 7, hidden: 12, activation: activation, sign: -1)
      let url = directory.appendingPathComponent("\(activation).safetensors")
      try network.save(to: url)
      #expect(try GeneratedNetwork.load(from: url) == network)
      let raw = try SafeTensors.load(from: url)
      #expect(Set(raw.tensors.keys) == GeneratedNetwork.tensorNames)
      #expect(raw.tensors["hidden.weight"]?.shape == [12, 7] && raw.tensors["hidden.bias"]?.shape == [12])
      #expect(raw.tensors["output.weight"]?.shape == [1, 12] && raw.tensors["output.bias"]?.shape == [1])
      #expect(raw.metadata["activation"] == activation.rawValue)
    }
  }

  @Test("files that are not generated networks fail with GeneratedNetworkError naming the file and what is wrong")
  func notANetwork() throws {
    let directory = try makeTemporaryDirectory("generated-bad")
    defer { try? FileManager.default.removeItem(at: directory) }
    let good = try GeneratedNetwork.handBuilt(.doubleSided, inputs: 3, hidden: 6)
    var tensors = try SafeTensors.decode(try good.encoded()).tensors
    let cases: [(String, Data, String)] = [
      ("text", Data("not a network".utf8), "not a safetensors file"),
      ("extra", try SafeTensors.encode(tensors.merging(["block.0.weight": Tensor(shape: [1], scalars: [1])]) { $1 }, metadata: ["activation": "swish"]), "holds block.0.weight"),
      ("missing", try SafeTensors.encode(tensors.filter { $0.key != "output.bias" }, metadata: ["activation": "swish"]), "lacks output.bias"),
      ("shape", try SafeTensors.encode(tensors.merging(["hidden.bias": Tensor(shape: [5], scalars: [Float](repeating: 0, count: 5))]) { $1 }, metadata: ["activation": "swish"]), "expected [H, n]"),
      ("activation", try SafeTensors.encode(tensors, metadata: ["activation": "gelu"]), "activation 'gelu'"),
      ("no-activation", try SafeTensors.encode(tensors), "names no activation"),
    ]
    tensors["output.bias"] = Tensor(shape: [1], scalars: [.nan])
    let nonFinite = try SafeTensors.encode(tensors, metadata: ["activation": "relu"])
    for (name, data, message) in cases + [("nan", nonFinite, "weights must be finite")] {
      let url = directory.appendingPathComponent("\(name).safetensors")
      try data.write(to: url)
      do {
        _ = try GeneratedNetwork.load(from: url)
        Issue.record("\(name): loaded")
      } catch let error as GeneratedNetworkError {
        #expect("\(error)".contains(url.path) && "\(error)".contains(message), "\(name): \(error)")
      }
    }
  }

  @Test("hand-built double-sided and pudding networks compute ‖x‖₁ (exactly with ReLU; with swish to 1e-3/n at sharpness 20, 1e-5/n at 100); convexity is the least accurate")
  func handBuiltAccuracy() throws {
    for n in [1, 4, 16, 24] {
      for algorithm in [GeneratedNetwork.Algorithm.doubleSided, .pudding] {
        for sign: Float in [1, -1] {
          let relu = try GeneratedNetwork.handBuilt(algorithm, inputs: n, hidden: 2 * n + 1, activation: .relu, sign: sign)
          #expect(relu.relativeError(samples: 4000) < 1e-9, "\(algorithm) relu n = \(n)")
          // x·tanh(a·x/2) misses |x| by O(a⁻³) in relative MSE, most for n = 1.
          for (sharpness, bound) in [(Float(20), 1e-3), (100, 1e-5)] {
            let swish = try GeneratedNetwork.handBuilt(algorithm, inputs: n, hidden: 2 * n + 1, activation: .swish, sharpness: sharpness, sign: sign)
            let error = swish.relativeError(samples: 4000)
            #expect(error < bound / Double(n), "\(algorithm) swish n = \(n), a = \(sharpness): \(error)")
          }
        }
      }
    }
    let convexity = try GeneratedNetwork.handBuilt(.convexity, inputs: 16, hidden: 48)
    let error = convexity.relativeError(samples: 20000)
    #expect(error < 0.05 && error > 1e-3, "convexity: \(error)")
    #expect(throws: GeneratedNetworkError.self) { try GeneratedNetwork.handBuilt(.doubleSided, inputs: 25, hidden: 48) }
    #expect(throws: GeneratedNetworkError.self) { try GeneratedNetwork.handBuilt(.pudding, inputs: 48, hidden: 48) }
  }

  @Test("the classifier recognises hand-built networks of every kind under permuted inputs and units, rescaled units and 2 % weight noise (convexity from n = 5)")
  func classifierOnHandBuilt() async {
    await propertyCheck(count: 40, input: Gen.int(in: 2...23), Gen.uint64(), Gen.bool, Gen.bool) { n, seed, relu, negative in
      let activation: GeneratedNetwork.Activation = relu ? .relu : .swish
      for algorithm in GeneratedNetwork.Algorithm.allCases where algorithm != .convexity || n >= 5 {
        let built = try GeneratedNetwork.handBuilt(algorithm, inputs: n, hidden: 48, activation: activation, sign: negative ? -1 : 1, seed: seed)
        let network = try Self.disguised(built, seed: seed &+ 1, noise: 0.02)
        let parameters = OrderParameters(network)
        #expect(parameters.algorithm == algorithm, "n = \(n), \(activation), \(algorithm): \(parameters)")
        if algorithm == .pudding { #expect(parameters.partnerSide == (negative ? -1 : 1) && parameters.label == (negative ? "pudding (−)" : "pudding (+)")) }
      }
    }
  }

  @Test("order parameters on the pure patterns: double-sided D = 1, pudding P = 1 with the others cancelling the partners' slope, convexity K near 0; dead networks are none")
  func orderParameterValues() throws {
    let double = OrderParameters(try GeneratedNetwork.handBuilt(.doubleSided, inputs: 16))
    #expect(double.twoSidedShare == 1 && double.oneSidedShare == 0 && !double.hasLinearTerm && double.partnersPerInput == 2 && double.activeUnits == 32)
    let pudding = OrderParameters(try GeneratedNetwork.handBuilt(.pudding, inputs: 16))
    #expect(pudding.oneSidedShare == 1 && pudding.twoSidedShare == 0 && pudding.hasLinearTerm && Swift.abs(pudding.partnerSlope - 1) < 0.05 && Swift.abs(pudding.otherSlope + 1) < 0.01 && pudding.activeUnits == 17)
    let convexity = OrderParameters(try GeneratedNetwork.handBuilt(.convexity, inputs: 16))
    #expect(convexity.concentratedShare < 0.1 && convexity.activeUnits == 48 && !convexity.hasLinearTerm && convexity.partnerSlope == 0)
    // Pudding with its linear term shared by four units: still pudding, the others' slope unchanged.
    var shared = try GeneratedNetwork.handBuilt(.pudding, inputs: 8, hidden: 12, sign: -1)
    for j in 9..<12 {
      for i in 0..<8 { shared.hiddenWeight[j * 8 + i] = shared.hiddenWeight[8 * 8 + i] }
      shared.hiddenBias[j] = shared.hiddenBias[8]
    }
    let linear = shared.outputWeight[8]
    for j in 8..<12 { shared.outputWeight[j] = linear / 4 }
    let split = OrderParameters(shared)
    #expect(split.algorithm == .pudding && Swift.abs(split.otherSlope - 1) < 0.01, "\(split)")
    let dead = try GeneratedNetwork(hiddenWeight: [Float](repeating: 0, count: 8), hiddenBias: [0, 0], outputWeight: [1, 1], outputBias: 3, activation: .relu)
    #expect(OrderParameters(dead).algorithm == nil && OrderParameters(dead).label == "none")
    // One-sided partners whose slope nothing cancels (Σ ReLU(xᵢ)): not pudding.
    var halved = try GeneratedNetwork.handBuilt(.doubleSided, inputs: 8, hidden: 16)
    for i in 0..<8 { halved.outputWeight[2 * i + 1] = 0 }
    let oneSided = OrderParameters(halved)
    #expect(oneSided.oneSidedShare == 1 && !oneSided.hasLinearTerm && oneSided.algorithm == nil, "\(oneSided)")
    // Partners for half the inputs only: not forced into a class.
    var mixed = try GeneratedNetwork.handBuilt(.doubleSided, inputs: 8, hidden: 16)
    for j in 8..<16 { for i in 0..<8 { mixed.hiddenWeight[j * 8 + i] = 0 } }
    #expect(OrderParameters(mixed).algorithm == nil)
  }
}

@Suite("Generated network and hypernetwork files: random damage")
struct GeneratedNetworkFuzzTests {
  @Test("randomly damaged network and checkpoint files load or fail with their typed error, never crash")
  func damagedFiles() async throws {
    let directory = try makeTemporaryDirectory("generated-fuzz")
    defer { try? FileManager.default.removeItem(at: directory) }
    let network = try GeneratedNetwork.handBuilt(.pudding, inputs: 5, hidden: 8).encoded()
    var c = Hypernetwork.Configuration()
    (c.inputs, c.hidden, c.width, c.codeSize, c.layers) = (3, 4, 4, 2, 1)
    var rng = RandomGenerator(seed: 1)
    let checkpoint = try Hypernetwork(configuration: c, rng: &rng).encoded(training: Hypernetwork.Training())
    await propertyCheck(count: 150, input: Gen.uint64(), Gen.bool) { seed, isNetwork in
      var bytes = [UInt8](isNetwork ? network : checkpoint)
      var damage = RandomGenerator(seed: seed)
      // Mostly the header (lengths, names, shapes, offsets, metadata), sometimes anywhere.
      let headerEnd = Swift.min(bytes.count, 8 + Int(bytes[0]) + Int(bytes[1]) << 8)
      for _ in 0..<(1 + damage.nextInt(below: 4)) {
        let at = damage.nextUniform() < 0.8 ? damage.nextInt(below: headerEnd) : damage.nextInt(below: bytes.count)
        bytes[at] = UInt8(truncatingIfNeeded: damage.next())
      }
      if damage.nextUniform() < 0.2 { bytes.removeLast(damage.nextInt(below: bytes.count)) }
      let url = directory.appendingPathComponent("\(seed).safetensors")
      try Data(bytes).write(to: url)
      if isNetwork {
        do { _ = try GeneratedNetwork.load(from: url) } catch is GeneratedNetworkError {}
      } else {
        do {
          let (model, _) = try Hypernetwork.load(from: url)
          _ = try? model.generate(beta: 0.01, inputs: 3)
        } catch is HypernetworkError {}
      }
    }
  }
}
