import ArgumentParser
import Attribution
import Foundation
import Models
import Tensor

/// `sann explain`: per-row explanations of a saved model, INN's own or a post-hoc explainer's.
struct Explain: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Explain rows of a saved model: INN's own contributions, or SHAP, LIME, Integrated Gradients, occlusion, permutation importance.",
    discussion: """
      --method inn (the default, INN models only) prints the bias and each feature's contribution wⱼ(x)·xⱼ; they add up \
      to the logit exactly. The other methods explain the model's logit (the predicted class's for multiclass) in the \
      encoded feature space and print `base` and one score per encoded feature:
        shap         exact interventional Shapley values when there are at most 16 encoded features, else kernel-shap
        kernel-shap  Kernel SHAP as the shap package computes it (budget 2d + 2048 by default)
        lime         LIME with quartile discretisation, 5000 samples (statistics from the whole background file)
        ig           Integrated Gradients from a zero baseline (--steps, trapezoid rule)
        occlusion    f(x) − f(x with the feature set to 0, the training mean after standardisation)
        permutation  global permutation importance over the selected rows (mean |change of the logit|)
      For shap and kernel-shap, `base` is the mean logit over the background and the scores add up to logit − base.
      The background is --background rows (default 100) drawn at random with --seed from --background-data, by \
      default the --data file itself: pass the training CSV to explain against the training distribution.
      """)

  enum Method: String, ExpressibleByArgument, CaseIterable {
    case inn, shap, kernelShap = "kernel-shap", lime, ig, occlusion, permutation
  }

  @OptionGroup var input: ModelInput

  @Option(help: "inn, shap, kernel-shap, lime, ig, occlusion or permutation.")
  var method: Method = .inn

  @Flag(help: "With --method inn: also print the generated weights wⱼ(x) (columns w:<feature>) of the explained output.")
  var weights = false

  @Option(help: "Kernel SHAP coalitions per row (at least the number of encoded features + 1); default 2d + 2048.")
  var budget: Int?

  @Option(name: .customLong("background"), help: "Background rows for shap, kernel-shap and lime.")
  var backgroundRows = 100

  @Option(help: "CSV or ARFF file the background rows are drawn from (default: the --data file).")
  var backgroundData: String?

  @Option(help: "Seed for the background sample, Kernel SHAP, LIME and permutations.")
  var seed: UInt64 = 0

  @Option(help: "Integrated Gradients steps.")
  var steps = 64

  @Option(help: "Write the result to this file (atomically) instead of standard output.")
  var output: String?

  func validate() throws {
    if let budget, budget < 1 { throw ValidationError("--budget must be positive, got \(budget)") }
    if steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps)") }
    if backgroundRows < 0 { throw ValidationError("--background must not be negative, got \(backgroundRows)") }
    if weights && method != .inn { throw ValidationError("--weights only applies to --method inn") }
  }

  func run() throws {
    let (card, ensemble, x, rows) = try input.load()
    let text: String
    if method == .inn {
      text = try innExplanation(card: card, ensemble: ensemble, x: x, rows: rows)
    } else {
      text = try posthocExplanation(card: card, model: makeAdapter(ensemble.model), x: x, rows: rows)
    }
    if let output {
      try AtomicFile.write(text, to: URL(fileURLWithPath: output))
    } else {
      print(text, terminator: "")
    }
  }

  /// INN's per-row linear models, read off the forward pass.
  private func innExplanation(card: ModelCard, ensemble: SnapshotEnsemble, x: Tensor, rows: [Int]) throws -> String {
    guard let inn = ensemble.model as? Hypernetwork else {
      throw ValidationError("--model is a \(card.kind) model, a black box with no built-in explanation; train with --interpretable or pass --method shap, kernel-shap, lime, ig, occlusion or permutation")
    }
    let explanation = INNExplanation(model: inn, inputs: x)
    let names = card.preprocessor.encodedNames
    let header = ["row", "explained_output", "logit", "bias"] + names + (weights ? names.map { "w:\($0)" } : [])
    let records: [[String: Any]] = rows.enumerated().map { i, row in
      var record: [String: Any] = ["row": row, "bias": Double(explanation.bias(row: i))]
      let c = explanation.explainedOutput[i]
      record["explained_output"] = outputName(card, c)
      var logit = Double(explanation.bias(row: i))
      for (j, name) in names.enumerated() {
        let v = Double(explanation.contribution(row: i, feature: j))
        record[name] = v
        if weights { record["w:\(name)"] = Double(explanation.weight(row: i, feature: j, output: c)) }
        logit += v
      }
      record["logit"] = logit
      return record
    }
    return try input.render(header: header, records: records)
  }

  /// A post-hoc explainer applied to the model's logits.
  private func posthocExplanation(card: ModelCard, model: any DifferentiableModel, x: Tensor, rows: [Int]) throws -> String {
    let d = model.features
    let c = model.outputs
    if let budget, budget < d + 1 { throw AttributionError.budgetTooSmall(budget: budget, minimum: d + 1) }
    let data = x.scalars
    let n = rows.count
    let logits = try model.evaluate(data, count: n)
    let explained: [Int] = (0..<n).map { r in
      guard card.task == .multiclass else { return 0 }
      let slice = logits[(r * c)..<((r + 1) * c)]
      return slice.firstIndex(of: slice.max()!)! - r * c
    }
    let attribution: FeatureAttribution
    switch method {
    case .inn: fatalError("handled by innExplanation")
    case .shap:
      let background = try loadBackground(card: card)
      attribution = d <= ExactShapley.maximumFeatures
        ? try ExactShapley(background: background).explain(model, rows: data)
        : try KernelSHAP(background: background, budget: budget, seed: seed).explain(model, rows: data)
    case .kernelShap:
      attribution = try KernelSHAP(background: try loadBackground(card: card), budget: budget, seed: seed).explain(model, rows: data)
    case .lime:
      let training = try loadBackground(card: card, all: true)
      attribution = try LIME(training: training, features: d, seed: seed).explain(model, rows: data)
    case .ig:
      attribution = try IntegratedGradients(steps: steps).explain(model, rows: data)
    case .occlusion:
      attribution = try Occlusion().explain(model, rows: data)
    case .permutation:
      attribution = try PermutationImportance(seed: seed).explain(model, rows: data)
    }
    let names = card.preprocessor.encodedNames
    var records: [[String: Any]] = []
    if method == .permutation {
      for o in 0..<c {
        var record: [String: Any] = ["row": "all", "method": attribution.method, "explained_output": outputName(card, o)]
        for (j, name) in names.enumerated() { record[name] = attribution[0, o, j] }
        records.append(record)
      }
    } else {
      for (i, row) in rows.enumerated() {
        let o = explained[i]
        var record: [String: Any] = ["row": row, "method": attribution.method, "explained_output": outputName(card, o),
                                     "logit": Double(logits[i * c + o])]
        if let base = attribution.base { record["base"] = base[i * c + o] }
        for (j, name) in names.enumerated() { record[name] = attribution[i, o, j] }
        records.append(record)
      }
    }
    return try input.render(header: ["row", "method", "explained_output", "logit", "base"] + names, records: records)
  }

  private func outputName(_ card: ModelCard, _ c: Int) -> String {
    switch card.task {
    case .multiclass: return card.classNames[c]
    case .binary: return "logit(\(card.classNames[1]))"
    case .regression: return card.targetName
    }
  }

  /// Background rows, encoded: --background rows drawn with --seed (or every row, `all`).
  private func loadBackground(card: ModelCard, all: Bool = false) throws -> [Float] {
    let path = backgroundData ?? input.data
    let url = URL(fileURLWithPath: path)
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw DatasetError.unreadable(path: path, reason: "no such file (--background-data)")
    }
    let table = url.pathExtension.lowercased() == "arff" ? try ARFFReader.read(url: url) : try CSVReader.read(url: url)
    guard table.rowCount > 0, all || backgroundRows > 0 else { throw AttributionError.emptyBackground }
    var rng = RandomGenerator(seed: seed)
    let chosen = all ? Array(0..<table.rowCount) : Array(rng.permutation(table.rowCount).prefix(backgroundRows)).sorted()
    return try card.preprocessor.transform(table, rows: chosen).scalars
  }
}

/// The model in evaluation mode behind the explainers' interface; its compiled plan spreads
/// each batch of rows over every active core.
private func makeAdapter<M: TabularModel>(_ model: M) -> any DifferentiableModel {
  TabularModelAdapter(model)
}
