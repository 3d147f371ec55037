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
      Every method explains the function sann predict predicts with: the snapshot ensemble saved in the run \
      directory, through its logit t. Binary: sann predict's probability is the mean of the snapshots' probabilities \
      and t = logit of it; multiclass: t is the mean of the snapshots' logits and the probabilities are softmax(t), \
      the class the largest. So the explained logit is the one behind the prediction (for multiclass, the predicted \
      class's). For regression the logit is the prediction on the standardised target scale (the scale the model \
      was trained on), not in the target's units.

      --method own (the default; also spelled inn) prints the model's own explanation, for models that explain \
      themselves. Feature-wise ones (INN, logistic regression, NAM): the bias and each feature's contribution \
      (the snapshots' combined with the row's weights aₖ ≥ 0, Σ aₖ = 1, Σ aₖ·zₖ = t: 1/K for the mean logit, \
      the sigmoid's secant slopes for the mean probability), which add up to the logit exactly (--weights adds INN's and logistic regression's weights wⱼ(x); JSON adds `contributions` \
      per original column). Sum-of-Parts: the logit and each group (every snapshot's groups, each contribution times its snapshot's weight) — the columns it keeps, their encoded indices, its \
      contribution — adding up to the logit exactly (a CSV line per row and group). The other methods explain the model's logit (the predicted class's for multiclass) in the \
      encoded feature space and print `base` and one score per encoded feature:
        shap         exact Shapley values if 2^d ≤ the Kernel SHAP budget (no dearer than kernel-shap), else kernel-shap
        kernel-shap  Kernel SHAP as the shap package computes it (budget 2d + 2048 by default, at most 2^24)
        lime         LIME with quartile discretisation, 5000 samples (statistics from every row of --background-data)
        ig           Integrated Gradients from a zero baseline (--steps, trapezoid rule)
        occlusion    f(x) − f(x with the feature set to 0, the training mean after standardisation)
        permutation  global permutation importance over the selected rows (mean |change of the logit|)
      For shap, the budget is --budget or 2d + 2048, so by default exact needs d ≤ 11 encoded features.
      For shap and kernel-shap, `base` is the mean logit over the background and the scores add up to logit − base.
      The background is --background rows (default 100) drawn at random with --seed from --background-data, by \
      default the --data file itself: pass the training CSV to explain against the training distribution.
      A long job (past about 20 million model evaluations) explains the rows in up to 20 parts and reports each on standard error.
      Reproducibility: with the same --seed, a row gets the same scores whether it is explained alone or with other \
      rows (Kernel SHAP and LIME key their random draws on the row's number in --data). The model runs on every \
      core, split by rows, so results can differ in the last float bits between machines with different core counts.
      """)

  enum Method: String, ExpressibleByArgument, CaseIterable {
    case own, inn, shap, kernelShap = "kernel-shap", lime, ig, occlusion, permutation

    /// The post-hoc explainer, or nil for the model's own explanation.
    var posthoc: PosthocMethod? { PosthocMethod(rawValue: rawValue) }
  }

  /// The methods that explain any model from its outputs (every method but inn).
  enum PosthocMethod: String {
    case shap, kernelShap = "kernel-shap", lime, ig, occlusion, permutation
  }

  @OptionGroup var input: ModelInput

  @Option(help: "own (or inn), shap, kernel-shap, lime, ig, occlusion or permutation.")
  var method: Method = .own

  @Flag(help: "With --method own: also print the weights wⱼ(x) (columns w:<feature>) of the explained output.")
  var weights = false

  @Option(parsing: .unconditional, help: "Kernel SHAP coalitions per row, d + 1 to 2^24 (d encoded features); default 2d + 2048. With --method shap it also decides exact vs Kernel SHAP.")
  var budget: Int?

  @Option(name: .customLong("background"), parsing: .unconditional, help: "Background rows for shap and kernel-shap (lime uses every row of --background-data); default 100.")
  var background: Int?

  /// The background's size: --background, or 100.
  var backgroundRows: Int { background ?? 100 }

  @Option(help: "CSV or ARFF file the background rows (shap, kernel-shap) or LIME's statistics are drawn from (default: the --data file).")
  var backgroundData: String?

  @Option(parsing: .unconditional, help: "Seed for the background sample, Kernel SHAP, LIME and permutations.")
  var seed: UInt64 = 0

  @Option(name: .customLong("steps"), parsing: .unconditional, help: "Integrated Gradients steps; default 64.")
  var givenSteps: Int?

  /// Integrated Gradients' steps: --steps, or 64.
  var steps: Int { givenSteps ?? 64 }

  @Option(help: "Write the result to this file (atomically) instead of standard output.")
  var output: String?

  @Flag(help: "An additive model's (NAM's) global explanation instead: every feature's shape function on the values in --data (pass the training file), centred, with importances.")
  var global = false

  @Option(help: "With --global: also write the shape functions as an SVG to this file (atomically).")
  var plot: String?

  func validate() throws {
    if let budget, budget < 1 { throw ValidationError("--budget must be positive, got \(budget)") }
    if let budget, budget > KernelSHAP.maximumBudget {
      throw ValidationError("--budget must be at most \(KernelSHAP.maximumBudget) (2^24) coalitions per row, got \(budget); 2^d − 2 already enumerates every coalition of d features")
    }
    if !(1...IntegratedGradients.maximumSteps).contains(steps) { throw ValidationError("--steps must lie in 1...\(IntegratedGradients.maximumSteps), got \(steps)") }
    if backgroundRows < 0 { throw ValidationError("--background must not be negative, got \(backgroundRows)") }
    if weights && method.posthoc != nil { throw ValidationError("--weights only applies to --method own (inn)") }
    if global && method.posthoc != nil { throw ValidationError("--global is the model's own global explanation; leave out --method \(method.rawValue)") }
    // A setting the method does not use is refused, as --weights is: it would be ignored.
    let used: Set<String> = switch global ? nil : method.posthoc {
    case .shap?, .kernelShap?: ["--budget", "--background", "--background-data"]
    case .lime?: ["--background-data"]
    case .ig?: ["--steps"]
    case .occlusion?, .permutation?, nil: []
    }
    for (flag, given) in [("--budget", budget != nil), ("--background", background != nil), ("--background-data", backgroundData != nil),
                          ("--steps", givenSteps != nil)] where given && !used.contains(flag) {
      let users = ["--budget": "shap and kernel-shap", "--background": "shap and kernel-shap", "--background-data": "shap, kernel-shap and lime",
                   "--steps": "ig"][flag]!
      throw ValidationError("\(flag) applies to --method \(users); \(global ? "--global" : "--method \(method.rawValue)") does not use it")
    }
    if global && weights { throw ValidationError("--global prints shape functions, which have no --weights") }
    if plot != nil && !global { throw ValidationError("--plot draws the shape functions of --global; add --global") }
    for (flag, path) in [("--output", output), ("--plot", plot)] {
      guard let path else { continue }
      var isDirectory: ObjCBool = false
      if path.isEmpty || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) {
        throw ValidationError("\(flag) '\(path)' is a directory or empty; give a file name")
      }
    }
    // Neither may replace a file the command reads.
    let inputs = [input.data, input.model, URL(fileURLWithPath: input.model).appendingPathComponent("model.safetensors").path] + (backgroundData.map { [$0] } ?? [])
    for (flag, path) in [("--output", output), ("--plot", plot)] {
      if let path { try ModelInput.distinct(path, flag: flag, from: inputs) }
    }
    if let output, let plot, URL(fileURLWithPath: output).standardizedFileURL == URL(fileURLWithPath: plot).standardizedFileURL {
      throw ValidationError("--output and --plot name the same file, \(output); give them different names")
    }
  }

  func run() throws {
    let (card, ensemble, x, rows) = try input.load()
    let text: String
    if global {
      text = try globalExplanation(card: card, ensemble: ensemble, x: x)
    } else if let posthoc = method.posthoc {
      text = try posthocExplanation(posthoc, card: card, model: TabularModelAdapter(ensemble.model), x: x, rows: rows)
    } else {
      text = try ownExplanation(card: card, ensemble: ensemble, x: x, rows: rows)
    }
    if let output {
      try AtomicFile.write(text, to: URL(fileURLWithPath: output))
    } else {
      print(text, terminator: "")
    }
  }

  /// The model's own explanation (INN's per-row linear models, logistic regression's
  /// coefficients), read off its forward pass.
  private func ownExplanation(card: ModelCard, ensemble: SnapshotEnsemble, x: Tensor, rows: [Int]) throws -> String {
    guard let explainer = ensemble.model.selfExplaining else {
      throw CommandError("--model is a \(card.kind) model, a black box with no built-in explanation; train one that explains itself (--interpretable, --model logistic) or pass --method shap, kernel-shap, lime, ig, occlusion or permutation")
    }
    let own = try explainer.explain(x.scalars, threads: BLAS.threadCount)
    guard let explanation = own.features else {
      if weights { throw CommandError("--weights: the \(card.kind) model explains itself by groups of features, which have no per-feature weights") }
      return try groupExplanation(own.groups, card: card, rows: rows)
    }
    if weights && explanation.coefficients == nil {
      throw CommandError("--weights: the \(card.kind) model's explanation has no per-feature weights")
    }
    for r in 0..<explanation.rows {
      for o in 0..<explanation.outputs where !(explanation.total(row: r, output: o) ?? 0).isFinite {
        throw input.nonFiniteOutput(dataRow: rows[r], value: Float(explanation.total(row: r, output: o)!))
      }
    }
    let names = Self.featureKeys(card.preprocessor.encodedNames, reserved: ["row", "explained_output", "logit", "bias", "contributions"])
    let header = ["row", "explained_output", "logit", "bias"] + names + (weights ? names.map { "w:\($0)" } : [])
    let records: [[String: Any]] = rows.enumerated().map { i, row in
      let c = explanation.explainedOutput(row: i)
      let bias = explanation.base?[i * explanation.outputs + c] ?? 0
      var record: [String: Any] = ["row": row, "bias": bias, "explained_output": outputName(card, c)]
      var logit = bias
      for (j, name) in names.enumerated() {
        let v = explanation[i, c, j]
        record[name] = v
        if weights { record["w:\(name)"] = explanation.coefficient(row: i, output: c, feature: j)! }
        logit += v
      }
      record["logit"] = logit
      if input.format == .json {
        // The contributions per original column (a one-hot column's share is the sum of its codes).
        let perColumn = FeatureImportance.aggregate(Array(explanation.scores(row: i, output: c)), sources: card.preprocessor.encodedSources,
                                                    features: card.preprocessor.featureNames.count)
        record["contributions"] = Dictionary(uniqueKeysWithValues: zip(card.preprocessor.featureNames, perColumn))
      }
      return record
    }
    return try input.render(header: header, records: records)
  }

  /// The keys of the feature columns of an explanation's records: each encoded feature's name,
  /// or `feature:<name>` where the name is one of the record's own fields (a column named `bias`
  /// or `row` would otherwise overwrite the bias or the row), said on the terminal.
  static func featureKeys(_ names: [String], reserved: Set<String>) -> [String] {
    var used = reserved.union(names.filter { !reserved.contains($0) })
    return names.map { name in
      guard reserved.contains(name) else { return name }
      var key = "feature:\(name)", k = 2
      while used.contains(key) {
        key = "feature\(k):\(name)"
        k += 1
      }
      used.insert(key)
      FileHandle.standardError.write(Data("note: the feature '\(name)' is written as '\(key)': '\(name)' is a field of the explanation\n".utf8))
      return key
    }
  }

  /// A group explanation (Sum-of-Parts): per row the logit of the explained output and every
  /// group — the original columns it keeps, its encoded feature indices, its contribution, which
  /// add up to the logit. CSV has a line per (row, group), JSON an object per row with `groups`.
  private func groupExplanation(_ explanation: GroupAttribution, card: ModelCard, rows: [Int]) throws -> String {
    let m = explanation.groupCount
    let (names, sources) = (card.preprocessor.featureNames, card.preprocessor.encodedSources)
    func columns(_ group: [Int]) -> [String] {
      var seen = Set<Int>()
      return group.map { sources[$0] }.filter { seen.insert($0).inserted }.map { names[$0] }
    }
    var records: [[String: Any]] = []
    for (i, row) in rows.enumerated() {
      let totals = (0..<explanation.outputs).map { o in (0..<m).reduce(explanation.base?[i * explanation.outputs + o] ?? 0) { $0 + explanation[i, o, $1] } }
      guard totals.allSatisfy(\.isFinite) else { throw input.nonFiniteOutput(dataRow: row, value: Float(totals.first { !$0.isFinite }!)) }
      let c = card.task == .multiclass ? totals.indices.max { totals[$0] < totals[$1] }! : 0
      let groups = (0..<m).map { j -> [String: Any] in
        ["features": columns(explanation.groups[i][j]), "indices": explanation.groups[i][j], "contribution": explanation[i, c, j]]
      }
      if input.format == .json {
        records.append(["row": row, "explained_output": outputName(card, c), "logit": totals[c], "groups": groups])
      } else {
        for (j, group) in groups.enumerated() {
          records.append(["row": row, "explained_output": outputName(card, c), "logit": totals[c], "group": j,
                          "features": (group["features"] as! [String]).joined(separator: ";"),
                          "indices": (group["indices"] as! [Int]).map(String.init).joined(separator: ";"),
                          "contribution": group["contribution"]!])
        }
      }
    }
    return try input.render(header: ["row", "explained_output", "logit", "group", "features", "indices", "contribution"], records: records)
  }

  /// A post-hoc explainer applied to the model's logits.
  private func posthocExplanation(_ method: PosthocMethod, card: ModelCard, model: any DifferentiableModel, x: Tensor, rows: [Int]) throws -> String {
    let d = model.features
    let c = model.outputs
    if let budget, budget < d + 1 { throw AttributionError.budgetTooSmall(budget: budget, minimum: d + 1) }
    let data = x.scalars
    let n = rows.count
    let logits = try model.evaluate(data, count: n)
    if let bad = logits.firstIndex(where: { !$0.isFinite }) { throw input.nonFiniteOutput(dataRow: rows[bad / c], value: logits[bad]) }
    let explained: [Int] = (0..<n).map { r in
      guard card.task == .multiclass else { return 0 }
      let slice = logits[(r * c)..<((r + 1) * c)]
      return slice.firstIndex(of: slice.max()!)! - r * c
    }
    // The background (or LIME's statistics) once; then the rows, in chunks with progress on
    // standard error when the job is long. A row's scores do not depend on the rows explained
    // with it (see the discussion), so chunks change nothing but the progress shown.
    let background: [Float]
    switch method {
    case .shap, .kernelShap: background = try loadBackground(card: card, checkedOn: model)
    case .lime: background = try loadBackground(card: card, all: true)
    case .ig, .occlusion, .permutation: background = []
    }
    let exact = method == .shap && Self.shapIsExact(features: d, budget: budget)
    func explain(_ part: Range<Int>) throws -> FeatureAttribution {
      let (points, ids) = (Array(data[(part.lowerBound * d)..<(part.upperBound * d)]), Array(rows[part]))
      switch method {
      case .shap where exact: return try ExactShapley(background: background).explain(model, rows: points)
      case .shap, .kernelShap: return try KernelSHAP(background: background, budget: budget, seed: seed).explain(model, rows: points, rowIDs: ids)
      case .lime: return try LIME(training: background, features: d, seed: seed).explain(model, rows: points, rowIDs: ids)
      case .ig: return try IntegratedGradients(steps: steps).explain(model, rows: points)
      case .occlusion: return try Occlusion().explain(model, rows: points)
      case .permutation: return try PermutationImportance(seed: seed).explain(model, rows: points)
      }
    }
    // Model evaluations per row, roughly (Kernel SHAP uses at most 2^d − 2 coalitions): past 20
    // million in all, the rows go in up to 20 parts.
    let backgroundCount = Double(background.count / Swift.max(d, 1))
    let perRow: Double = switch method {
    case .shap where exact: Double(1 << d) * backgroundCount
    case .shap, .kernelShap: Swift.min(Double(budget ?? KernelSHAP.defaultBudget(features: d)), Foundation.pow(2, Double(d)) - 2) * backgroundCount
    case .lime: 5000
    case .ig: Double(3 * (steps + 1))
    case .occlusion: Double(d + 1)
    case .permutation: 0
    }
    let chunk = method != .permutation && perRow * Double(n) > 20e6 && n > 1 ? (n + 19) / 20 : n
    var parts: [(range: Range<Int>, attribution: FeatureAttribution)] = []
    let start = Date()
    for first in stride(from: 0, to: n, by: Swift.max(chunk, 1)) {
      let part = first..<Swift.min(n, first + chunk)
      parts.append((part, try explain(part)))
      if chunk < n {
        let elapsed = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(String(format: "%@: %d of %d rows explained, %.0f s, about %.0f s to go\n", method.rawValue, part.upperBound, n,
                                                   elapsed, elapsed / Double(part.upperBound) * Double(n - part.upperBound)).utf8))
      }
    }
    let names = Self.featureKeys(card.preprocessor.encodedNames, reserved: ["row", "method", "explained_output", "logit", "base"])
    var records: [[String: Any]] = []
    if method == .permutation, let attribution = parts.first?.attribution {
      for o in 0..<c {
        var record: [String: Any] = ["row": "all", "method": attribution.method, "explained_output": outputName(card, o)]
        for (j, name) in names.enumerated() { record[name] = attribution[0, o, j] }
        records.append(record)
      }
    } else {
      for (part, attribution) in parts {
        for i in part {
          let (o, local) = (explained[i], i - part.lowerBound)
          var record: [String: Any] = ["row": rows[i], "method": attribution.method, "explained_output": outputName(card, o),
                                       "logit": Double(logits[i * c + o])]
          if let base = attribution.base { record["base"] = base[local * c + o] }
          for (j, name) in names.enumerated() { record[name] = attribution[local, o, j] }
          records.append(record)
        }
      }
    }
    return try input.render(header: ["row", "method", "explained_output", "logit", "base"] + names, records: records)
  }

  /// Whether `--method shap` enumerates: exact Shapley costs 2^d coalitions per row, Kernel
  /// SHAP `budget` (default 2d + 2048), so exact is chosen when 2^d ≤ budget (and d ≤ 16).
  static func shapIsExact(features d: Int, budget: Int?) -> Bool {
    d <= ExactShapley.maximumFeatures && (1 << d) <= (budget ?? KernelSHAP.defaultBudget(features: d))
  }

  func outputName(_ card: ModelCard, _ c: Int) -> String {
    switch card.task {
    case .multiclass: return card.classNames[c]
    case .binary: return "logit(\(card.classNames[1]))"
    case .regression: return card.targetName
    }
  }

  /// Background rows, encoded: --background rows drawn with --seed (or every row, `all`).
  /// With a model, its outputs on them must be finite: a row they are not is named by its row
  /// in the file, not by its place in the sample.
  private func loadBackground(card: ModelCard, checkedOn model: (any DifferentiableModel)? = nil, all: Bool = false) throws -> [Float] {
    let file = backgroundData ?? input.data
    let table = try ModelInput.readRows(file, for: card)
    guard table.rowCount > 0, all || backgroundRows > 0 else { throw AttributionError.emptyBackground }
    var rng = RandomGenerator(seed: seed)
    let chosen = all ? Array(0..<table.rowCount) : Array(rng.permutation(table.rowCount).prefix(backgroundRows)).sorted()
    let rows = try ModelInput.asModelInput { try card.preprocessor.transform(table, rows: chosen).scalars }
    if table.rowCount == 1 {
      FileHandle.standardError.write(Data("warning: the background is the one row of \(file): every score is measured from that row, and that row itself scores 0 throughout; give a file of more rows with --background-data\n".utf8))
    }
    if let model {
      let outputs = try model.evaluate(rows, count: chosen.count)
      if let bad = outputs.firstIndex(where: { !$0.isFinite }) {
        throw input.nonFiniteOutput(dataRow: chosen[bad / Swift.max(model.outputs, 1)], value: outputs[bad], file: file)
      }
    }
    return rows
  }
}
