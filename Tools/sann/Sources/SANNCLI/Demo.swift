import ArgumentParser
import Foundation
import Tensor

/// `sann demo`: trains a small residual network on a bundled dataset with the Tensor package,
/// end to end (data, BatchNorm, residual blocks, Adam, warm-up + cosine restarts, checkpoint).
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train a residual network on a numeric CSV dataset and report test accuracy.",
    discussion: """
      Reads a CSV with a header row, numeric feature columns and a class column (the last by \
      default), standardises the features on a stratified 80/20 split, trains with Adam, and \
      writes the weights as safetensors.
      """
  )

  @Option(help: "CSV file: header row, numeric features, class column.")
  var data: String = "Datasets/1510-wdbc.csv"

  @Option(help: "Name of the class column (default: the last column).")
  var target: String?

  @Option(help: "Training epochs.")
  var epochs: Int = 30

  @Option(help: "Hidden width of the network.")
  var hidden: Int = 64

  @Option(help: "Mini-batch size.")
  var batchSize: Int = 64

  @Option(help: "Peak learning rate of Adam.")
  var learningRate: Float = 0.01

  @Option(help: "Random seed: the same seed gives the same numbers.")
  var seed: UInt64 = 0

  @Option(help: "Where to write the trained weights (safetensors).")
  var output: String?

  @Flag(help: "Print only the final result.")
  var quiet = false

  func validate() throws {
    guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
    guard hidden > 0 else { throw ValidationError("--hidden must be positive, got \(hidden)") }
    guard batchSize > 1 else { throw ValidationError("--batch-size must be at least 2 (BatchNorm needs two rows), got \(batchSize)") }
    guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate must be a positive number, got \(learningRate)") }
  }

  func run() throws {
    let table = try NumericTable.load(csv: URL(fileURLWithPath: data), target: target)
    var rng = RandomGenerator(seed: seed)
    let (train, test) = stratifiedSplit(labels: table.labels, testFraction: 0.2, rng: &rng)
    guard train.count >= 2 else { throw CLIError("\(data): too few rows to train (\(train.count) in the training split)") }
    let x = Tensor(rows: table.features)
    let (mean, scale) = standardisation(of: x.gatheringRows(train))
    let xTrain = (x.gatheringRows(train) - mean) / scale
    let xTest = (x.gatheringRows(test) - mean) / scale
    let yTrain = train.map { table.labels[$0] }
    let yTest = test.map { table.labels[$0] }
    let classes = table.classNames.count

    let model = Sequential([
      Linear(x.shape[1], hidden, rng: &rng), BatchNorm1d(hidden), Activation(.gelu),
      ResidualBlock(width: hidden, rng: &rng), Linear(hidden, classes, rng: &rng),
    ])
    let optimizer = Adam(model.parameters, learningRate: learningRate, weightDecay: 1e-4)
    let warmup = Swift.min(5, epochs)
    let scheduler = LearningRateScheduler(optimizer, schedule: SequentialSchedule(
      [LinearWarmup(startFactor: 0.1, steps: Double(warmup)),
       CosineAnnealingWarmRestarts(period: Double(Swift.max(epochs - warmup, 1)))],
      milestones: [Double(warmup)]))
    let batchesPerEpoch = Swift.max(1, train.count / batchSize)
    let start = Date()
    for epoch in 1...epochs {
      model.train()
      let order = rng.permutation(train.count)
      var total: Float = 0
      for b in 0..<batchesPerEpoch {
        let rows = Array(order[(b * batchSize)..<Swift.min((b + 1) * batchSize, order.count)])
        guard rows.count > 1 else { continue }
        optimizer.zeroGrad()
        let loss = crossEntropy(logits: model(xTrain.gatheringRows(rows)), labels: rows.map { yTrain[$0] })
        loss.backward()
        optimizer.step()
        scheduler.step(by: 1 / Double(batchesPerEpoch))
        total += loss.item
      }
      if !quiet && (epoch == 1 || epoch % 5 == 0 || epoch == epochs) {
        print(String(format: "epoch %3d/%d  loss %.4f  test accuracy %.4f", epoch, epochs, total / Float(batchesPerEpoch),
                     accuracy(model, xTest, yTest)))
      }
    }
    let seconds = Date().timeIntervalSince(start)
    print(String(format: "%@: %d rows, %d features, %d classes; test accuracy %.4f after %d epochs in %.2f s",
                 data, table.labels.count, x.shape[1], classes, accuracy(model, xTest, yTest), epochs, seconds))
    if let output {
      try model.save(to: URL(fileURLWithPath: output), metadata: ["format": "sannkit-demo", "classes": table.classNames.joined(separator: ",")])
      print("weights written to \(output)")
    }
  }

  private func accuracy(_ model: Sequential, _ x: Tensor, _ y: [Int]) -> Double {
    guard !y.isEmpty else { return .nan }
    model.eval()
    defer { model.train() }
    let logits = withoutGradient { model(x) }
    let classes = logits.shape[1]
    var correct = 0
    for (i, label) in y.enumerated() {
      let row = logits.scalars[(i * classes)..<((i + 1) * classes)]
      if row.firstIndex(of: row.max()!)! - i * classes == label { correct += 1 }
    }
    return Double(correct) / Double(y.count)
  }
}

/// Column means and standard deviations (1 where a column is constant).
func standardisation(of x: Tensor) -> (mean: Tensor, scale: Tensor) {
  let mean = x.mean(alongAxis: 0, keepingDims: true)
  let std = x.variance(alongAxes: [0], keepingDims: true).sqrt()
  return (mean, Tensor(shape: std.shape, scalars: std.scalars.map { $0 > 0 ? $0 : 1 }))
}

/// Row indices split so each class keeps its share in both parts.
func stratifiedSplit(labels: [Int], testFraction: Double, rng: inout RandomGenerator) -> (train: [Int], test: [Int]) {
  var train: [Int] = []
  var test: [Int] = []
  for label in Set(labels).sorted() {
    let rows = labels.indices.filter { labels[$0] == label }
    let order = rng.permutation(rows.count).map { rows[$0] }
    let testCount = Int((Double(rows.count) * testFraction).rounded())
    test += order.prefix(testCount)
    train += order.dropFirst(testCount)
  }
  return (train.sorted(), test.sorted())
}
