import ArgumentParser
import Foundation
import Models
import Tensor

/// `sann predict`: the snapshot ensemble's predictions for new rows.
struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Predict with a trained model: the class and its probabilities (or the value, for regression).")

  @OptionGroup var input: ModelInput

  func run() throws {
    let (card, ensemble, x, rows) = try input.load()
    let out = try ensemble.predict(x)
    let width = out.shape[1]
    var header = ["row", "prediction"]
    if card.task != .regression { header += card.classNames.map { "p_\($0)" } }
    let records: [[String: Any]] = rows.enumerated().map { i, row in
      let values = (0..<width).map { Double(out[i, $0]) }
      var record: [String: Any] = ["row": row]
      if card.task == .regression {
        record["prediction"] = values[0]
      } else {
        record["prediction"] = card.classNames[values.firstIndex(of: values.max()!)!]
        for (name, p) in zip(card.classNames, values) { record["p_\(name)"] = p }
      }
      return record
    }
    try input.emit(header: header, records: records)
  }
}

/// `sann explain`: INN's per-row linear models, read off the forward pass.
struct Explain: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Explain rows with an INN model: the bias and each feature's contribution wⱼ(x)·xⱼ to the logit.",
    discussion: "The contributions and the bias add up to the logit exactly (the last snapshot's linear model).")

  @OptionGroup var input: ModelInput

  @Flag(help: "Also print the generated weights wⱼ(x) (columns w:<feature>) of the explained output.")
  var weights = false

  func run() throws {
    let (card, ensemble, x, rows) = try input.load()
    guard let inn = ensemble.model as? Hypernetwork else {
      throw ValidationError("--model is a \(card.kind) model, a black box with no built-in explanation; train with --interpretable")
    }
    let explanation = INNExplanation(model: inn, inputs: x)
    let names = card.preprocessor.encodedNames
    let header = ["row", "explained_output", "logit", "bias"] + names + (weights ? names.map { "w:\($0)" } : [])
    let records: [[String: Any]] = rows.enumerated().map { i, row in
      var record: [String: Any] = ["row": row, "bias": Double(explanation.bias(row: i))]
      let c = explanation.explainedOutput[i]
      record["explained_output"] = card.task == .multiclass ? card.classNames[c] : (card.task == .binary ? "logit(\(card.classNames[1]))" : card.targetName)
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
    try input.emit(header: header, records: records)
  }
}
