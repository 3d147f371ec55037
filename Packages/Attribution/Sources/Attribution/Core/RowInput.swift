/// Validation of the rows handed to an explainer, at the boundary, with messages that say how
/// to fix them.
enum RowInput {
  /// The number of rows in `rows` (row-major, `features` values each).
  ///
  /// Throws `AttributionError.wrongWidth` when the values do not split into rows of `features`
  /// values (the width reported is what a single row would have had), and
  /// `.invalidArgument` when there is no row or a value is not finite.
  static func count(_ rows: [Float], features: Int, what: String = "rows") throws -> Int {
    guard features > 0 else { throw AttributionError.invalidArgument("the model has no features; there is nothing to explain") }
    guard rows.count % features == 0 else {
      throw AttributionError.wrongWidth(expected: features, got: rows.count)
    }
    guard !rows.isEmpty else { throw AttributionError.invalidArgument("no \(what) to explain; pass at least one row of \(features) values") }
    if let bad = rows.firstIndex(where: { !$0.isFinite }) {
      throw AttributionError.invalidArgument("\(what): row \(bad / features), feature \(bad % features) is \(rows[bad]); explainers need finite values (impute missing values first)")
    }
    return rows.count / features
  }

  /// Rows given as arrays, flattened after checking that each has `features` values.
  static func flatten(_ rows: [[Float]], features: Int) throws -> [Float] {
    var flat = [Float]()
    flat.reserveCapacity(rows.count * features)
    for row in rows {
      guard row.count == features else { throw AttributionError.wrongWidth(expected: features, got: row.count) }
      flat.append(contentsOf: row)
    }
    return flat
  }

  /// The background rows: a non-empty set of rows of the model's width.
  static func background(_ rows: [Float], features: Int) throws -> Int {
    guard !rows.isEmpty else { throw AttributionError.emptyBackground }
    return try count(rows, features: features, what: "background")
  }

  /// The outputs of `model` for `count` rows, checked for their number.
  static func evaluate(_ model: any ExplainableModel, _ rows: [Float], count: Int) throws -> [Float] {
    let out = try model.evaluate(rows, count: count)
    guard out.count == count * model.outputs else {
      throw AttributionError.badModelOutput(expected: count * model.outputs, got: out.count)
    }
    return out
  }
}
