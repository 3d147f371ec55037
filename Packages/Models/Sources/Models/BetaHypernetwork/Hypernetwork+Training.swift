import Foundation
import Tensor

extension Hypernetwork {
  /// How a hypernetwork is trained.
  public struct Training: Codable, Equatable, Sendable {
    /// 120,000 (about 16 minutes on one core): at 40,000 the networks at n = 16 reached 10⁻³ only
    /// for some draws of the input codes (0.0010–0.013 over five), at 120,000 0.0005–0.0008.
    public var steps = 120_000
    /// x samples per step.
    public var batchSize = 512
    /// Networks generated per step, each with its own β (log-uniform) and noise.
    public var betasPerStep = 4
    public var learningRate = 1e-3
    /// Linear warm-up steps, then cosine decay to 0.
    public var warmupSteps = 500
    /// The gradient's global norm is clipped to this (the shares and the log objective make
    /// rare steps huge: seed 0 diverged at step 6,364 without it).
    public var gradientClip = 1.0
    /// KL annealing: D_KL's weight is 0 for the first `klStart` of the steps, then rises linearly
    /// to 1 over the next `klRamp` (fractions of the steps). The generator first learns networks
    /// that compute ‖x‖₁, then β prices their precision; without it the KL term wins before any
    /// structure is found and every β gives convexity.
    public var klStart = 0.3
    public var klRamp = 0.3
    public var seed: UInt64 = 0

    public init() {}

    /// `--quick`: a few minutes on a laptop core, for trying the pipeline.
    public static var quick: Training {
      var t = Training()
      t.steps = 3_000
      t.batchSize = 256
      t.warmupSteps = 100
      return t
    }

    enum CodingKeys: String, CodingKey {
      case steps, batchSize = "batch_size", betasPerStep = "betas_per_step", learningRate = "learning_rate", warmupSteps = "warmup_steps", seed
      case gradientClip = "gradient_clip", klStart = "kl_start", klRamp = "kl_ramp"
    }

    public func validate() throws {
      for (name, value, valid, accepted) in [
        ("steps", "\(steps)", (1...10_000_000).contains(steps), "1...10000000"),
        ("batch size", "\(batchSize)", (2...65_536).contains(batchSize), "2...65536"),
        ("betas per step", "\(betasPerStep)", (1...256).contains(betasPerStep), "1...256"),
        ("learning rate", "\(learningRate)", learningRate.isFinite && learningRate > 0 && learningRate <= 1, "(0, 1]"),
        ("warm-up steps", "\(warmupSteps)", warmupSteps >= 0 && warmupSteps < steps, "0 ≤ warm-up < steps"),
        ("gradient clip", "\(gradientClip)", gradientClip.isFinite && gradientClip > 0, "a positive number"),
        ("KL start", "\(klStart)", (0...1).contains(klStart), "a fraction of the steps in [0, 1]"),
        ("KL ramp", "\(klRamp)", (0...1).contains(klRamp), "a fraction of the steps in [0, 1]"),
      ] where !valid {
        throw HypernetworkError.configuration("\(name) = \(value); accepted: \(accepted)")
      }
    }
  }

  /// One progress report: the step, and the relative error, D_KL and objective averaged over
  /// the steps since the last report.
  public struct Progress: Sendable {
    public var step: Int
    public var steps: Int
    public var relativeError: Double
    public var kl: Double
    public var objective: Double
    public var elapsed: TimeInterval
  }

