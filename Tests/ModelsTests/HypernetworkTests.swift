// The β-controlled hypernetwork: gradients of its objective against finite differences, D_KL
// as the closed form says, networks for any n, determinism, checkpoints that round-trip and
// reject what is not one, training that lowers the error, and clear errors for bad β and n.

import Foundation
@testable import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("β-controlled hypernetwork")
struct HypernetworkTests {
  static func small(inputs: Int = 4, hidden: Int = 6, layers: Int = 1, seed: UInt64 = 0) throws -> Hypernetwork {
    var c = Hypernetwork.Configuration()
    c.inputs = inputs
    c.hidden = hidden
    c.width = 8
    c.codeSize = 2
    c.layers = layers
    var rng = RandomGenerator(seed: seed)
    return try Hypernetwork(configuration: c, rng: &rng)
  }

  @Test("the relative error of the sampled network has the gradients finite differences give, for every parameter tensor")
  func gradients() async {
    await propertyCheck(count: 3, input: Gen.uint64(), Gen.int(in: 1...5)) { seed, n in
      let model = try Self.small(inputs: n, seed: seed)
      var rng = RandomGenerator(seed: seed &+ 7)
      let noise = model.noise(inputs: n, using: &rng)
      let x = Tensor(shape: [16, n], scalars: (0..<(16 * n)).map { _ in rng.nextNormal() })
      let beta = Foundation.exp(-12 * rng.nextUniformDouble())
      let slots = model.namedSlots().map { GradCheckSlot.parameter($0.name, $0.parameter) }
      gradCheckSlots(slots, seed: seed, tolerance: .fine, label: "n = \(n)") {
        model.relativeError(model(beta: beta, inputs: n, noise: noise), x: x).reshaped([1])
      }
    }
  }

  // D_KL is checked on its own: summed over hundreds of weights it is large, and its log μ² has
  // third derivatives like 1/μ³, so through the whole model central differences in Float lose
  // it to rounding and truncation. The path from the heads to μ and log σ² is ordinary layers.
  @Test("D_KL has the gradients finite differences give with respect to the posterior means and log-variances")
  func klGradients() async {
    await propertyCheck(count: 20, input: Gen.uint64()) { seed in
      var rng = RandomGenerator(seed: seed)
      // Means away from 0 (sign either way), log-variances over pinned to noise.
      let mean = Tensor(shape: [3, 4], scalars: (0..<12).map { _ in (rng.nextUniform() < 0.5 ? -1 : 1) * (0.3 + 2 * rng.nextUniform()) })
      let logVariance = Tensor(shape: [3, 4], scalars: (0..<12).map { _ in -12 + 16 * rng.nextUniform() })
      gradCheck([mean, logVariance], seed: seed, label: "seed \(seed)") { t in
        Hypernetwork.Posterior(mean: t[0], logVariance: t[1]).kl.reshaped([1])
      }
    }
  }

  @Test("D_KL is Σ k₁(1 − sigmoid(k₂ + k₃ log α)) + ½ log(1 + 1/α) over the posteriors the model writes: non-negative, decreasing in α, 0 for pure noise")
  func klClosedForm() throws {
    let model = try Self.small()
    var rng = RandomGenerator(seed: 2)
    for beta in [1e-8, 1e-5, 1e-2] {
      let noise = model.noise(inputs: 4, using: &rng)
      let out = withoutGradient { model(beta: beta, inputs: 4, noise: noise) }
      var expected = 0.0
      for posterior in [out.posteriors.weight, out.posteriors.bias, out.posteriors.output] {
        for (m, v) in zip(posterior.mean.scalars, posterior.logVariance.scalars) {
          let logAlpha = Swift.min(20, Swift.max(-20, Double(v) - Foundation.log(Double(m) * Double(m) + 1e-16)))
          expected += 0.63576 * (1 - 1 / (1 + Foundation.exp(-(1.87320 + 1.48695 * logAlpha)))) + 0.5 * Foundation.log1p(Foundation.exp(-logAlpha))
        }
      }
      #expect(Swift.abs(Double(out.kl.item) - expected) <= 1e-4 * Swift.max(1, expected) && out.kl.item >= 0, "\(out.kl.item) vs \(expected)")
      // The sampled weights are μ + σ·ε with the noise given.
      let w = out.posteriors.weight
      for (i, sample) in out.weight.scalars.enumerated() {
        let expectedSample = w.mean.scalars[i] + Foundation.exp(0.5 * w.logVariance.scalars[i]) * noise.weight[i]
        #expect(Swift.abs(sample - expectedSample) <= 1e-5 * Swift.max(1, Swift.abs(expectedSample)))
      }
    }
    // Per weight: pinned (α → 0) costs about ½ log(1/α) + k₁, pure noise (α → ∞) nothing.
    let logAlphas: [Float] = [-20, -8, -2, 0, 2, 8, 20]
    let kl = withoutGradient { Hypernetwork.logUniformKL(logAlpha: Tensor(shape: [7], scalars: logAlphas)) }.scalars
    #expect(zip(kl, kl.dropFirst()).allSatisfy { $0 > $1 } && kl.allSatisfy { $0 >= 0 } && kl[6] < 1e-4, "\(kl)")
    #expect(Swift.abs(Double(kl[0]) - (10 + 0.63576)) < 1e-3, "\(kl[0])")
  }

