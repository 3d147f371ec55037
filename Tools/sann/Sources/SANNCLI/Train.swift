import ArgumentParser
import Foundation
import Models
import Tensor

/// `sann train`: the INN reference's `main_experiment.py`, with the same flags.
struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train INN (interpretable) or TabResNet on a tabular dataset and write output_info.json.",
    discussion: """
      Flags follow the reference implementation and may be spelled with underscores or dashes \
      (--nr_epochs or --nr-epochs). Example, as in the reference README:

        sann train --output_dir "." --dataset_id 1590 --nr_restarts 3 --weight_norm 0.1 \\
          --weight_decay 0.01 --seed 0 --interpretable

      --dataset_id N looks for N.arff, N.csv or a manifest.json entry in --data-dir (else \
      $SANN_DATA_DIR, else ~/.cache/sann/openml), then in the bundled datasets \
      (1510 wdbc, 187 wine, 61 iris, 31 credit-g). Results go to \
      <output_dir>/<inn|tabresnet>/<dataset>/<seed>/.
      """
  )

  @Option(name: [.customLong("dataset_id"), .customLong("dataset-id")], help: "OpenML dataset id.")
  var datasetID: Int?

  @Option(help: "A CSV or ARFF file to train on (instead of --dataset_id).")
  var data: String?

  @Option(help: "Target column of --data (default: the last column, or the manifest's target).")
  var target: String?

  @Option(help: "Comma-separated CSV columns to treat as categorical.")
  var categorical: String?

  @Option(name: [.customLong("data-dir"), .customLong("data_dir")], help: "Directory with <id>.arff, <id>.csv or manifest.json.")
  var dataDir: String?

  @Option(help: "Architecture: inn or tabresnet (default tabresnet, or inn with --interpretable).")
  var model: Experiment.Architecture?

  @Flag(help: "Train INN, the interpretable hypernetwork (same as --model inn).")
  var interpretable = false

  @Option(name: [.customLong("nr_blocks"), .customLong("nr-blocks")], help: "Residual blocks.")
  var nrBlocks = 2

  @Option(name: [.customLong("hidden_size"), .customLong("hidden-size")], help: "Hidden units per layer.")
  var hiddenSize = 128

  @Option(name: [.customLong("nr_epochs"), .customLong("nr-epochs")], help: "Training epochs.")
  var nrEpochs = 100

  @Option(name: [.customLong("batch_size"), .customLong("batch-size")], help: "Mini-batch size.")
  var batchSize = 64

  @Option(name: [.customLong("learning_rate"), .customLong("learning-rate")], help: "Peak learning rate.")
  var learningRate: Float = 0.01

  @Option(name: [.customLong("augmentation_probability"), .customLong("augmentation-probability")], help: "Per-batch augmentation probability.")
  var augmentationProbability: Float = 0

  @Option(name: [.customLong("weight_decay"), .customLong("weight-decay")], help: "L2 weight decay (coupled, as torch.optim.Adam).")
  var weightDecay: Float = 0.01

  @Flag(name: [.customLong("adamw")], help: "Decoupled weight decay (AdamW) instead of Adam's coupled L2.")
  var adamW = false

  @Option(name: [.customLong("weight_norm"), .customLong("weight-norm")], help: "INN's L1 coefficient on the generated weights.")
  var weightNorm: Float = 0.1

  @Option(name: [.customLong("scheduler_t_mult"), .customLong("scheduler-t-mult")], help: "Cosine cycle growth factor T_mult.")
  var schedulerTMult = 2

  @Option(name: [.customLong("nr_restarts"), .customLong("nr-restarts")], help: "Cosine cycles (and ensemble snapshots).")
  var nrRestarts = 3

  @Option(help: "Random seed (0...2³²−1); the train/test split equals scikit-learn's train_test_split(random_state=seed).")
  var seed: UInt64 = 0

  @Option(name: [.customLong("test_split_size"), .customLong("test-split-size")], help: "Held-out share of rows, in (0, 1).")
  var testSplitSize = 0.2

  @Option(name: [.customLong("output_dir"), .customLong("output-dir")], help: "Where results are written.")
  var outputDir = "."

  @Option(help: "classification or regression.")
  var mode: Mode = .classification

  @Flag(help: "No progress output.")
  var quiet = false

  enum Mode: String, ExpressibleByArgument {
    case classification, regression
  }

  func validate() throws {
    guard (datasetID == nil) != (data == nil) else {
      throw ValidationError("give exactly one of --dataset_id N or --data FILE")
    }
    if target != nil && data == nil { throw ValidationError("--target applies to --data FILE only") }
    if interpretable, let model, model != .inn { throw ValidationError("--interpretable means --model inn, but --model \(model.rawValue) was given") }
    func positive(_ value: Int, _ flag: String) throws {
      guard value > 0 else { throw ValidationError("\(flag) must be a positive integer, got \(value)") }
    }
    guard nrBlocks >= 0 else { throw ValidationError("--nr_blocks must be 0 or more, got \(nrBlocks)") }
    try positive(hiddenSize, "--hidden_size")
    try positive(nrEpochs, "--nr_epochs")
    try positive(nrRestarts, "--nr_restarts")
    try positive(schedulerTMult, "--scheduler_t_mult")
    guard batchSize >= 2 else { throw ValidationError("--batch_size must be at least 2 (BatchNorm needs two rows), got \(batchSize)") }
    guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning_rate must be a positive number, got \(learningRate)") }
    guard weightDecay >= 0, weightDecay.isFinite else { throw ValidationError("--weight_decay must be ≥ 0, got \(weightDecay)") }
    guard weightNorm >= 0, weightNorm.isFinite else { throw ValidationError("--weight_norm must be ≥ 0, got \(weightNorm)") }
    guard (0...1).contains(augmentationProbability) else {
      throw ValidationError("--augmentation_probability must lie in [0, 1], got \(augmentationProbability)")
    }
    guard seed <= UInt64(UInt32.max) else {
      throw ValidationError("--seed must lie in 0...4294967295 (the seeds NumPy and scikit-learn accept), got \(seed)")
    }
    guard testSplitSize > 0 && testSplitSize < 1 else {
      throw ValidationError("--test_split_size must lie strictly between 0 and 1, got \(testSplitSize)")
    }
  }

  func run() throws {
    let architecture = interpretable ? .inn : (model ?? .tabresnet)
    let (table, name, resolvedTarget) = try loadTable()
    let prepared = try PreparedDataset.prepare(table, name: name, target: resolvedTarget, regression: mode == .regression,
                                               testFraction: testSplitSize, seed: seed)
    var experiment = Experiment(architecture: architecture)
    experiment.width = hiddenSize
    experiment.blocks = nrBlocks
    var c = TrainingConfiguration()
    c.epochs = nrEpochs
    c.batchSize = batchSize
    c.learningRate = learningRate
    c.weightDecay = weightDecay
    c.decoupledWeightDecay = adamW
    c.weightNorm = weightNorm
    c.schedulerTMult = schedulerTMult
    c.restarts = nrRestarts
    c.augmentationProbability = augmentationProbability
    c.seed = seed
    experiment.configuration = c
    if !quiet {
      FileHandle.standardError.write(Data(("\(architecture.rawValue) on \(name): \(prepared.xTrain.shape[0]) training rows"
        + " (after oversampling), \(prepared.xTest.shape[0]) test rows, \(prepared.preprocessor.encodedWidth) encoded features\n").utf8))
    }
    let bar = ProgressReporter(enabled: !quiet)
    let result = try experiment.run(prepared) { bar.report($0) }
    bar.finish()

    let directory = URL(fileURLWithPath: outputDir).appendingPathComponent(architecture.rawValue)
      .appendingPathComponent(name).appendingPathComponent("\(seed)")
    try ModelFile.save(card: result.card, snapshots: result.snapshots, to: directory.appendingPathComponent("model.safetensors"))
    let json = try JSONSerialization.data(withJSONObject: result.info, options: [.prettyPrinted, .sortedKeys])
    try AtomicFile.write(json, to: directory.appendingPathComponent("output_info.json"))
    print(summary(result.info, task: prepared.task, directory: directory))
  }

  /// The table, the dataset's name for the output folder, and the target column.
  private func loadTable() throws -> (DataTable, String, String?) {
    let categoricalColumns = Set((categorical ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    if let data {
      let url = URL(fileURLWithPath: data)
      return (try readTable(url, categorical: categoricalColumns), url.deletingPathExtension().lastPathComponent, target)
    }
    let location = try DatasetLocator.standard(dataDirectory: dataDir).locate(id: datasetID!)
    return (try readTable(location.url, categorical: categoricalColumns), "\(datasetID!)", location.target)
  }

  private func readTable(_ url: URL, categorical: Set<String>) throws -> DataTable {
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw DatasetError.unreadable(path: url.path, reason: "no such file")
    }
    return url.pathExtension.lowercased() == "arff" ? try ARFFReader.read(url: url) : try CSVReader.read(url: url, categorical: categorical)
  }

  private func summary(_ info: [String: Any], task: Task, directory: URL) -> String {
    func number(_ key: String) -> String { (info[key] as? Double).map { String(format: "%.4f", $0) } ?? "n/a" }
    let metrics = task == .regression
      ? "test MSE \(number("test_mse")), RMSE \(number("test_rmse")), R² \(number("test_r2"))"
      : "test AUROC \(number("test_auroc")), accuracy \(number("test_accuracy")); train AUROC \(number("train_auroc"))"
    var lines = ["\(metrics); \(number("time")) s", "results: \(directory.path)/output_info.json"]
    if let top = info["top_10_features"] as? [String], let weights = info["top_10_features_weights"] as? [Double] {
      lines.append("top features: " + zip(top.prefix(5), weights).map { "\($0) \(String(format: "%.3f", $1))" }.joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
  }
}

extension Experiment.Architecture: @retroactive ExpressibleByArgument {}
