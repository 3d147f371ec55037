import ArgumentParser
import Foundation
import Models
import Tensor
import Theory
import TheoryChecks

extension TheoryCommand.Reach {
  /// `reach --trained`: train (or load) the models, evaluate both errors, print and write.
  func runTrained(_ program: ErrorProgram) throws {
    let p = program.polynomial
    let d = p.dimension
    guard d <= ErrorProgram.maximumFullDimension else {
      throw CommandError("--trained sums the errors over all 2^d subsets, done up to d = \(ErrorProgram.maximumFullDimension); d = \(d)")
    }
    if d > PolynomialDataset.enumerationLimit && samples == nil && models == nil {
      throw CommandError("\(ReachabilityError.needsSamples(dimension: d))")
    }
    // Before any training: the output folders can be written, the models need a feature, and
    // they compute at the point in Float.
    for (flag, path) in [("--report", report), ("--save-models", saveModels)] {
      if let path { try ModelInput.checkOutputFolder(path, flag: flag) }
    }
    guard d >= 1 else { throw CommandError("\(ReachabilityError.noVariables)") }
    if let i = program.point.firstIndex(where: { !Float($0.doubleValue).isFinite }) {
      throw CommandError("\(ReachabilityError.pointOutOfRange(coordinate: i, value: program.point[i].description))")
    }
    let networks: [(name: String, model: any TabularModel)]
    if let models {
      networks = try TrainedModels.names.map { ($0, try Self.load(models, $0, features: d)) }
    } else {
      var settings = TrainedModels.Settings()
      settings.width = hiddenSize
      settings.tau = tau
      settings.epochs = epochs
      settings.seed = seed
      settings.hyperparameters = [
        SumOfParts.kind: try Train.parse(sopParameters, flag: "--sop-param"),
        NeuralAdditiveModel.kind: try Train.parse(namParameters, flag: "--nam-param"),
        MesomorphicNetwork.kind: try Train.parse(innParameters, flag: "--inn-param"),
      ]
      let data = try PolynomialDataset.make(p, samples: samples, seed: seed)
      let bar = ProgressReporter(enabled: !quiet)
      var current = ""
      let trained = try TrainedModels.train(p, data: data, settings: settings) { name, progress in
        if name != current {
          bar.finish()
          current = name
          if !quiet { FileHandle.standardError.write(Data("training \(name) on \(data.xTrain.shape[0]) inputs\n".utf8)) }
        }
        bar.report(progress)
      }
      bar.finish()
      if let saveModels {
        for (name, result) in trained.results {
          try ModelFile.save(card: result.card, snapshots: result.snapshots,
                             to: URL(fileURLWithPath: saveModels).appendingPathComponent(name).appendingPathComponent("model.safetensors"))
        }
      }
      networks = trained.networks
    }
    var reports: [ReachabilityReport] = []
    for kind in report != nil ? ErrorKind.allCases : [program.kind] {
      reports.append(try ReachabilityCheck.evaluate(p, point: program.point, kind: kind, models: networks))
    }
    let shown = reports.first { $0.error == program.kind }!
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    if json {
      print(String(decoding: try encoder.encode(shown), as: UTF8.self))
    } else {
      print(Self.table(shown))
    }
    if let report {
      let directory = URL(fileURLWithPath: report)
      try AtomicFile.write(try encoder.encode(reports), to: directory.appendingPathComponent("report.json"))
      try AtomicFile.write(ReachabilityChart(reports: reports).render(), to: directory.appendingPathComponent("error.svg"))
    }
  }

