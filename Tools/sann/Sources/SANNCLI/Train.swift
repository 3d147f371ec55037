import ArgumentParser
import Foundation
import Models
import Tensor

/// `sann train`: the INN reference's `main_experiment.py`, with the same flags.
struct Train: ParsableCommand {
  static var configuration: CommandConfiguration {
    CommandConfiguration(
      abstract: "Train a model (INN, TabResNet, …) on a tabular dataset and write output_info.json and model.safetensors.",
      discussion: """
        Flags follow the reference implementation and may be spelled with underscores or dashes \
        (--nr_epochs or --nr-epochs). Example, as in the reference README:

          sann train --output_dir "." --dataset_id 1590 --nr_restarts 3 --weight_norm 0.1 \\
            --weight_decay 0.01 --seed 0 --interpretable

        --dataset_id N looks for N.arff, N.csv or a manifest.json entry in --data-dir (else \
        $SANN_DATA_DIR, else ~/.cache/sann/openml), then in the bundled datasets \
        (1510 wdbc, 187 wine, 61 iris, 31 credit-g). Results go to \
        <output_dir>/<model>/<dataset>/<seed>/: output_info.json (metrics, importances and the \
        configuration, each flag under its reference name and as given: --learning_rate 0.01 is \
        recorded as 0.01) and model.safetensors (the snapshot ensemble; format in Docs/model-file.md, \
        readable with numpy alone by Tools/scripts/sannkit_model.py).

        Models (--model) and their hyperparameters, given as --hidden_size, --nr_blocks, \
        --weight_norm or --param name=value:

        """ + Self.modelHelp)
  }

  /// Every registered architecture with the hyperparameters it reads, from the registry.
  static var modelHelp: String {
    ModelRegistry.architectures.map { a in
      let parameters = a.hyperparameters.map { "    \($0.name) (default \($0.defaultValue); \($0.accepted)): \($0.help)" }
      return (["  \(a.kind): \(a.summary)"] + parameters).joined(separator: "\n")
    }.joined(separator: "\n")
  }

  @Option(name: [.customLong("dataset_id"), .customLong("dataset-id")], parsing: .unconditional, help: "OpenML dataset id.")
  var datasetID: Int?

  @Option(help: "A CSV or ARFF file to train on (instead of --dataset_id).")
  var data: String?

  @Option(help: "Target column of --data (default: the last column, or the manifest's target).")
  var target: String?

  @Option(help: "Comma-separated CSV columns to treat as categorical.")
  var categorical: String?