  @Test("the relative error is E[(f − ‖x‖₁)²]/(n + n(n−1)·2/π), as the generated network itself computes it")
  func relativeErrorAgrees() throws {
    let model = try Self.small(inputs: 5)
    var rng = RandomGenerator(seed: 3)
    let (network, _) = try model.generate(beta: 1e-3, inputs: 5, seed: 4)
    let noise = { () -> Hypernetwork.Noise in var g = RandomGenerator(seed: 4).stream(31); return model.noise(inputs: 5, using: &g) }()
    let out = withoutGradient { model(beta: 1e-3, inputs: 5, noise: noise) }
    let x = (0..<(200 * 5)).map { _ in rng.nextNormal() }
    let f = network(x)
    var squared = 0.0
    for r in 0..<200 {
      let norm = (0..<5).reduce(0.0) { $0 + Double(Swift.abs(x[r * 5 + $1])) }
      squared += (Double(f[r]) - norm) * (Double(f[r]) - norm)
    }
    let expected = squared / 200 / (5 + 20 * 2 / Double.pi)
    let error = Double(withoutGradient { model.relativeError(out, x: Tensor(shape: [200, 5], scalars: x)) }.item)
    #expect(Swift.abs(error - expected) <= 1e-4 * Swift.max(expected, 1e-3), "\(error) vs \(expected)")
    #expect(Swift.abs(Hypernetwork.meanSquaredNorm(inputs: 1) - 1) < 1e-15)
  }

  @Test("one model writes networks for any n, with H hidden units; the same seed gives the same network, another seed another")
  func anyInputSize() throws {
    let model = try Self.small()
    for n in [1, 3, 4, 9, 33] {
      let (network, kl) = try model.generate(beta: 0.01, inputs: n, seed: 5)
      #expect(network.inputs == n && network.hidden == 6 && kl >= 0)
      #expect(try model.generate(beta: 0.01, inputs: n, seed: 5).network == network)
      #expect(try model.generate(beta: 0.01, inputs: n, seed: 6).network != network)
    }
  }

  @Test("with identical inputs, a unit's total weight over them is the same at every n: the dense term is a mean over inputs, as the pointer is")
  func denseTermIsAMean() throws {
    // Identical input codes make every input's state the same at any n (attention over equal
    // keys averages equal values), so μⱼᵢ = (n₀/n)·eⱼ + gⱼ/n and Σᵢ μⱼᵢ = n₀·eⱼ + gⱼ for all n.
    // Unscaled, the sum would be n·eⱼ + gⱼ and grow with n (the linear term that broke n ≠ n₀).
    let model = try Self.small(inputs: 4, hidden: 6, layers: 1, seed: 3)
    let code: [Float] = [0.7, -1.3]
    func totals(_ n: Int) -> [Double] {
      let noise = Hypernetwork.Noise(weight: Array(repeating: 0, count: 6 * n), bias: Array(repeating: 0, count: 6),
                                     output: Array(repeating: 0, count: 6), codes: (0..<n).flatMap { _ in code })
      let mean = withoutGradient { model(beta: 1e-4, inputs: n, noise: noise) }.posteriors.weight.mean.scalars
      return (0..<6).map { j in (0..<n).reduce(0.0) { $0 + Double(mean[j * n + $1]) } }
    }
    let reference = totals(4)
    #expect(reference.contains { Swift.abs($0) > 1e-3 }, "the model writes no weights to compare: \(reference)")
    for n in [1, 2, 7, 16, 40] {
      for (total, expected) in zip(totals(n), reference) {
        #expect(Swift.abs(total - expected) <= 1e-5 * Swift.max(1, Swift.abs(expected)), "n = \(n): \(total) vs \(expected)")
      }
    }
  }

