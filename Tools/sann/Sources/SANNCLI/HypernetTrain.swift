import ArgumentParser
import Foundation
import Models
import Tensor

extension Hypernet {
  /// Parses "MIN,MAX" (two positive numbers, MIN < MAX).
  static func betaRange(_ text: String) throws -> (Double, Double) {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard parts.count == 2, let low = Double(parts[0]), let high = Double(parts[1]), low.isFinite, high.isFinite, low > 0, low < high else {
      throw ValidationError("--beta-range takes MIN,MAX with 0 < MIN < MAX, e.g. 1e-8,1e-2; got '\(text)'")
    }
    return (low, high)
  }

  static func loadCheckpoint(_ path: String) throws -> (model: Hypernetwork, training: Hypernetwork.Training) {
    var url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
      url = url.appendingPathComponent("model.safetensors")
    }
    do {
      return try Hypernetwork.load(from: url)
    } catch let error as HypernetworkError {
      throw CommandError("\(error)")
    }
  }

  static func positiveBeta(_ beta: Double, flag: String) throws {
    guard beta.isFinite, beta > 0 else { throw ValidationError("\(flag) must be a positive finite number, got \(beta)") }
  }

  /// A warning when β lies outside the range the model was trained on (it extrapolates there).
  static func warnOutside(_ betas: [Double], _ c: Hypernetwork.Configuration) {
    guard let outside = betas.first(where: { $0 < c.betaMin * (1 - 1e-9) || $0 > c.betaMax * (1 + 1e-9) }) else { return }
    FileHandle.standardError.write(Data("warning: β = \(outside) lies outside the training range \(c.betaMin)…\(c.betaMax); the model extrapolates there\n".utf8))
  }

  struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "train",
      abstract: "Train a β-controlled hypernetwork on ‖x‖₁; writes DIR/model.safetensors.",
      discussion: """
        Objective log(L + β·D_KL): L the generated network's relative MSE on x ~ N(0, I_n), D_KL \
        the information (nats) in its weights, β log-uniform over --beta-range for every network \
        generated (--betas-per-step per step). See `Hypernetwork` for the architecture. --quick \
        trains 3,000 steps of 256 samples (about 30 s); the default, 120,000 of 512 (about 16 minutes).
        """)

    @Option(parsing: .unconditional, help: "n, the inputs of the generated networks in training.")
    var inputs = 16

    @Option(parsing: .unconditional, help: "H, the hidden units of the generated networks.")
    var hidden = 48

    @Option(help: "swish or relu, the generated networks' activation.")
    var activation = GeneratedNetwork.Activation.swish

    @Option(parsing: .unconditional, help: "Optimizer steps (default 120,000; 3,000 with --quick).")
    var steps: Int?

    @Option(name: .customLong("beta-range"), help: "MIN,MAX of the log-uniform β.")
    var betaRange = "1e-8,1e-2"

    @Option(parsing: .unconditional, help: "The seed of initialisation, β, noise and samples.")
    var seed: UInt64 = 0

    @Flag(help: "A short run (3,000 steps) to try the pipeline.")
    var quick = false

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Adam's peak learning rate.")
    var learningRate = 1e-3

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "x samples per step (default 512; 256 with --quick).")
    var batchSize: Int?

    @Option(name: .customLong("betas-per-step"), parsing: .unconditional, help: "Networks generated per step, each with its own β.")
    var betasPerStep = 4

    @Option(parsing: .unconditional, help: "E, the hypernetwork's node width.")
    var width = 32

    @Option(parsing: .unconditional, help: "Graph-transformer blocks.")
    var layers = 2

    @Option(name: .customLong("code-size"), parsing: .unconditional, help: "k, the size of the random code each input node starts from.")
    var codeSize = Hypernetwork.Configuration().codeSize

    @Option(help: "The output directory.")
    var output = "hypernet"

    @Flag(help: "No progress output.")
    var quiet = false

    func settings() throws -> (Hypernetwork.Configuration, Hypernetwork.Training) {
      var c = Hypernetwork.Configuration()
      c.inputs = inputs
      c.hidden = hidden
      c.activation = activation
      c.width = width
      c.layers = layers
      c.codeSize = codeSize
      (c.betaMin, c.betaMax) = try Hypernet.betaRange(betaRange)
      var t = quick ? Hypernetwork.Training.quick : Hypernetwork.Training()
      if let steps {
        t.steps = steps
        t.warmupSteps = Swift.min(t.warmupSteps, Swift.max(0, steps / 10))
      }
      t.seed = seed
      t.learningRate = learningRate
      if let batchSize { t.batchSize = batchSize }
      t.betasPerStep = betasPerStep
      do {
        try c.validate()
        try t.validate()
      } catch let error as HypernetworkError {
        throw ValidationError("\(error)")
      }
      return (c, t)
    }

    func validate() throws {
      _ = try settings()
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), !isDirectory.boolValue {
        throw ValidationError("--output \(output) is a file; give a directory (model.safetensors is written inside it)")
      }
    }

    func run() throws {
      let (c, t) = try settings()
      // The directory first: a path that cannot hold the checkpoint fails before training.
      let directory = URL(fileURLWithPath: output)
      do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      } catch {
        throw CommandError("--output \(output) cannot be created (\(FileProblem.beforeCreating(URL(fileURLWithPath: output)) ?? FileProblem.describe(error))); give a writable directory")
      }
      var rng = RandomGenerator(seed: seed)
      let model = try Hypernetwork(configuration: c, rng: &rng)
      let reporter = ProgressReporter(enabled: !quiet)
      let start = Date()
      var last: Hypernetwork.Progress?
      do {
        try model.train(t) { p in
          last = p
          reporter.report(TrainingProgress(epoch: p.step, epochs: p.steps, loss: Float(p.objective), elapsed: p.elapsed, unit: "step"))
        }
      } catch let error as HypernetworkError {
        reporter.finish()
        throw CommandError("\(error)")
      }
      reporter.finish()
      try AtomicFile.write(try model.encoded(training: t), to: directory.appendingPathComponent("model.safetensors"))
      let seconds = Date().timeIntervalSince(start)
      let smallest = try model.generate(beta: c.betaMin, inputs: c.inputs, seed: 0)
      print(String(format: "trained %d steps in %.1f s; last 1%% of steps: relative error %.3g, D_KL %.3g nats (β over %g…%g)",
                   t.steps, seconds, last?.relativeError ?? .nan, last?.kl ?? .nan, c.betaMin, c.betaMax))
      print(String(format: "at β = %g: relative error %.3g on 100,000 samples, D_KL %.3g nats, algorithm %@",
                   c.betaMin, smallest.network.relativeError(), smallest.kl, OrderParameters(smallest.network).label))
      print("wrote \(directory.appendingPathComponent("model.safetensors").path)")
    }
  }

  struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the network a trained hypernetwork generates for β and n.")

    @Option(help: "A trained hypernetwork (its directory or model.safetensors).")
    var model: String

    @Option(parsing: .unconditional, help: "β, the complexity weight (> 0).")
    var beta: Double

    @Option(parsing: .unconditional, help: "n, the inputs (default: the training n).")
    var inputs: Int?

    @Option(parsing: .unconditional, help: "The seed of the sampled weights (ε) and the input codes.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Samples of x ~ N(0, I) for the relative error printed.")
    var samples = 100_000

    @Option(help: "The safetensors file to write.")
    var output: String

    func validate() throws {
      try Hypernet.positiveBeta(beta, flag: "--beta")
      try Hypernet.checkSamples(samples)
      try ModelInput.distinct(output, flag: "--output", from: [model, URL(fileURLWithPath: model).appendingPathComponent("model.safetensors").path])
      try Hypernet.checkInputs(inputs)
    }

    func run() throws {
      let (hypernetwork, _) = try Hypernet.loadCheckpoint(model)
      let n = inputs ?? hypernetwork.configuration.inputs
      Hypernet.warnOutside([beta], hypernetwork.configuration)
      let (network, kl) = try hypernetwork.generate(beta: beta, inputs: n, seed: seed)
      let error = network.relativeError(samples: samples)
      try Hypernet.finite(error, network)
      try network.save(to: URL(fileURLWithPath: output))
      print(String(format: "β = %g, n = %d: relative error %.4g (%d samples), D_KL %.4g nats, algorithm %@; wrote %@",
                   beta, n, error, samples, kl, OrderParameters(network).label, output))
    }
  }

  struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Generate networks over a range of β: relative error, D_KL and the algorithm at each, as a table and an SVG.")

    @Option(help: "A trained hypernetwork (its directory or model.safetensors).")
    var model: String

    @Option(name: .customLong("beta-range"), help: "MIN,MAX of the sweep (default: the training range).")
    var betaRange: String?

    @Option(parsing: .unconditional, help: "β values, log-spaced.")
    var points = 13

    @Option(parsing: .unconditional, help: "n, the inputs (default: the training n).")
    var inputs: Int?

    @Option(parsing: .unconditional, help: "Samples of x ~ N(0, I) per relative error.")
    var samples = 100_000

    @Option(parsing: .unconditional, help: "The seed of the sampled weights (ε) and the input codes.")
    var seed: UInt64 = 0

    @Option(help: "Write the plot (SVG) here.")
    var plot: String?

    @Flag(help: "Print JSON instead of the table.")
    var json = false

    @Flag(name: .customLong("quiet"), help: "No progress lines on standard error.")
    var quietProgress = false

    func validate() throws {
      guard (2...200).contains(points) else { throw ValidationError("--points must lie in 2...200, got \(points)") }
      try Hypernet.checkSamples(samples)
      if let betaRange { _ = try Hypernet.betaRange(betaRange) }
      try Hypernet.checkInputs(inputs)
      if let plot { try ModelInput.distinct(plot, flag: "--plot", from: [model, URL(fileURLWithPath: model).appendingPathComponent("model.safetensors").path]) }
    }

    func run() throws {
      let (hypernetwork, _) = try Hypernet.loadCheckpoint(model)
      let c = hypernetwork.configuration
      let (low, high) = try betaRange.map(Hypernet.betaRange) ?? (c.betaMin, c.betaMax)
      Hypernet.warnOutside([low, high], c)
      let n = inputs ?? c.inputs
      let rows = try (0..<points).map { p -> SweepRow in
        let beta = Foundation.exp(Foundation.log(low) + (Foundation.log(high) - Foundation.log(low)) * Double(p) / Double(points - 1))
        let (network, kl) = try hypernetwork.generate(beta: beta, inputs: n, seed: seed)
        let error = network.relativeError(samples: samples)
        try Hypernet.finite(error, network)
        guard kl.isFinite else { throw CommandError("D_KL at β = \(beta) is not finite; the checkpoint's weights are too large — retrain it") }
        if !json && !quietProgress { FileHandle.standardError.write(Data(String(format: "β = %g done (%d/%d)\n", beta, p + 1, points).utf8)) }
        return SweepRow(beta: beta, relativeError: error, kl: kl, order: OrderParameters(network))
      }
      if let plot {
        try AtomicFile.write(SweepChart(rows: rows, inputs: n, title: URL(fileURLWithPath: model).lastPathComponent).render(),
                             to: URL(fileURLWithPath: plot))
      }
      if json {
        let object = rows.map { r -> [String: Any] in
          ["beta": r.beta, "relative_error": r.relativeError, "kl": r.kl, "algorithm": r.order.algorithm?.rawValue ?? NSNull(), "label": r.order.label,
           "two_sided_share": r.order.twoSidedShare, "one_sided_share": r.order.oneSidedShare, "concentrated_share": r.order.concentratedShare,
           "linear_term": r.order.hasLinearTerm, "partner_slope": r.order.partnerSlope, "other_slope": r.order.otherSlope, "active_units": r.order.activeUnits]
        }
        print(String(decoding: try JSONSerialization.data(withJSONObject: ["inputs": n, "points": object], options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        return
      }
      print("n = \(n), \(samples) samples per error, seed \(seed)")
      print("β            relative error   D_KL (nats)   D     P     K     s_p    s_o    algorithm")
      for r in rows {
        print(String(format: "%-12.3g %-16.4g %-13.4g %.2f  %.2f  %.2f  %5.2f  %5.2f  %@", r.beta, r.relativeError, r.kl, r.order.twoSidedShare,
                     r.order.oneSidedShare, r.order.concentratedShare, r.order.partnerSlope, r.order.otherSlope, r.order.label))
      }
    }
  }
}

struct SweepRow {
  var beta: Double
  var relativeError: Double
  var kl: Double
  var order: OrderParameters
}
