// Logistic regression reaches scikit-learn's optimum (reference coefficients from
// Tools/scripts/logistic-reference.py, scikit-learn 1.9.1, fitted to 1e-12), for every penalty,
// binary, multiclass and regression; the trainer's objective is stationary there; it explains
// itself exactly.

import Foundation
import Models
import Tensor
import Testing
import TestSupport

@Suite("Logistic regression")
struct LogisticRegressionTests {
  /// (W row-major [outputs, features], intercepts) as scikit-learn found them.
  static let reference: [String: ([Double], [Double])] = [
    "wdbc-l2-C1": ([0.36309271459666875, 0.3876752832491784, 0.3510622995756686, 0.4356092343712071, 0.16183174382641016, -0.5626539978926342, 0.8599168401490215, 0.9622797983211596, -0.07620922296300135, -0.3222256192397504, 1.2909424522949107, -0.2689219792530132, 0.6599752411473858, 1.0125572476150244, 0.2772130440422663, -0.7363236167112054, -0.1105389836415423, 0.33340679056156936, -0.2957932446746888, -0.6809200938367496, 1.029262864031172, 1.3146082460067197, 0.8233480287942787, 1.010706259305327, 0.6706808351828064, -0.0445640448655827, 0.873334056942021, 0.9120031277617506, 0.8878373648831024, 0.4798189992677816],
      [-0.21450294878645307]),
    "wdbc-l1-C0.1": ([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.519478777903929, 0.0, 0.0, 0.3198604621719907, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.2494057518554436, 0.7354346559353762, 0.0, 0.0, 0.18170378152943012, 0.0, 0.025547255407041884, 1.095345423903111, 0.162851266108042, 0.0],
      [-0.6936478131330658]),
    "wdbc-elasticnet-C0.5": ([0.34506869860669653, 0.40108061319217103, 0.318088545722266, 0.3752279445591761, 0.0, -0.10929847977752241, 0.575426626444206, 0.7715924587395292, 0.0, -0.24588781369759072, 1.070982955165061, -0.1271934247402646, 0.5089258914101267, 0.7267489034207977, 0.14162806947681705, -0.5937306628674026, 0.0, 0.11505515001120108, -0.2095477177978129, -0.3752059216557274, 0.911183506176789, 1.0280567606094424, 0.7347096533401581, 0.8301179437511825, 0.6939078851319526, 0.0, 0.6719485523138651, 0.8699866317725288, 0.6825754270895229, 0.11626113725150732],
      [-0.32519069440868187]),
    "iris-l2-C1": ([-1.0740658549623483, 1.1601150177464568, -1.930691939029364, -1.8115561311791792, 0.5878100605228025, -0.36184058797663216, -0.363430860639193, -0.8262697551778296, 0.486255794439546, -0.7982744297698253, 2.2941227996685565, 2.6378258863570085],
      [-0.20524100450803037, 2.0748397919051094, -1.8695987873970914]),
    "iris-l1-C0.5": ([0.0, 0.6901358810736604, -4.029054866662008, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.25334197635469924, 2.3841425901539113, 4.06153612320026],
      [-0.10462028292254442, 2.08872563352814, -1.9841053506054]),
    "diabetes-l2-C2": ([-0.005864501916218861, -0.1476248351366847, 0.32145703512497803, 0.19997771963314476, -0.4342719778164489, 0.25080118809665397, 0.038132112695258354, 0.10279152135423474, 0.4431353342413274, 0.04211609413997875],
      [3.833326551266217e-16]),
    "diabetes-l1-C0.05": ([0.0, -0.06420922392373173, 0.316190609596485, 0.1535220162746855, -0.0, -0.0, -0.11757110475015106, 0.0, 0.27920375720397717, 0.0058459372296016075],
      [9.365051195818382e-16]),
  ]

