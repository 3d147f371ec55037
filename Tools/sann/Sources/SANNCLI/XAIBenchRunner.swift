import Attribution
import Foundation
import Models
import Tensor

/// Runs the XAI-Bench comparison: for every dataset and correlation, draws the data, trains
/// each architecture as a regressor, explains the validation rows with every explainer and
/// scores the explanations against the model's conditional expectations.
///
/// The explained model is the network at the end of training (the last snapshot), not the
/// snapshot ensemble, so INN's own explanation is exactly the model being scored.
struct XAIBenchRunner {
  let settings: XAIBenchSettings
  /// Worker threads; each (dataset, ρ) pair is one job. Results do not depend on it: every job
  /// draws from its own random streams.
  var jobs = 1
  let log: @Sendable (String) -> Void

  func run() throws -> [XAIBenchRecord] {
    let s = settings
    let pairs = s.datasets.indices.flatMap { k in s.rhos.indices.map { r in (k, r) } }
    let state = XAIBenchProgress(total: pairs.count * s.architectures.count, slots: pairs.count)
    let workers = Swift.max(1, Swift.min(jobs, pairs.count))
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      while let index = state.next(), !state.failed {
        let (k, r) = pairs[index]
        do {
          state.store(index, try runPair(dataset: k, rho: r, progress: state))
        } catch {
          state.fail(error)
        }
      }
    }
    if let error = state.error { throw error }
    return state.results.flatMap { $0 }
  }

  private func runPair(dataset k: Int, rho r: Int, progress: XAIBenchProgress) throws -> [XAIBenchRecord] {
    let s = settings
    let root = RandomGenerator(seed: s.seed)
    let kind = s.datasets[k]
    let rho = s.rhos[r]
    let data = try SyntheticDataset(kind: kind, rho: rho, dimension: s.dimension, noise: s.noise)
    var dataRNG = root.stream(UInt64(1000 + 100 * k + r))
    let sample = data.generate(train: s.trainRows, validation: s.validationRows, rng: &dataRNG)
    var records: [XAIBenchRecord] = []
    for (a, architecture) in s.architectures.enumerated() {
      var metricRNG = root.stream(UInt64(100_000 + 1000 * k + 10 * r + a))
      let runStart = Date()
      let result = try evaluate(architecture, on: sample, rng: &metricRNG)
      records.append(contentsOf: result.records)
      let (done, total, elapsed) = progress.finishOne()
      let eta = elapsed / Double(done) * Double(total - done)
      log(String(format: "[%d/%d] %@ ρ=%@ %@: val R² %.3f, %@; %.1f s (total %.0f s, ETA %.0f s)\n", done, total, kind.rawValue,
                 Self.format(rho), architecture.rawValue, result.r2, result.timing, Date().timeIntervalSince(runStart), elapsed, eta))
    }
    return records
  }

  private func evaluate(_ architecture: Experiment.Architecture, on sample: SyntheticSample,
                        rng: inout RandomGenerator) throws -> (records: [XAIBenchRecord], r2: Double, timing: String) {
    let s = settings
    let d = sample.features
    var clock = Date()
    func lap() -> Double {
      let now = Date()
      defer { clock = now }
      return now.timeIntervalSince(clock)
    }
    let network = try train(architecture, on: sample)
    let trainSeconds = lap()
    let model = Self.adapter(network)
    let xValidation = sample.xValidation.map(Float.init)
    let xTrain = sample.xTrain.map(Float.init)
    let predictions = try model.evaluate(xValidation, count: sample.validationCount).map(Double.init)
    let r2 = try Metrics.r2Score(targets: sample.yValidation, predictions: predictions)

    var valueRNG = rng.stream(1)
    let values = try CoalitionValues.conditional(model: model, distribution: sample.dataset.distribution, rows: sample.xValidation,
                                                 samples: s.conditionalSamples, rng: &valueRNG)
    let groundTruth = GroundTruthShapley.attribution(values)
    var infidelityRNG = rng.stream(3)
    let perturbations = try Infidelity.perturbations(model: model, rows: sample.xValidation, count: s.infidelityPerturbations,
                                                     rng: &infidelityRNG)
    let valueSeconds = lap()

    let background = Array(xTrain.prefix(Swift.min(s.backgroundRows, sample.trainCount) * d))
    var explainers: [(String, () throws -> FeatureAttribution)] = []
    if let inn = network as? Hypernetwork {
      explainers.append(("inn", { try INNExplainer(inn, threads: 1).explain(rows: xValidation) }))
    }
    explainers.append(("kernel-shap", { try KernelSHAP(background: background, seed: s.seed).explain(model, rows: xValidation) }))
    explainers.append(("exact-shapley", { try ExactShapley(background: background).explain(model, rows: xValidation) }))
    explainers.append(("lime", {
      try LIME(training: xTrain, features: d, samples: s.limeSamples, seed: s.seed).explain(model, rows: xValidation)
    }))
    explainers.append(("integrated-gradients", {
      try IntegratedGradients(steps: s.integratedGradientSteps).explain(model, rows: xValidation)
    }))
    var randomRNG = rng.stream(2)
    let random = RandomAttribution.explain(rows: sample.validationCount, features: d, rng: &randomRNG)
    explainers.append(("random", { random }))

    var records: [XAIBenchRecord] = []
    var explainSeconds = 0.0
    var metricSeconds = 0.0
    for (name, explain) in explainers {
      _ = lap()
      let phi = try explain()
      let seconds = lap()
      explainSeconds += seconds
      var scores: [XAIBenchMetric: Double] = [:]
      scores[.faithfulness] = try Faithfulness.evaluate(phi, values: values)
      scores[.monotonicity] = try Monotonicity.evaluate(phi, values: values)
      scores[.infidelity] = try Infidelity.evaluate(phi, perturbations: perturbations)
      scores[.shapleyMSE] = try ShapleyError.meanSquaredError(phi, groundTruth: groundTruth)
      scores[.shapleyCorrelation] = try ShapleyError.correlation(phi, groundTruth: groundTruth)
      metricSeconds += lap()
      records.append(XAIBenchRecord(dataset: sample.dataset.kind.rawValue, rho: sample.dataset.rho, model: architecture.rawValue,
                                    explainer: name, scores: scores, explainSeconds: seconds, modelR2: r2))
    }
    let timing = String(format: "train %.1f s, conditional values and perturbations %.1f s, explainers %.1f s, metrics %.1f s",
                        trainSeconds, valueSeconds, explainSeconds, metricSeconds)
    return (records, r2, timing)
  }

  /// Trains with SANNKit's trainer on the synthetic rows as they are (the features are already
  /// N(0, 1) marginally and the targets standardised), so no further preprocessing is applied.
  private func train(_ architecture: Experiment.Architecture, on sample: SyntheticSample) throws -> any TabularModel {
    let s = settings
    let d = sample.features
    // PreparedDataset is made through its public constructor from a table of the training rows;
    // its matrices are then replaced by the raw rows, since the model must see x itself.
    let columns = (0..<d).map { j in
      DataTable.Column(name: "x\(j)", values: .numeric((0..<sample.trainCount).map { Float(sample.xTrain[$0 * d + j]) }))
    } + [DataTable.Column(name: "y", values: .numeric(sample.yTrain.map { Float($0) }))]
    var prepared = try PreparedDataset.prepare(DataTable(source: sample.dataset.kind.rawValue, columns: columns),
                                               name: sample.dataset.kind.rawValue, target: "y", regression: true,
                                               testFraction: 0.1, seed: s.seed)
    prepared.xTrain = Tensor(shape: [sample.trainCount, d], scalars: sample.xTrain.map(Float.init))
    prepared.yTrain = sample.yTrain.map(Float.init)
    prepared.xTest = Tensor(shape: [sample.validationCount, d], scalars: sample.xValidation.map(Float.init))
    prepared.yTest = sample.yValidation.map(Float.init)
    prepared.targetMean = 0
    prepared.targetScale = 1
    var initRNG = RandomGenerator(seed: s.training.seed).stream(3)
    let network: any TabularModel = architecture == .inn
      ? Hypernetwork(features: d, outputs: 1, width: s.width, blocks: s.blocks, rng: &initRNG)
      : TabResNet(features: d, outputs: 1, width: s.width, blocks: s.blocks, rng: &initRNG)
    _ = Trainer.train(network, on: prepared, configuration: s.training)
    network.eval()
    return network
  }

  /// One thread per adapter: the runner already runs one (dataset, ρ) job per core, so the
  /// plans must not spread their rows over the cores as well.
  private static func adapter<M: TabularModel>(_ model: M) -> any DifferentiableModel {
    TabularModelAdapter(model, threads: 1)
  }

  static func format(_ rho: Double) -> String {
    String(format: "%.2f", rho)
  }
}

/// Shared state of the worker threads: the next job, the results in job order, progress and
/// the first error.
final class XAIBenchProgress: @unchecked Sendable {
  private let lock = NSLock()
  private var nextIndex = 0
  private var done = 0
  private let total: Int
  private let start = Date()
  private(set) var results: [[XAIBenchRecord]]
  private(set) var error: Error?

  init(total: Int, slots: Int) {
    self.total = total
    self.results = Array(repeating: [], count: slots)
  }

  var failed: Bool { lock.withLock { error != nil } }

  func next() -> Int? {
    lock.withLock {
      guard nextIndex < results.count else { return nil }
      defer { nextIndex += 1 }
      return nextIndex
    }
  }

  func store(_ index: Int, _ records: [XAIBenchRecord]) { lock.withLock { results[index] = records } }

  func fail(_ e: Error) { lock.withLock { if error == nil { error = e } } }

  func finishOne() -> (done: Int, total: Int, elapsed: Double) {
    lock.withLock {
      done += 1
      return (done, total, Date().timeIntervalSince(start))
    }
  }
}