  @Test("β ≤ 0, a non-finite β and n outside 1...4096 are HypernetworkErrors; so are invalid configurations and training settings")
  func badInput() throws {
    let model = try Self.small()
    for beta in [0, -1e-3, .nan, .infinity] {
      do {
        _ = try model.generate(beta: beta, inputs: 4)
        Issue.record("β = \(beta) accepted")
      } catch let error as HypernetworkError {
        #expect("\(error)".contains("β must be a positive finite number"))
      }
    }
    #expect(throws: HypernetworkError.inputs(0)) { try model.generate(beta: 0.1, inputs: 0) }
    #expect(throws: HypernetworkError.inputs(5000)) { try model.generate(beta: 0.1, inputs: 5000) }
    var c = Hypernetwork.Configuration()
    c.betaMin = 1
    c.betaMax = 0.1
    var rng = RandomGenerator(seed: 0)
    #expect(throws: HypernetworkError.self) { try Hypernetwork(configuration: c, rng: &rng) }
    c = Hypernetwork.Configuration()
    c.width = 33
    #expect(throws: HypernetworkError.self) { try Hypernetwork(configuration: c, rng: &rng) }
    // heads is checked before width % heads is taken (an edited checkpoint once divided by 0).
    c = Hypernetwork.Configuration()
    c.heads = 0
    #expect(throws: HypernetworkError.configuration("heads = 0; accepted: 1...16")) { try c.validate() }
    var t = Hypernetwork.Training()
    t.steps = 10
    t.warmupSteps = 10
    #expect(throws: HypernetworkError.self) { try model.train(t) }
  }

  @Test("training lowers the error at the smallest β; the same seed gives the same checkpoint bytes; a checkpoint loads back and generates the same networks")
  func trainDeterministicCheckpoint() throws {
    var t = Hypernetwork.Training()
    t.steps = 200
    t.warmupSteps = 10
    t.batchSize = 64
    t.betasPerStep = 2
    t.learningRate = 3e-3
    let first = try Self.small(seed: 9)
    let before = try first.generate(beta: 1e-8, inputs: 4).network.relativeError(samples: 5000)
    var reports = 0
    try first.train(t) { _ in reports += 1 }
    let after = try first.generate(beta: 1e-8, inputs: 4).network.relativeError(samples: 5000)
    #expect(after < 0.5 * before, "\(before) → \(after)")
    #expect(reports == 100)
    let second = try Self.small(seed: 9)
    try second.train(t)
    let bytes = try first.encoded(training: t)
    #expect(try second.encoded(training: t) == bytes)
    let directory = try makeTemporaryDirectory("hypernet")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.safetensors")
    try bytes.write(to: url)
    let (loaded, training) = try Hypernetwork.load(from: url)
    #expect(training == t && loaded.configuration == first.configuration)
    for n in [2, 4, 7] { #expect(try loaded.generate(beta: 3e-4, inputs: n, seed: 1).network == first.generate(beta: 3e-4, inputs: n, seed: 1).network) }
  }

  @Test("a generated network, text, or a checkpoint with a damaged configuration or missing weights is not a hypernetwork checkpoint")
  func notACheckpoint() throws {
    let directory = try makeTemporaryDirectory("hypernet-bad")
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = try Self.small()
    let good = try SafeTensors.decode(try model.encoded(training: Hypernetwork.Training()))
    var damaged = good.metadata
    damaged["configuration"] = "{\"inputs\": 4}"
    let cases: [(String, Data, String)] = [
      ("text", Data("hello".utf8), "is not a hypernetwork checkpoint"),
      ("network", try GeneratedNetwork.handBuilt(.pudding, inputs: 3, hidden: 6).encoded(), "no sannkit-beta-hypernetwork-2 format in its metadata"),
      ("configuration", try SafeTensors.encode(good.tensors, metadata: damaged), "damaged configuration"),
      ("weights", try SafeTensors.encode(good.tensors.filter { $0.key != "unit_embedding" }, metadata: good.metadata), "do not fit"),
    ]
    for (name, data, message) in cases {
      let url = directory.appendingPathComponent("\(name).safetensors")
      try data.write(to: url)
      do {
        _ = try Hypernetwork.load(from: url)
        Issue.record("\(name) loaded")
      } catch let error as HypernetworkError {
        #expect("\(error)".contains(url.path) && "\(error)".contains(message), "\(name): \(error)")
      }
    }
  }
}
