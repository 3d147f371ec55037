/// Validation of the rows handed to an explainer, at the boundary, with messages that say how
/// to fix them.
enum RowInput {
  /// The number of rows in `rows` (row-major, `features` values each).
  ///
  /// Throws `AttributionError.notAMultiple` when the values do not split into rows of
  /// `features` values (a flat array carries no row count, so no column count can be
  /// reported), and `.invalidArgument` when there is no row or a value is not finite.
  static func count(_ rows: [Float], features: Int, what: String = "rows") throws -> Int {
    guard features > 0 else { throw AttributionError.invalidArgument("the model has no features; there is nothing to explain") }
    guard rows.count % features == 0 else {
      throw AttributionError.notAMultiple(values: rows.count, features: features)
    }
    guard !rows.isEmpty else { throw AttributionError.invalidArgument("no \(what) to explain; pass at least one row of \(features) values") }
    if let bad = rows.firstIndex(where: { !$0.isFinite }) {
      throw AttributionError.invalidArgument("\(what): row \(bad / features), feature \(bad % features) is \(rows[bad]); explainers need finite values (impute missing values first)")
    }
    return rows.count / features
  }

  /// The identities of `rows` rows that key their random streams: `ids` (one per row), or the
  /// indices 0..<rows when nil.
  static func identities(_ ids: [Int]?, rows: Int) throws -> [Int] {
    guard let ids else { return Array(0..<rows) }
    guard ids.count == rows else {
      throw AttributionError.invalidArgument("rowIDs has \(ids.count) entries for \(rows) rows; pass one identity per row")
    }
    return ids
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

  /// The outputs of `model` for `count` rows, checked for their number and finiteness
  /// (`what` names the rows in the error, e.g. "the explained rows").
  static func evaluate(_ model: any ExplainableModel, _ rows: [Float], count: Int, what: String = "a row") throws -> [Float] {
    let out = try model.evaluate(rows, count: count)
    guard out.count == count * model.outputs else {
      throw AttributionError.badModelOutput(expected: count * model.outputs, got: out.count)
    }
    try finite(out, outputs: model.outputs, what: what)
    return out
  }

  /// Throws `.nonFiniteModelOutput` at the first NaN or ±∞ of `values` (`outputs` per row).
  static func finite<T: BinaryFloatingPoint>(_ values: [T], outputs: Int, what: String) throws {
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      let c = max(outputs, 1)
      throw AttributionError.nonFiniteModelOutput(location: "\(what) (row \(bad / c) of the batch, output \(bad % c))", value: Double(values[bad]))
    }
  }

  /// Throws `.invalidArgument` when a baseline (or other reference vector) holds NaN or ±∞.
  static func finiteBaseline<T: BinaryFloatingPoint>(_ values: [T], what: String) throws {
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      throw AttributionError.invalidArgument("\(what): feature \(bad) is \(values[bad]); pass finite values")
    }
  }

  /// Rows given in Double (the XAI-Bench metrics), checked as ``count(_:features:what:)`` checks Float rows.
  static func count(_ rows: [Double], features: Int, what: String = "rows") throws -> Int {
    guard features > 0 else { throw AttributionError.invalidArgument("the model has no features; there is nothing to explain") }
    guard rows.count % features == 0 else { throw AttributionError.notAMultiple(values: rows.count, features: features) }
    guard !rows.isEmpty else { throw AttributionError.invalidArgument("no \(what); pass at least one row of \(features) values") }
    if let bad = rows.firstIndex(where: { !$0.isFinite }) {
      throw AttributionError.invalidArgument("\(what): row \(bad / features), feature \(bad % features) is \(rows[bad]); pass finite values (impute missing values first)")
    }
    return rows.count / features
  }
}
