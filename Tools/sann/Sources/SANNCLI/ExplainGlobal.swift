import ArgumentParser
import Foundation
import Models
import Tensor

extension Explain {
  /// The shape functions of an additive model on the rows of --data: CSV with a line per
  /// (feature, value, output), or JSON with the intercept and, per feature, its importance and
  /// points; values in the original columns' units. Writes the SVG of --plot too.
  func globalExplanation(card: ModelCard, ensemble: SnapshotEnsemble, x: Tensor) throws -> String {
    guard let explainer = ensemble.model.globalExplaining else {
      throw CommandError("--global: a \(card.kind) model has no shape functions (its features interact, or it explains itself otherwise); additive models have them: --model nam, --model logistic")
    }
    let global = try explainer.globalExplanation(trainingRows: x.scalars)
    let names = card.preprocessor.encodedNames
    let outputs = (0..<ensemble.model.outputs).map { outputName(card, $0) }
    let ordered = global.shapes.sorted { $0.importance.reduce(0, +) > $1.importance.reduce(0, +) }
    if let plot {
      let panels = ordered.map { shape in
        SVGShapePlot.Panel(
          title: names[shape.feature], x: shape.values.map { Double(card.preprocessor.originalValue(encodedFeature: shape.feature, $0)) },
          counts: shape.counts, curves: shape.contributions, spread: shape.spread)
      }
      let chart = SVGShapePlot(
        title: "\(card.kind.uppercased()) shape functions (\(card.targetName))",
        subtitle: "fⱼ(xⱼ) − mean on \(x.shape[0]) rows of \(URL(fileURLWithPath: input.data).lastPathComponent), by importance; grey: data density"
          + (global.shapes.first?.spread != nil ? "; band: ± 1 sd over the ensemble" : ""),
        outputs: outputs, panels: panels)
      try AtomicFile.write(chart.render(), to: URL(fileURLWithPath: plot))
    }
    switch input.format {
    case .json:
      let object: [String: Any] = [
        "intercept": Dictionary(uniqueKeysWithValues: zip(outputs, global.intercept)),
        "features": ordered.map { shape -> [String: Any] in
          var feature: [String: Any] = [
            "name": names[shape.feature], "column": card.preprocessor.featureNames[card.preprocessor.encodedSources[shape.feature]],
            "importance": Dictionary(uniqueKeysWithValues: zip(outputs, shape.importance)),
          ]
          feature["points"] = shape.values.indices.map { v -> [String: Any] in
            var point: [String: Any] = [
              "value": Double(card.preprocessor.originalValue(encodedFeature: shape.feature, shape.values[v])), "count": shape.counts[v],
              "contribution": Dictionary(uniqueKeysWithValues: zip(outputs, shape.contributions[v])),
            ]
            if let spread = shape.spread { point["spread"] = Dictionary(uniqueKeysWithValues: zip(outputs, spread[v])) }
            return point
          }
          return feature
        },
      ]
      return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self) + "\n"
    case .csv:
      var records: [[String: Any]] = []
      for (o, name) in outputs.enumerated() {
        records.append(["feature": "(intercept)", "output": name, "contribution": global.intercept[o]])
      }
      for shape in ordered {
        for v in shape.values.indices {
          for (o, name) in outputs.enumerated() {
            var record: [String: Any] = [
              "feature": names[shape.feature], "value": Double(card.preprocessor.originalValue(encodedFeature: shape.feature, shape.values[v])),
              "count": shape.counts[v], "output": name, "contribution": shape.contributions[v][o], "importance": shape.importance[o],
            ]
            if let spread = shape.spread { record["spread"] = spread[v][o] }
            records.append(record)
          }
        }
      }
      return try input.render(header: ["feature", "value", "count", "output", "contribution", "spread", "importance"], records: records)
    }
  }
}
