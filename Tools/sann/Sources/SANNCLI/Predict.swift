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
    let out: Tensor
    do {
      out = try ensemble.predict(x)
    } catch PredictionError.nonFinite(let row, let value) {
      throw input.nonFiniteOutput(dataRow: rows[row], value: value)
    }
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
