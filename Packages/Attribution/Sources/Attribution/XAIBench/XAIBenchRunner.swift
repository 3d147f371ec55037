import Foundation
import Models
import Tensor

/// Runs the XAI-Bench comparison (Liu et al. 2021): for every dataset and correlation, draws
/// the data, trains each architecture as a regressor, explains the validation rows with the
/// model's own explanation (if it has one) and every post-hoc explainer, and scores the
/// explanations against the model's conditional expectations.
///
/// The explained model is the snapshot ensemble (``SnapshotEnsemble/model``, the mean of the
/// snapshots' outputs), the function `sann predict` predicts with; a model's own explanation of
/// it is exact, as for one network.
///
///     let records = try XAIBenchRunner(settings: .quick(seed: 0)).run()
public struct XAIBenchRunner: Sendable {
  public let settings: XAIBenchSettings
  /// Worker threads; each (dataset, ρ) pair is one job. Results do not depend on it: every job
  /// draws from its own random streams.
  public var jobs: Int
  /// Progress lines (one per trained model, with timings and an ETA).
  public let log: @Sendable (String) -> Void

  public init(settings: XAIBenchSettings, jobs: Int = 1, log: @escaping @Sendable (String) -> Void = { _ in }) {
    self.settings = settings
    self.jobs = jobs
    self.log = log
  }

  /// Every score of every explainer on every (dataset, ρ, model), in job order.
  public func run() throws -> [XAIBenchRecord] {
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
                 Self.format(rho), architecture.kind, result.r2, result.timing, Date().timeIntervalSince(runStart), elapsed, eta))
    }
    return records
  }

  private func evaluate(_ architecture: ModelSpecification, on sample: SyntheticSample,
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
    let model = TabularModelAdapter(network, threads: 1)
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
    // A nil name is the attribution's own method name (the model's explanation: "inn", "logistic").
    var explainers: [(String?, () throws -> FeatureAttribution?)] = []
    if let explainer = network.selfExplaining {
      explainers.append((nil, { try explainer.explain(xValidation, threads: 1).features }))
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
      guard let phi = try explain() else { continue }
      let seconds = lap()
      explainSeconds += seconds
      var scores: [XAIBenchMetric: Double] = [:]
      scores[.faithfulness] = try Faithfulness.evaluate(phi, values: values)
      scores[.monotonicity] = try Monotonicity.evaluate(phi, values: values)
      scores[.infidelity] = try Infidelity.evaluate(phi, perturbations: perturbations)
      scores[.shapleyMSE] = try ShapleyError.meanSquaredError(phi, groundTruth: groundTruth)
      scores[.shapleyCorrelation] = try ShapleyError.correlation(phi, groundTruth: groundTruth)
      metricSeconds += lap()
      records.append(XAIBenchRecord(dataset: sample.dataset.kind.rawValue, rho: sample.dataset.rho, model: architecture.kind,
                                    explainer: name ?? phi.method, scores: scores, explainSeconds: seconds, modelR2: r2))
    }
    let timing = String(format: "train %.1f s, conditional values and perturbations %.1f s, explainers %.1f s, metrics %.1f s",
                        trainSeconds, valueSeconds, explainSeconds, metricSeconds)
    return (records, r2, timing)
  }

  /// Fits the architecture on the synthetic rows as they are (the features are already
  /// N(0, 1) marginally and the targets standardised), so no further preprocessing is applied.
  /// Adapters and explainers run on one thread: the runner already runs one (dataset, ρ) job
  /// per core.
  private func train(_ architecture: ModelSpecification, on sample: SyntheticSample) throws -> any TabularModel {
    let s = settings
    let prepared = try PreparedDataset(
      name: sample.dataset.kind.rawValue, featureNames: (0..<sample.features).map { "x\($0)" },
      xTrain: sample.xTrain.map(Float.init), yTrain: sample.yTrain.map(Float.init),
      xTest: sample.xValidation.map(Float.init), yTest: sample.yValidation.map(Float.init))
    var initRNG = RandomGenerator(seed: s.training.seed).stream(3)
    let network = try architecture.makeModel(features: sample.features, outputs: 1, rng: &initRNG)
    let fitted = try network.fit(on: prepared, training: s.training, progress: { _ in })
    return try SnapshotEnsemble(snapshots: fitted.snapshots, task: .regression) {
      var fresh = RandomGenerator(seed: 0)
      return try architecture.makeModel(features: sample.features, outputs: 1, rng: &fresh)
    }.model
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