  /// A bundled CSV, every row for training, features standardised with the population
  /// standard deviation, classes coded in sorted order (or a standardised numeric target).
  static func dataset(_ file: String, regression: Bool = false) throws -> PreparedDataset {
    let table = try DataTable.read(url: try #require(DatasetLocator.bundledDirectory).appendingPathComponent(file))
    let features = table.columns.dropLast()
    let n = table.rowCount
    var x = [Float](repeating: 0, count: n * features.count)
    for (j, column) in features.enumerated() {
      guard case .numeric(let cells) = column.values else { throw DatasetError.invalidTarget(source: file, column: column.name, reason: "is not numeric") }
      let values = cells.map { Double($0!) }
      let mean = values.reduce(0, +) / Double(n)
      let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
      for i in 0..<n { x[i * features.count + j] = Float((values[i] - mean) / sd) }
    }
    let target = table.columns.last!
    var y: [Float]
    var classes: [String] = []
    switch target.values {
    case .categorical(let levels, let codes):
      classes = levels.sorted()
      y = codes.map { Float(classes.firstIndex(of: levels[$0!])!) }
    case .numeric(let cells):
      let values = cells.map { Double($0!) }
      let mean = values.reduce(0, +) / Double(n)
      let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
      y = values.map { Float(($0 - mean) / sd) }
    }
    // Every row trains; the test split (one row, required) is not used.
    return try PreparedDataset(name: file, featureNames: features.map(\.name), xTrain: x, yTrain: y,
                               xTest: Array(x.prefix(features.count)), yTest: [y[0]], classNames: regression ? [] : classes)
  }

  static func fit(_ data: PreparedDataset, _ hyperparameters: Hyperparameters) throws -> LogisticRegression {
    var values = hyperparameters.values
    values["tol"] = "1e-10"
    let spec = try ModelRegistry.specification(kind: "logistic", hyperparameters: Hyperparameters(values))
    var rng = RandomGenerator(seed: 0)
    let model = try spec.makeModel(features: data.preprocessor.encodedWidth, outputs: data.task.outputs(classes: data.classCount), rng: &rng) as! LogisticRegression
    var notes: [String] = []
    _ = try model.fit(on: data, training: TrainingConfiguration()) { if let note = $0.note { notes.append(note) } }
    #expect(notes.isEmpty, "\(notes)")
    return model
  }

  @Test("reaches scikit-learn's coefficients and intercepts to 1e-4", arguments: [
    ("wdbc-l2-C1", "1510-wdbc.csv", ["penalty": "l2", "C": "1"]),
    ("wdbc-l1-C0.1", "1510-wdbc.csv", ["penalty": "l1", "C": "0.1"]),
    ("wdbc-elasticnet-C0.5", "1510-wdbc.csv", ["penalty": "elasticnet", "C": "0.5", "l1_ratio": "0.3"]),
    ("iris-l2-C1", "61-iris.csv", ["penalty": "l2", "C": "1"]),
    ("iris-l1-C0.5", "61-iris.csv", ["penalty": "l1", "C": "0.5"]),
    ("diabetes-l2-C2", "diabetes-regression.csv", ["penalty": "l2", "C": "2"]),
    ("diabetes-l1-C0.05", "diabetes-regression.csv", ["penalty": "l1", "C": "0.05"]),
  ])
  func matchesScikitLearn(name: String, file: String, hyperparameters: [String: String]) throws {
    let data = try Self.dataset(file, regression: file.hasPrefix("diabetes"))
    let model = try Self.fit(data, Hyperparameters(hyperparameters))
    let (w, b) = try #require(Self.reference[name])
    let ours = model.linear.weight.value.scalars.map(Double.init)
    #expect(maxRelativeDifference(ours, w) < 1e-4, "\(name): W differs by \(maxRelativeDifference(ours, w))")
    #expect(maxRelativeDifference(model.linear.bias!.value.scalars.map(Double.init), b) < 1e-4, "\(name): intercepts")
    // An ℓ1 optimum is sparse: exactly the coefficients scikit-learn zeroes are zero here.
    if hyperparameters["penalty"] == "l1" {
      #expect(zip(ours, w).allSatisfy { ($0 == 0) == ($1 == 0) }, "\(name): sparsity pattern")
    }
  }

  @Test("at the ℓ2 optimum the trainer's objective (task loss + trainingOutput's penalty) is stationary")
  func stationary() throws {
    let data = try Self.dataset("1510-wdbc.csv")
    let model = try Self.fit(data, ["penalty": "l2", "C": "0.3"])
    model.linear.weight.value.requiresGrad = true
    model.linear.bias!.value.requiresGrad = true
    model.zeroGrad()
    Trainer.objective(model, data.xTrain, data.yTrain, task: data.task).backward()
    let gradient = (model.linear.weight.grad!.scalars + model.linear.bias!.grad!.scalars).map { Swift.abs($0) }.max()!
    #expect(gradient < 1e-5, "largest gradient entry \(gradient)")
    // Away from the optimum it is not.
    model.linear.weight.value = model.linear.weight.value * 1.1
    model.zeroGrad()
    Trainer.objective(model, data.xTrain, data.yTrain, task: data.task).backward()
    #expect(model.linear.weight.grad!.scalars.map { Swift.abs($0) }.max()! > 1e-3)
  }

  @Test("explains itself: φⱼ = wⱼ·xⱼ, base b, and base + Σφ is the logit")
  func explanation() throws {
    let data = try Self.dataset("61-iris.csv")
    let model = try Self.fit(data, [:])
    let rows = Array(data.xTrain.scalars.prefix(40))
    let attribution = try #require(try model.selfExplaining?.explain(rows, threads: 1).features)
    let logits = withoutGradient { model(Tensor(shape: [10, 4], scalars: rows)) }
    #expect(attribution.method == "logistic")
    for r in 0..<10 {
      for o in 0..<3 {
        #expect(Swift.abs(attribution.total(row: r, output: o)! - Double(logits[r, o])) < 1e-5)
        for j in 0..<4 { #expect(attribution.coefficient(row: r, output: o, feature: j) == Double(model.linear.weight.value[o, j])) }
      }
    }
  }

  @Test("logistic regression is additive: its shape functions are centred lines that rebuild the logits")
  func globalExplanation() throws {
    let data = try Self.dataset("61-iris.csv")
    let model = try Self.fit(data, [:])
    let rows = Array(data.xTrain.scalars.prefix(60 * 4))
    let global = try #require(try model.globalExplaining?.globalExplanation(trainingRows: rows))
    let logits = withoutGradient { model(Tensor(shape: [60, 4], scalars: rows)) }
    for r in 0..<60 {
      for o in 0..<3 {
        let total = global.shapes.reduce(global.intercept[o]) { $0 + $1.contributions[$1.values.firstIndex(of: rows[r * 4 + $1.feature])!][o] }
        #expect(Swift.abs(total - Double(logits[r, o])) < 1e-4)
      }
    }
  }

  @Test("a configuration out of range (from code or an edited model file) is refused when the model is built")
  func invalidConfiguration() {
    var rng = RandomGenerator(seed: 0)
    for configuration in [LogisticRegression.Configuration(inverseStrength: 0), .init(inverseStrength: .infinity), .init(l1Ratio: 1.5),
                          .init(maximumIterations: 0), .init(tolerance: -1)] {
      #expect(throws: ArchitectureError.self) { try LogisticRegression(configuration: configuration, features: 3, outputs: 1, rng: &rng) }
    }
  }

  @Test("a setting the chosen penalty does not read is refused, not ignored: l1_ratio without elasticnet, C with none (at their defaults they change nothing and pass)")
  func unusedSettings() throws {
    for (values, name) in [(["penalty": "l2", "l1_ratio": "0.3"], "l1_ratio"), (["penalty": "l1", "l1_ratio": "0.3"], "l1_ratio"),
                           (["penalty": "none", "C": "2"], "C")] {
      do {
        _ = try ModelRegistry.specification(kind: "logistic", hyperparameters: Hyperparameters(values))
        Issue.record("\(values) was accepted")
      } catch let error as ArchitectureError {
        guard case .invalidHyperparameter(_, let refused, _, _) = error else { Issue.record("\(values): \(error)"); continue }
        #expect(refused == name, "\(values): \(error)")
      }
    }
    for values in [["penalty": "elasticnet", "l1_ratio": "0.3", "C": "2"], ["penalty": "none"], ["penalty": "l1", "C": "0.5"],
                   ["penalty": "l2", "l1_ratio": "0.5"], ["penalty": "none", "C": "1"]] {
      #expect(throws: Never.self) { try ModelRegistry.specification(kind: "logistic", hyperparameters: Hyperparameters(values)) }
    }
  }

  @Test("max_iter too small for the tolerance is reported, not hidden")
  func notConverged() throws {
    let data = try Self.dataset("1510-wdbc.csv")
    var rng = RandomGenerator(seed: 0)
    let model = try ModelRegistry.specification(kind: "logistic", hyperparameters: ["max_iter": "3"]).makeModel(features: 30, outputs: 1, rng: &rng)
    var notes: [String] = []
    _ = try model.fit(on: data, training: TrainingConfiguration()) { if let note = $0.note { notes.append(note) } }
    #expect(notes.count == 1 && notes[0].contains("max_iter = 3"))
  }

  @Test("trained through Experiment: one snapshot, the reference's report, loads back from its model file")
  func experiment() throws {
    let data = try PreparedDataset.prepare(TestModels.signalTable(rows: 400, seed: 8), name: "signal", target: "y", regression: false,
                                           testFraction: 0.25, seed: 0)
    let result = try Experiment(model: try ModelRegistry.specification(kind: "logistic")).run(data)
    #expect(result.snapshots.count == 1)
    #expect((result.report.test.auroc ?? 0) > 0.97)
    #expect(Set(result.report.importance?.top10Features.prefix(2) ?? []) == ["x0", "x1"])
    #expect(result.report.configuration.interpretable)
    // Its report holds its own hyperparameters and the seed, not the gradient trainer's.
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = try encoder.encode(result.report)
    let object = try JSONSerialization.jsonObject(with: json) as! [String: Any]
    #expect(Set((object["configuration"] as! [String: Any]).keys) == ["C", "interpretable", "l1_ratio", "max_iter", "mode", "penalty", "seed", "tol"])
    #expect(try encoder.encode(try JSONDecoder().decode(ExperimentReport.self, from: json)) == json)
    let url = try makeTemporaryDirectory("logistic").appendingPathComponent("model.safetensors")
    try ModelFile.save(card: result.card, snapshots: result.snapshots, to: url)
    let (card, ensemble) = try ModelFile.load(from: url)
    #expect(card.kind == "logistic" && card.model == result.card.model)
    #expect(try ensemble.predict(data.xTest).scalars == result.ensemble.predict(data.xTest).scalars)
  }
}