  /// A saved model's network (its last snapshot).
  static func load(_ directory: String, _ name: String, features d: Int) throws -> any TabularModel {
    let url = URL(fileURLWithPath: directory).appendingPathComponent(name).appendingPathComponent("model.safetensors")
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw CommandError("--models: \(url.path) does not exist; pass the directory --save-models wrote")
    }
    let (card, ensemble) = try ModelFile.load(from: url)
    // The report names each row by its folder: the model in it must be of that kind, and on
    // the polynomial's d features.
    guard card.kind == name else {
      throw CommandError("--models: \(url.path) holds a \(card.kind) model where the \(name) model goes; pass the directory --save-models wrote")
    }
    guard card.features == d else {
      throw CommandError("--models: \(url.path) was trained on \(card.features) features, but the polynomial has d = \(d); pass the models saved for this polynomial")
    }
    return ensemble.model
  }

  /// The report as a table: each method's error against p and against its own model, OPT, 0.
  static func table(_ r: ReachabilityReport) -> String {
    func show(_ x: Rational) -> String { x.isInteger ? x.description : String(format: "%.6g", x.doubleValue) + " (\(x.description.count > 40 ? "exact in --json" : x.description))" }
    var lines = [
      "polynomial \(r.polynomial) at x* = (\(r.point.map(\.description).joined(separator: ", "))), \(r.error.rawValue) error over all subsets",
      "  feature-wise OPT (no feature-wise attribution goes below): \(r.optimum)",
      "  Theorem 2.4's groups (the terms' supports): \(r.zeroErrorConstruction)",
    ]
    for m in r.methods {
      var line = "  \(m.name) (\(m.kind)): error \(show(m.error))"
      line += m.error < r.optimum ? " — below OPT" : (m.error == r.optimum ? " — at OPT" : "")
      if let e = m.modelError { line += "; against its own model \(show(e))" }
      if m.kind == "group" {
        // Each distinct group once, with the contributions of its copies summed.
        var total: [[Int]: Double] = [:]
        for (group, score) in zip(m.groups, m.scores) { total[group, default: 0] += score.doubleValue }
        let largest = total.values.map(abs).max() ?? 0
        let shown = total.filter { abs($0.value) >= 1e-3 * largest && $0.value != 0 }.sorted { abs($0.value) > abs($1.value) }
        let names = shown.map { "{\($0.key.map { "x\($0 + 1)" }.joined(separator: " "))} \(String(format: "%.4g", $0.value))" }
        line += "\n      groups at x* and their contributions: \(names.joined(separator: ", "))"
        if total.count > shown.count { line += "; \(total.count - shown.count) more near 0" }
      }
      lines.append(line)
    }
    return lines.joined(separator: "\n")
  }
}

/// error.svg: per error kind, a bar per method (its error against p), OPT as a dashed line.
struct ReachabilityChart {
  var reports: [ReachabilityReport]

  func render() -> String {
    let panelWidth = 420.0, panelHeight = 260.0, left = 80.0, top = 80.0, gap = 60.0
    let width = left + Double(reports.count) * (panelWidth + gap)
    let height = top + panelHeight + 110
    var svg = SVGDocument.opening(width: width, height: height, title: "Explanation error over all subsets, exactly",
                                  subtitle: reports.first.map { "\($0.polynomial); dashed: the feature-wise bound OPT; Theorem 2.4's groups reach 0" } ?? "")
    let f = SVGDocument.number
    for (k, report) in reports.enumerated() {
      let x0 = left + Double(k) * (panelWidth + gap)
      let values = report.methods.map(\.error.doubleValue) + [report.optimum.doubleValue]
      let top0 = Swift.max(values.max() ?? 1, 1e-9) * 1.1
      func py(_ v: Double) -> Double { top + panelHeight * (1 - v / top0) }
      svg += "<text x=\"\(f(x0 + panelWidth / 2))\" y=\"\(f(top - 10))\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\">\(report.error.rawValue)</text>\n"
      svg += "<rect x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(panelWidth))\" height=\"\(f(panelHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
      let bar = panelWidth / Double(report.methods.count + 1)
      let names = report.methods.map(\.name) + ["construction"]
      let heights = report.methods.map(\.error.doubleValue) + [report.zeroErrorConstruction.doubleValue]
      for (i, (name, value)) in zip(names, heights).enumerated() {
        let bx = x0 + Double(i) * bar + bar * 0.15
        let color = i < report.methods.count && report.methods[i].kind == "group" ? "#d62728" : "#1f77b4"
        svg += "<rect x=\"\(f(bx))\" y=\"\(f(py(value)))\" width=\"\(f(bar * 0.7))\" height=\"\(f(top + panelHeight - py(value)))\" fill=\"\(color)\"/>\n"
        svg += "<text x=\"\(f(bx + bar * 0.35))\" y=\"\(f(py(value) - 4))\" font-size=\"10\" text-anchor=\"middle\">\(String(format: "%.3g", value))</text>\n"
        svg += "<text x=\"\(f(bx + bar * 0.35))\" y=\"\(f(top + panelHeight + 14))\" font-size=\"10\" text-anchor=\"end\" transform=\"rotate(-35 \(f(bx + bar * 0.35)) \(f(top + panelHeight + 14)))\">\(SVGDocument.escape(name))</text>\n"
      }
      let y = py(report.optimum.doubleValue)
      svg += "<line x1=\"\(f(x0))\" y1=\"\(f(y))\" x2=\"\(f(x0 + panelWidth))\" y2=\"\(f(y))\" stroke=\"#333\" stroke-dasharray=\"6 4\"/>\n"
      svg += "<text x=\"\(f(x0 + panelWidth - 4))\" y=\"\(f(y - 4))\" font-size=\"11\" text-anchor=\"end\">OPT = \(SVGDocument.escape(report.optimum.description))</text>\n"
    }
    return svg + "</svg>\n"
  }
}