  /// Trains on log(L + β·D_KL), β log-uniform per generated network, `betasPerStep` networks per
  /// step (the objective averaged), x ~ N(0, I_n) fresh each step; Adam with warm-up and cosine
  /// decay. `progress` hears about every 1 % of the steps.
  ///
  /// - Throws: ``HypernetworkError/diverged(step:)`` when the objective stops being finite.
  public func train(_ t: Training, progress: (Progress) -> Void = { _ in }) throws {
    try t.validate()
    let n = configuration.inputs
    guard configuration.hidden * n * configuration.width <= Self.maximumEdgeValues, t.batchSize * Swift.max(n, configuration.hidden) <= Self.maximumEdgeValues else {
      throw HypernetworkError.configuration("\(n) inputs, \(configuration.hidden) hidden units, width \(configuration.width) and batch \(t.batchSize) need more than \(Self.maximumEdgeValues) values per step; make them smaller")
    }
    var rng = RandomGenerator(seed: t.seed).stream(32)
    let optimizer = Adam(parameters, learningRate: Float(t.learningRate))
    let (logMin, logMax) = (Foundation.log(configuration.betaMin), Foundation.log(configuration.betaMax))
    let every = Swift.max(1, t.steps / 100)
    var (sumError, sumKL, sumObjective, count) = (0.0, 0.0, 0.0, 0)
    let start = Date()
    train()
    for step in 0..<t.steps {
      let factor = step < t.warmupSteps ? Double(step + 1) / Double(t.warmupSteps)
        : 0.5 * (1 + cos(Double.pi * Double(step - t.warmupSteps) / Double(Swift.max(t.steps - t.warmupSteps, 1))))
      optimizer.learningRate = Float(t.learningRate * factor)
      optimizer.zeroGrad()
      let progressed = Double(step) / Double(t.steps) - t.klStart
      let klWeight = progressed < 0 ? 0 : t.klRamp > 0 ? Swift.min(1, progressed / t.klRamp) : 1
      let x = Tensor(shape: [t.batchSize, n], scalars: (0..<(t.batchSize * n)).map { _ in rng.nextNormal() })
      // The graph lives only inside this closure, so the step updates the weights in place.
      try {
        var total: Tensor?
        for _ in 0..<t.betasPerStep {
          let beta = Foundation.exp(logMin + (logMax - logMin) * rng.nextUniformDouble())
          let noise = self.noise(inputs: n, using: &rng)
          let out = self(beta: beta, inputs: n, noise: noise)
          let error = relativeError(out, x: x)
          let objective = (error + out.kl * Float(beta * klWeight)).log()
          total = total.map { $0 + objective } ?? objective
          sumError += Double(error.item)
          sumKL += Double(out.kl.item)
          sumObjective += Double(objective.item)
          count += 1
        }
        let loss = total! * (1 / Float(t.betasPerStep))
        guard loss.item.isFinite else { throw HypernetworkError.diverged(step: step + 1) }
        loss.backward()
      }()
      clipGradients(to: Float(t.gradientClip))
      optimizer.step()
      if (step + 1) % every == 0 || step + 1 == t.steps {
        progress(Progress(step: step + 1, steps: t.steps, relativeError: sumError / Double(count), kl: sumKL / Double(count),
                          objective: sumObjective / Double(count), elapsed: Date().timeIntervalSince(start)))
        (sumError, sumKL, sumObjective, count) = (0, 0, 0, 0)
      }
    }
    eval()
  }

  /// Scales every gradient by min(1, clip / ‖g‖), ‖g‖ the global norm.
  func clipGradients(to clip: Float) {
    let gradients = parameters.compactMap(\.grad)
    let norm = gradients.reduce(0.0) { total, g in g.scalars.reduce(total) { $0 + Double($1) * Double($1) } }.squareRoot()
    guard norm > Double(clip) else { return }
    let factor = Float(Double(clip) / norm)
    for p in parameters { if let g = p.grad { p.grad = g * factor } }
  }

  // MARK: Checkpoints

  /// The checkpoint: every parameter by name, and the configuration and training settings as
  /// JSON in the metadata.
  public func encoded(training: Training) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try SafeTensors.encode(stateDict(), metadata: [
      "format": Self.checkpointFormat,
      "configuration": String(decoding: try encoder.encode(configuration), as: UTF8.self),
      "training": String(decoding: try encoder.encode(training), as: UTF8.self),
    ])
  }

  public static let checkpointFormat = "sannkit-beta-hypernetwork-2"

  /// Reads a checkpoint written by ``encoded(training:)``.
  ///
  /// - Throws: ``HypernetworkError/checkpoint(path:reason:)`` naming the file when it is not one.
  public static func load(from url: URL) throws -> (model: Hypernetwork, training: Training) {
    func fail(_ reason: String) -> HypernetworkError { .checkpoint(path: url.path, reason: reason) }
    let file: (tensors: [String: Tensor], metadata: [String: String])
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw fail("does not exist; give a directory or model.safetensors written by `sann hypernet train`")
    }
    do {
      file = try SafeTensors.load(from: url)
    } catch let error as SafeTensorsError {
      throw fail("is not a hypernetwork checkpoint (\(error.reason))")
    }
    guard file.metadata["format"] == checkpointFormat else {
      throw fail("is not a hypernetwork checkpoint (no \(checkpointFormat) format in its metadata); write one with `sann hypernet train`")
    }
    guard let configurationText = file.metadata["configuration"], let trainingText = file.metadata["training"] else {
      throw fail("is a damaged hypernetwork checkpoint (its metadata lacks the configuration or the training settings); retrain with `sann hypernet train`")
    }
    let configuration: Configuration
    let training: Training
    do {
      configuration = try JSONDecoder().decode(Configuration.self, from: Data(configurationText.utf8))
      training = try JSONDecoder().decode(Training.self, from: Data(trainingText.utf8))
    } catch {
      throw fail("has a damaged configuration in its metadata (\(error)); retrain with `sann hypernet train`")
    }
    var rng = RandomGenerator(seed: 0)
    let model: Hypernetwork
    do {
      model = try Hypernetwork(configuration: configuration, rng: &rng)
    } catch let error as HypernetworkError {
      throw fail("describes an invalid hypernetwork: \(error)")
    }
    do {
      try model.loadStateDict(file.tensors)
    } catch {
      throw fail("has weights that do not fit its configuration (\(error)); retrain with `sann hypernet train`")
    }
    if let bad = file.tensors.first(where: { $0.value.scalars.contains { !$0.isFinite } }) {
      throw fail("holds a non-finite value in \(bad.key); retrain with `sann hypernet train`")
    }
    model.eval()
    return (model, training)
  }
}
