import ArgumentParser
import Foundation
import Models
import Tensor

/// Options shared by `sann predict` and `sann explain`: a trained model and rows to apply it to.
struct ModelInput: ParsableArguments {
  @Option(help: "A run directory written by `sann train` (or its model.safetensors).")
  var model: String

  @Option(help: "CSV or ARFF file with the model's feature columns (a target column, if present, is ignored).")
  var data: String

  @Option(parsing: .unconditional, help: "Comma-separated row numbers (0-based data rows) to use; default all.")
  var rows: String?

  @Option(help: "Output format: csv or json.")
  var format: OutputFormat = .csv

  enum OutputFormat: String, ExpressibleByArgument { case csv, json }

  /// The loaded model, the encoded rows, and their row numbers.
  func load() throws -> (card: ModelCard, ensemble: SnapshotEnsemble, x: Tensor, rows: [Int]) {
    let (card, ensemble) = try ModelFile.load(from: try Self.modelFile(model))
    // The model's categorical columns are read as text even where their levels look like
    // numbers ("007" and "7" are different levels; "1e1x" is not a malformed number).
    let table = try Self.readRows(data, for: card)
    var selected = Array(0..<table.rowCount)
    if let rows {
      selected = try rows.split(separator: ",", omittingEmptySubsequences: false).map { part in
        guard let r = Int(part.trimmingCharacters(in: .whitespaces)), r >= 0, r < table.rowCount else {
          throw CommandError("--rows: '\(part)' is not a row number in 0..<\(table.rowCount)")
        }
        return r
      }
    }
    let x = try Self.asModelInput { try card.preprocessor.transform(table, rows: selected) }
    // Values the model never saw are read as missing: say so, since a typo or another spelling
    // ("RED" for "red") changes the prediction silently otherwise.
    for (column, values, count) in card.preprocessor.unseenLevels(table, rows: selected) {
      let shown = values.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (values.count > 5 ? ", …" : "")
      FileHandle.standardError.write(Data(("warning: column '\(column)' holds \(values.count) value\(values.count == 1 ? "" : "s") the model was not "
        + "trained on (\(shown)), in \(count) row\(count == 1 ? "" : "s"); they are read as missing\n").utf8))
    }
    return (card, ensemble, x, selected)
  }

  /// The rows of `path` as `card`'s model reads them: its categorical columns as text, the
  /// others as numbers.
  static func readRows(_ path: String, for card: ModelCard) throws -> DataTable {
    try asModelInput { try DataTable.read(url: URL(fileURLWithPath: path), categorical: card.preprocessor.categoricalNames) }
  }

  /// `body`'s result; a cell that is not a number in a numeric column is refused with advice
  /// that fits a trained model (which cannot change its columns), not --categorical.
  static func asModelInput<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch DatasetError.notNumeric(let file, let line, let column, let value) {
      throw CommandError("\(file), line \(line), column '\(column)': '\(value)' is not a number, and the model was trained with '\(column)' as a numeric column; fix the value (missing values are empty or '?')")
    }
  }

  /// The model file of a run: `path` itself, or `path/model.safetensors` for a run directory.
  ///
  /// - Throws: ``CommandError`` when there is no such path or the directory holds no model.
  static func modelFile(_ path: String) throws -> URL {
    let url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      throw CommandError("\(path): no such run directory or model file; pass a directory written by `sann train` (it holds model.safetensors)")
    }
    guard isDirectory.boolValue else { return url }
    let file = url.appendingPathComponent("model.safetensors")
    guard FileManager.default.fileExists(atPath: file.path) else {
      throw CommandError("\(path) is not a run directory of `sann train`: it has no model.safetensors")
    }
    return file
  }

  /// Refuses, before any work, an output folder that cannot be written: a file in its place, or
  /// an ancestor that is a file or may not be written.
  static func checkOutputFolder(_ path: String, flag: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw CommandError("\(flag) \(path) is a file; give a folder") }
      guard access(path, W_OK) == 0 else { throw CommandError("\(flag) \(path) is not writable; give a writable folder") }
    } else if let problem = FileProblem.beforeCreating(URL(fileURLWithPath: path)) {
      throw CommandError("\(flag) \(path) cannot be created (\(problem)); give a writable folder")
    }
  }

  /// The path `path` names once links are resolved and `.`/`..` removed: two paths name the
  /// same file when these agree.
  static func resolved(_ path: String) -> String { resolved(URL(fileURLWithPath: path)) }

  static func resolved(_ url: URL) -> String { url.resolvingSymlinksInPath().standardizedFileURL.path }

  /// Refuses an output that is one of the inputs (same file after resolving links).
  static func distinct(_ output: String, flag: String, from inputs: [String]) throws {
    let resolved = Self.resolved(output)
    for input in inputs where Self.resolved(input) == resolved {
      throw ValidationError("\(flag) \(output) is the input file; writing it would destroy the input — give another path")
    }
  }

  /// The error for a model output that is not finite at data row `row` (0-based, as --rows
  /// counts) of `file` (default: --data).
  func nonFiniteOutput(dataRow row: Int, value: Float, file: String? = nil) -> CommandError {
    let counted = file == nil || file == data ? "0-based, as --rows counts" : "0-based data rows"
    return CommandError("the model's output for data row \(row) of \(file ?? data) (\(counted)) is \(value): that row's values are far outside the range the model was trained on, or its weights are extreme — check the row's units, or retrain")
  }

  /// Writes rows of named values as CSV or JSON to standard output.
  func emit(header: [String], records: [[String: Any]]) throws {
    print(try render(header: header, records: records), terminator: "")
  }

  /// Rows of named values as CSV or JSON text (ending in a line break).
  func render(header: [String], records: [[String: Any]]) throws -> String {
    switch format {
    case .json:
      let data = try JSONSerialization.data(withJSONObject: records, options: [.prettyPrinted, .sortedKeys])
      return String(decoding: data, as: UTF8.self) + "\n"
    case .csv:
      var text = header.map(csvField).joined(separator: ",") + "\n"
      for record in records {
        text += header.map { key in record[key].map { csvField("\($0)") } ?? "" }.joined(separator: ",") + "\n"
      }
      return text
    }
  }
}

/// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
func csvField(_ text: String) -> String {
  guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
  return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// An error found while running a command (after its arguments parsed): printed as
/// `Error: <message>` without the usage text that a ``ValidationError`` brings.
struct CommandError: Error, CustomStringConvertible {
  let description: String

  init(_ description: String) { self.description = description }
}