  /// The column names --categorical lists.
  var categoricalColumns: Set<String> { Set((categorical ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }

  @Option(name: [.customLong("data-dir"), .customLong("data_dir")], help: "Directory with <id>.arff, <id>.csv or manifest.json.")
  var dataDir: String?

  @Option(help: "The model: \(ModelRegistry.kinds.joined(separator: ", ")) (default tabresnet, or inn with --interpretable).")
  var model: String?

  @Flag(help: "Train INN, the interpretable hypernetwork (same as --model inn).")
  var interpretable = false

  @Option(name: [.customLong("nr_blocks"), .customLong("nr-blocks")], parsing: .unconditional, help: "Residual blocks (INN, TabResNet; default 2).")
  var nrBlocks: String?

  @Option(name: [.customLong("hidden_size"), .customLong("hidden-size")], parsing: .unconditional, help: "Hidden units per layer (INN, TabResNet; default 128).")
  var hiddenSize: String?

  @Option(name: [.customLong("weight_norm"), .customLong("weight-norm")], parsing: .unconditional, help: "INN's L1 coefficient on the generated weights (default 0.1).")
  var weightNorm: String?

  @Option(help: "Sum-of-Parts: a saved TabResNet run (its folder) on the same columns and split, used as the frozen backbone (same as --param backbone=PATH; default: train one first).")
  var backbone: String?

  @Option(name: .customLong("param"), parsing: .unconditionalSingleValue, help: ArgumentHelp("A model hyperparameter, name=value (repeatable); see the list below.", valueName: "name=value"))
  var parameters: [String] = []

  @Option(name: [.customLong("nr_epochs"), .customLong("nr-epochs")], parsing: .unconditional, help: "Training epochs (default 100).")
  var nrEpochs: Int?

  @Option(name: [.customLong("batch_size"), .customLong("batch-size")], parsing: .unconditional, help: "Mini-batch size (default 64).")
  var batchSize: Int?

  @Option(name: [.customLong("learning_rate"), .customLong("learning-rate")], parsing: .unconditional, help: "Peak learning rate (default 0.01).")
  var learningRate: Float?

  @Option(name: [.customLong("augmentation_probability"), .customLong("augmentation-probability")], parsing: .unconditional, help: "Per-batch augmentation probability (default 0).")
  var augmentationProbability: Float?

  @Option(name: [.customLong("weight_decay"), .customLong("weight-decay")], parsing: .unconditional, help: "L2 weight decay (coupled, as torch.optim.Adam; default 0.01).")
  var weightDecay: Float?

  @Flag(name: [.customLong("adamw")], help: "Decoupled weight decay (AdamW) instead of Adam's coupled L2.")
  var adamW = false

  @Option(name: [.customLong("scheduler_t_mult"), .customLong("scheduler-t-mult")], parsing: .unconditional, help: "Cosine cycle growth factor T_mult (default 2).")
  var schedulerTMult: Int?

  @Option(name: [.customLong("nr_restarts"), .customLong("nr-restarts")], parsing: .unconditional, help: "Cosine cycles (and ensemble snapshots; default 3).")
  var nrRestarts: Int?

  @Option(parsing: .unconditional, help: "Random seed (0...2³²−1); the train/test split equals scikit-learn's train_test_split(random_state=seed, stratify=y) (not stratified with --mode regression).")
  var seed: UInt64 = 0

  @Option(name: [.customLong("test_split_size"), .customLong("test-split-size")], parsing: .unconditional, help: "Held-out share of rows, in (0, 1).")
  var testSplitSize = 0.2

  @Option(name: [.customLong("output_dir"), .customLong("output-dir")], help: "Where results are written.")
  var outputDir = "."

  @Option(help: "classification or regression.")
  var mode: Mode = .classification

  @Flag(help: "No progress output.")
  var quiet = false

  @Option(parsing: .unconditional, help: "Cores for each training step (each layer's two backward products at once, large forward products in two column blocks, GELU in halves, Adam's update beside the next forward pass): 1, 2 or auto, the default, which times epochs on 1 and 2 and keeps the faster, re-timing the other now and then (1 on a one-core machine or with OPENBLAS_NUM_THREADS above 1, which 2 competes with). Results do not depend on it; give 1 when several runs share the machine.")
  var threads = "auto"

  enum Mode: String, ExpressibleByArgument {
    case classification, regression
  }

  /// The training configuration from the flags, with the reference's defaults.
  var training: TrainingConfiguration {
    var c = TrainingConfiguration()
    c.epochs = nrEpochs ?? c.epochs
    c.batchSize = batchSize ?? c.batchSize
    c.learningRate = learningRate ?? c.learningRate
    c.weightDecay = weightDecay ?? c.weightDecay
    c.decoupledWeightDecay = adamW
    c.schedulerTMult = schedulerTMult ?? c.schedulerTMult
    c.restarts = nrRestarts ?? c.restarts
    c.augmentationProbability = augmentationProbability ?? c.augmentationProbability
    c.seed = seed
    return c
  }

  /// Which training flags were given on the command line.
  var givenTrainingFlags: [(TrainingSetting, Bool)] {
    [(.epochs, nrEpochs != nil), (.batchSize, batchSize != nil), (.learningRate, learningRate != nil), (.weightDecay, weightDecay != nil),
     (.decoupledWeightDecay, adamW), (.schedulerTMult, schedulerTMult != nil), (.restarts, nrRestarts != nil),
     (.augmentationProbability, augmentationProbability != nil)]
  }

  /// The architecture's kind.
  var kind: String { interpretable ? MesomorphicNetwork.kind : (model ?? TabResNet.kind) }

  /// The model's hyperparameters as given: the reference's flags and every --param.
  func hyperparameters() throws -> Hyperparameters {
    var values = try Self.parse(parameters, flag: "--param")
    for (name, value) in [("hidden_size", hiddenSize), ("nr_blocks", nrBlocks), ("weight_norm", weightNorm), ("backbone", backbone)] {
      guard let value else { continue }
      guard values[name] == nil else { throw ValidationError("\(name) is given both as --\(name) and as --param \(name)=…; give it once") }
      values[name] = value
    }
    return Hyperparameters(values)
  }

  /// name=value pairs given to `flag`; names may be spelled with dashes, as the flags may.
  static func parse(_ parameters: [String], flag: String) throws -> [String: String] {
    var values: [String: String] = [:]
    for parameter in parameters {
      let parts = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2, !parts[0].isEmpty else {
        throw ValidationError("\(flag) '\(parameter)' is not name=value (for example \(flag) hidden_size=64)")
      }
      let name = parts[0].replacingOccurrences(of: "-", with: "_")
      guard values[name] == nil else { throw ValidationError("\(flag) \(name) is given twice") }
      values[name] = parts[1]
    }
    return values
  }

  /// The model to train, configured and validated through the registry.
  func specification() throws -> ModelSpecification {
    do {
      return try ModelRegistry.specification(kind: kind, hyperparameters: try hyperparameters())
    } catch let error as ArchitectureError {
      throw ValidationError("\(error)")
    }
  }

  func validate() throws {
    guard (datasetID == nil) != (data == nil) else {
      throw ValidationError("give exactly one of --dataset_id N or --data FILE")
    }
    if target != nil && data == nil { throw ValidationError("--target applies to --data FILE only") }
    if let datasetID, datasetID < 1 { throw ValidationError("--dataset_id must be a positive OpenML id, got \(datasetID)") }
    if interpretable, let model, model != MesomorphicNetwork.kind {
      throw ValidationError("--interpretable means --model inn, but --model \(model) was given")
    }
    _ = try specification()
    func range(_ value: Int, _ flag: String, _ bounds: ClosedRange<Int>) throws {
      guard bounds.contains(value) else { throw ValidationError("\(flag) must be an integer in \(bounds.lowerBound)...\(bounds.upperBound), got \(value)") }
    }
    let c = training
    try range(c.epochs, "--nr_epochs", 1...1_000_000)
    try range(c.restarts, "--nr_restarts", 1...1000)
    try range(c.schedulerTMult, "--scheduler_t_mult", 1...1000)
    guard c.schedulerTMult == 1 || Double(c.restarts) * log2(Double(c.schedulerTMult)) <= 50 else {
      throw ValidationError("--scheduler_t_mult \(c.schedulerTMult) to the power --nr_restarts \(c.restarts) exceeds 2^50 iterations; use fewer restarts or a smaller multiplier")
    }
    try range(c.batchSize, "--batch_size", 2...1 << 24)
    guard c.learningRate > 0, c.learningRate.isFinite, c.learningRate <= 1e6 else {
      throw ValidationError("--learning_rate must be a positive number up to 1e6, got \(c.learningRate)")
    }
    guard c.weightDecay >= 0, c.weightDecay.isFinite, c.weightDecay <= 1e6 else { throw ValidationError("--weight_decay must lie in [0, 1e6], got \(c.weightDecay)") }
    guard (0...1).contains(c.augmentationProbability) else {
      throw ValidationError("--augmentation_probability must lie in [0, 1], got \(c.augmentationProbability)")
    }
    guard seed <= UInt64(UInt32.max) else {
      throw ValidationError("--seed must lie in 0...4294967295 (the seeds NumPy and scikit-learn accept), got \(seed)")
    }
    guard testSplitSize > 0 && testSplitSize < 1 else {
      throw ValidationError("--test_split_size must lie strictly between 0 and 1, got \(testSplitSize)")
    }
    guard ["auto", "1", "2"].contains(threads) else { throw ValidationError("--threads must be 1, 2 or auto, got '\(threads)'") }
  }

  func run() throws {
    // auto measures where there is a second core and OpenBLAS is not threading products itself
    // (OPENBLAS_NUM_THREADS above 1: the two would compete for the same cores).
    var tuner: ThreadCountTuner?
    if let fixed = Int(threads) {
      Parallelism.threadCount = fixed
      // Two of ours on top of OpenBLAS's own threads made runs 3.5–5× slower. OpenBLAS's thread
      // count stays the user's (changing it could change the rounding), so say so instead.
      if fixed == 2 && BLAS.threadCount > 1 {
        FileHandle.standardError.write(Data(("warning: --threads 2 and OPENBLAS_NUM_THREADS=\(BLAS.threadCount) compete for the same cores"
          + " (runs measured 3.5–5× slower); unset OPENBLAS_NUM_THREADS, or use --threads 1 or auto\n").utf8))
      }
    } else if ProcessInfo.processInfo.activeProcessorCount >= 2 && BLAS.threadCount == 1 {
      tuner = ThreadCountTuner()
    } else {
      Parallelism.threadCount = 1
    }
    let specification = try specification()
    let (table, name, resolvedTarget) = try loadTable()
    // The run's folder is locked and known writable before any training.
    let run = try RunDirectory(parent: URL(fileURLWithPath: outputDir).appendingPathComponent(specification.kind).appendingPathComponent(name),
                               name: "\(seed)")
    // The run writes these two files: neither may be the data it reads.
    if let data {
      let read = ModelInput.resolved(data)
      for written in ["output_info.json", "model.safetensors"]
      where ModelInput.resolved(run.final.appendingPathComponent(written)) == read {
        throw CommandError("--data \(data) is the \(written) this run writes; move the data elsewhere or give another --output_dir")
      }
    }
    let prepared = try PreparedDataset.prepare(table, name: name, target: resolvedTarget, regression: mode == .regression,
                                               testFraction: testSplitSize, seed: seed)
    if let replaced = Self.replacedRun(in: run.final, task: prepared.task, target: prepared.targetName) {
      FileHandle.standardError.write(Data(("warning: \(run.final.path) holds \(replaced); this run replaces it"
        + " (give another --output_dir to keep both)\n").utf8))
    }
    // Columns left out are said on the terminal, not only in output_info.json: a warning when
    // --categorical named the column, a note otherwise.
    let named = categoricalColumns
    for column in prepared.dropped where named.contains(column.column) || !quiet {
      let (label, asked) = named.contains(column.column) ? ("warning", " although --categorical names it") : ("note", "")
      FileHandle.standardError.write(Data("\(label): column '\(column.column)' is left out\(asked): \(column.reason)\n".utf8))
    }
    let experiment = Experiment(model: specification, training: training)
    // A flag the model does not read is ignored: say so rather than record it as if it applied.
    let used = specification.trainingSettings
    for (setting, given) in givenTrainingFlags where given && !used.contains(setting) {
      FileHandle.standardError.write(Data("warning: \(specification.kind) does not use --\(setting.rawValue == "decoupled_weight_decay" ? "adamw" : setting.rawValue); it is ignored\n".utf8))
    }
    if !quiet {
      FileHandle.standardError.write(Data(("\(specification.kind) on \(name): \(prepared.xTrain.shape[0]) training rows"
        + " (after oversampling), \(prepared.xTest.shape[0]) test rows, \(prepared.preprocessor.encodedWidth) encoded features\n").utf8))
    }
    let bar = ProgressReporter(enabled: !quiet)
    var lastElapsed = 0.0
    let result = try experiment.run(prepared) { progress in
      bar.report(progress)
      // Epoch times from the elapsed time each report carries (it restarts with every model trained).
      if progress.epoch == 1 { lastElapsed = 0 }
      tuner?.roundEnded(seconds: progress.elapsed - lastElapsed)
      lastElapsed = progress.elapsed
    }
    bar.finish()

    // Everything into the staging folder, then into place as a unit. Models trained on the way
    // (Sum-of-Parts' backbone) go in folders of their own inside the run; one an earlier run left
    // that this run did not train is not carried over.
    try Self.save(result, in: run.staging)
    for (companion, companionResult) in result.companions {
      try Self.save(companionResult, in: run.staging.appendingPathComponent(companion))
    }
    // Hyperparameters that name files or folders (a saved backbone) are what the run read.
    let read = try hyperparameters().values.values.filter { FileManager.default.fileExists(atPath: $0) }
    try run.commit(inputs: read)
    if result.report.task != .regression && result.report.test.auroc == nil {
      FileHandle.standardError.write(Data(("warning: the test rows do not hold every class, so test AUROC and log loss are undefined and left out of "
        + "output_info.json; give a larger --test_split_size or use more rows\n").utf8))
    }
    print(summary(result.report, directory: run.final))
  }

  /// What an earlier run in `folder` was, when it learned another kind of task or another target
  /// than this run will (a regression run on the same file is filed under the same
  /// <model>/<dataset>/<seed> as a classification run): "a regression run of 'y'". Nil when
  /// there is no earlier run, it is of the same kind, or its files cannot be read.
  static func replacedRun(in folder: URL, task: PredictionTask, target: String) -> String? {
    guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("output_info.json").path),
          let info = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let earlierTask = (info["task"] as? String).flatMap(PredictionTask.init(rawValue:)) else { return nil }
    let earlierTarget = (try? ModelFile.load(from: folder.appendingPathComponent("model.safetensors")))?.card.targetName
    let kind = { (task: PredictionTask) in task == .regression ? "regression" : "classification" }
    let sameKind = kind(earlierTask) == kind(task)
    guard !sameKind || (earlierTarget != nil && earlierTarget != target) else { return nil }
    return "a \(kind(earlierTask)) run" + (earlierTarget.map { " of '\($0)'" } ?? "")
  }

  /// model.safetensors and output_info.json of one run, each written atomically.
  static func save(_ result: Experiment.Result, in directory: URL) throws {
    try ModelFile.save(card: result.card, snapshots: result.snapshots, to: directory.appendingPathComponent("model.safetensors"))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(try encoder.encode(result.report), to: directory.appendingPathComponent("output_info.json"))
  }

  /// The table, the dataset's name for the output folder, and the target column.
  private func loadTable() throws -> (DataTable, String, String?) {
    if let data {
      let url = URL(fileURLWithPath: data)
      return (try Self.read(url, categorical: categoricalColumns), url.deletingPathExtension().lastPathComponent, target)
    }
    let location = try DatasetLocator.standard(dataDirectory: dataDir).locate(id: datasetID!)
    return (try Self.read(location.url, categorical: categoricalColumns), "\(datasetID!)", location.target)
  }

  /// The table of a CSV or ARFF file. An ARFF file declares its columns' types, so --categorical
  /// may only name its nominal (or string) attributes: an unknown name is refused as for a CSV
  /// file, and a numeric attribute with a hint to declare it nominal, rather than ignored.
  static func read(_ url: URL, categorical: Set<String>) throws -> DataTable {
    let table = try DataTable.read(url: url, categorical: categorical)
    guard url.pathExtension.lowercased() == "arff" else { return table }
    for name in categorical.sorted() {
      guard let column = table.columns.first(where: { $0.name == name }) else {
        throw DatasetError.unknownColumn(source: url.path, name: name, available: table.columns.map(\.name))
      }
      guard column.isCategorical else {
        throw CommandError("--categorical \(name): \(url.path) declares '\(name)' numeric; an ARFF file's types are its own — declare the attribute nominal ({a,b,…}) in the file to use it as categories")
      }
    }
    return table
  }

  private func summary(_ report: ExperimentReport, directory: URL) -> String {
    func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
    let metrics = report.task == .regression
      ? "test MSE \(number(report.test.mse)), RMSE \(number(report.test.rmse)), R² \(number(report.test.r2))"
      : "test AUROC \(number(report.test.auroc)), accuracy \(number(report.test.accuracy)); train AUROC \(number(report.train.auroc))"
    var lines = ["\(metrics); \(number(report.time)) s", "results: \(directory.path)/output_info.json"]
    if let importance = report.importance {
      lines.append("top features: " + zip(importance.top10Features.prefix(5), importance.top10Weights)
        .map { "\($0) \(String(format: "%.3f", $1))" }.joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
  }
}
