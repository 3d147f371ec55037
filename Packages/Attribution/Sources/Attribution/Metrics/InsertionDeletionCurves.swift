import Models

/// A curve of model outputs as features are inserted or deleted in attribution order.
public struct RemovalCurve: Sendable, Equatable {
  public let kind: RemovalKind
  /// `points[k]` = f after inserting (or deleting) the k top-ranked features, k = 0…d.
  public let points: [Double]
  /// The features in the order they were inserted or deleted.
  public let order: [Int]
  /// ∫₀¹ of the curve over the fraction k/d of features, by the trapezoid rule.
  public let area: Double
  /// The area of (curve − f(x′))/(f(x) − f(x′)), x′ the baseline, by the same trapezoid rule.
  /// The ideal curves: an insertion curve that reaches f(x) with the first feature has
  /// area 1 − 1/(2d), a deletion curve that reaches f(x′) with the first feature 1/(2d) (the
  /// first interval is half a step); NaN when f(x) = f(x′).
  public let normalizedArea: Double
}

/// Insertion and deletion curves (Petsiuk, Das & Saenko 2018, RISE; as in Sum-of-Parts):
/// features are ranked by their score (largest first, or by magnitude), then
///
///   insertion: k ↦ f(x keeping its top-k features, the rest at the baseline)
///   deletion:  k ↦ f(x with its top-k features set to the baseline)
///
/// for k = 0…d. A faithful attribution gives a high insertion area and a low deletion area.
/// The 2(d + 1) rows of every explained row and output go to the model in one call.
public struct InsertionDeletionCurves {
  public enum Ranking: String, Sendable {
    /// Largest signed score first.
    case descending
    /// Largest |score| first.
    case magnitude
  }

  public var baseline: RemovalBaseline
  public var ranking: Ranking

  public init(baseline: RemovalBaseline = .zero, ranking: Ranking = .descending) {
    self.baseline = baseline
    self.ranking = ranking
  }

  /// The insertion and deletion curves of every row and output (row-major).
  public func evaluate(_ model: any ExplainableModel, rows: [Float], attribution: FeatureAttribution) throws
    -> [(insertion: RemovalCurve, deletion: RemovalCurve)]
  {
    let d = model.features
    let c = model.outputs
    let n = try RowInput.count(rows, features: d)
    guard attribution.rows == n, attribution.outputs == c, attribution.features == d else {
      throw AttributionError.invalidArgument("the attribution is \(attribution.rows) rows × \(attribution.outputs) outputs × \(attribution.features) features but there are \(n) rows and the model has \(c) outputs and \(d) features")
    }
    let reference = try baseline.resolve(features: d)
    var result = [(insertion: RemovalCurve, deletion: RemovalCurve)]()
    for r in 0..<n {
      for o in 0..<c {
        let scores = Array(attribution.scores(row: r, output: o))
        let key = ranking == .magnitude ? scores.map { Swift.abs($0) } : scores
        let order = (0..<d).sorted { key[$0] != key[$1] ? key[$0] > key[$1] : $0 < $1 }
        var masks = [UInt8](repeating: 0, count: 2 * (d + 1) * d)
        for k in 0...d {
          for t in 0..<k { masks[k * d + order[t]] = 1 }
          for i in 0..<d { masks[(d + 1 + k) * d + i] = 1 }
          for t in 0..<k { masks[(d + 1 + k) * d + order[t]] = 0 }
        }
        let x = rows[(r * d)..<((r + 1) * d)]
        let out = try RowInput.evaluate(model, MaskedRows.make(x: x, baseline: reference, masks: masks, count: 2 * (d + 1)), count: 2 * (d + 1))
        let insertion = (0...d).map { Double(out[$0 * c + o]) }
        let deletion = (0...d).map { Double(out[(d + 1 + $0) * c + o]) }
        let fx = insertion[d]
        let f0 = insertion[0]
        result.append((Self.curve(.insertion, insertion, order, fx: fx, f0: f0), Self.curve(.deletion, deletion, order, fx: fx, f0: f0)))
      }
    }
    return result
  }

  static func curve(_ kind: RemovalKind, _ points: [Double], _ order: [Int], fx: Double, f0: Double) -> RemovalCurve {
    let area = trapezoid(points)
    let normalized = fx != f0 ? trapezoid(points.map { ($0 - f0) / (fx - f0) }) : .nan
    return RemovalCurve(kind: kind, points: points, order: order, area: area, normalizedArea: normalized)
  }

  /// ∫₀¹ over equally spaced points (a single point is its own mean).
  static func trapezoid(_ points: [Double]) -> Double {
    guard points.count > 1 else { return points.first ?? 0 }
    var total = 0.0
    for k in 1..<points.count { total += (points[k - 1] + points[k]) / 2 }
    return total / Double(points.count - 1)
  }
}
