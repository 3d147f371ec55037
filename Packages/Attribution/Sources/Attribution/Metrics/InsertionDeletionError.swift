import Foundation
import Models
import Tensor

/// The total error of an attribution against a model over subsets of features.
public struct SubsetErrorReport: Sendable, Equatable {
  public let kind: RemovalKind
  /// E = Σ_{S⊆[d]} |b_S − explanation(S)|: exact, or 2^d times the sampled mean.
  public let total: Double
  /// E / 2^d, the mean over subsets (exact or sampled).
  public let mean: Double
  /// Subsets evaluated: 2^d when exact, the sample size otherwise.
  public let subsets: Int
  public let exact: Bool
  /// For a sampled estimate, the 95 % confidence interval of `total` (mean ± 1.96·s/√n,
  /// scaled by 2^d); nil when exact.
  public let confidenceInterval: ClosedRange<Double>?
}

/// Insertion and deletion error of a feature or group attribution, exactly as the Theory issue
/// (Sum-of-Parts, §2) defines them, with f the model, x the row and x_S the row that keeps the
/// features in S and sets the others to the baseline (0 by default):
///
///   insertion: b_S = f(x_S) − f(x_∅),   explanation(S) = Σ_{j: Gⱼ ⊆ S} cⱼ
///   deletion:  b_S = f(x) − f(x_¬S),    explanation(S) = Σ_{j: Gⱼ ∩ S ≠ ∅} cⱼ
///   E = Σ_{S ⊆ [d]} |b_S − explanation(S)|
///
/// (a feature attribution is the case Gᵢ = {i}). For d ≤ `exactLimit` (16) every subset is
/// evaluated (2^d model rows per row, batched); beyond, `samples` subsets drawn uniformly
/// (each feature in S with probability ½, seeded) estimate the mean, and E = 2^d·mean comes
/// with a 95 % normal confidence interval.
public struct InsertionDeletionError {
  public var kind: RemovalKind
  public var baseline: RemovalBaseline
  public var exactLimit: Int
  public var samples: Int
  public var seed: UInt64

  public init(kind: RemovalKind, baseline: RemovalBaseline = .zero, exactLimit: Int = 16, samples: Int = 4096, seed: UInt64 = 0) {
    self.kind = kind
    self.baseline = baseline
    self.exactLimit = exactLimit
    self.samples = samples
    self.seed = seed
  }

  /// One report per row and output (row-major) of a feature attribution.
  ///
  /// The attribution must have the model's features and outputs and one row per row of `rows`.
  public func evaluate(_ model: any ExplainableModel, rows: [Float], attribution: FeatureAttribution) throws -> [SubsetErrorReport] {
    let n = try RowInput.count(rows, features: model.features)
    guard attribution.rows == n, attribution.outputs == model.outputs, attribution.features == model.features else {
      throw AttributionError.invalidArgument("the attribution is \(attribution.rows) rows × \(attribution.outputs) outputs × \(attribution.features) features but there are \(n) rows and the model has \(model.outputs) outputs and \(model.features) features")
    }
    return try evaluate(model, rows: rows, attribution: GroupAttribution(attribution))
  }

  /// One report per row and output (row-major) of a group attribution (groups may differ
  /// between rows). Every group must name features in 0..<d (groups may be empty or overlap).
  public func evaluate(_ model: any ExplainableModel, rows: [Float], attribution: GroupAttribution) throws -> [SubsetErrorReport] {
    let d = model.features
    let c = model.outputs
    let n = try RowInput.count(rows, features: d)
    guard attribution.rows == n, attribution.outputs == c else {
      throw AttributionError.invalidArgument("the attribution has \(attribution.rows) rows × \(attribution.outputs) outputs but there are \(n) rows and the model has \(c) outputs")
    }
    for (r, rowGroups) in attribution.groups.enumerated() {
      for (j, group) in rowGroups.enumerated() {
        if let bad = group.first(where: { $0 < 0 || $0 >= d }) {
          throw AttributionError.invalidArgument("group \(j) of row \(r) names feature \(bad), outside 0..<\(d)")
        }
      }
    }
    let reference = try baseline.resolve(features: d)
    let exact = d <= exactLimit && d < 31
    guard exact || samples >= 2 else { throw AttributionError.invalidArgument("a sampled insertion/deletion error needs at least 2 subsets, got \(samples)") }
    let count = exact ? 1 << d : samples
    var reports = [SubsetErrorReport]()
    for r in 0..<n {
      // The subsets S, as byte masks.
      var subsets = [UInt8](repeating: 0, count: count * d)
      if exact {
        for s in 0..<count { for i in 0..<d where s & (1 << i) != 0 { subsets[s * d + i] = 1 } }
      } else {
        var rng = RandomGenerator(seed: seed).stream(UInt64(r))
        for k in 0..<(count * d) { subsets[k] = UInt8(truncatingIfNeeded: rng.next() >> 63) }
      }
      // Rows evaluated: x_S for insertion, x_¬S for deletion, plus x_∅ and x.
      var kept = subsets
      if kind == .deletion { for k in kept.indices { kept[k] ^= 1 } }
      kept += [UInt8](repeating: 0, count: d) + [UInt8](repeating: 1, count: d)
      let x = rows[(r * d)..<((r + 1) * d)]
      let out = try RowInput.evaluate(model, MaskedRows.make(x: x, baseline: reference, masks: kept, count: count + 2), count: count + 2)
      for o in 0..<c {
        let empty = Double(out[count * c + o])
        let full = Double(out[(count + 1) * c + o])
        let groups = attribution.groups[r]
        let scores = (0..<groups.count).map { attribution[r, o, $0] }
        var sum = 0.0
        var squares = 0.0
        for s in 0..<count {
          let value = Double(out[s * c + o])
          let target = kind == .insertion ? value - empty : full - value
          var explained = 0.0
          for (j, group) in groups.enumerated() {
            let inside = kind == .insertion
              ? group.allSatisfy { subsets[s * d + $0] != 0 }
              : group.contains { subsets[s * d + $0] != 0 }
            if inside { explained += scores[j] }
          }
          let e = abs(target - explained)
          sum += e
          squares += e * e
        }
        let subsetsTotal = Foundation.pow(2.0, Double(d))
        let mean = sum / Double(count)
        if exact {
          reports.append(SubsetErrorReport(kind: kind, total: sum, mean: mean, subsets: count, exact: true, confidenceInterval: nil))
        } else {
          let variance = max(squares / Double(count) - mean * mean, 0) * Double(count) / Double(count - 1)
          let half = 1.96 * (variance / Double(count)).squareRoot()
          reports.append(SubsetErrorReport(kind: kind, total: subsetsTotal * mean, mean: mean, subsets: count, exact: false,
                                           confidenceInterval: (subsetsTotal * (mean - half))...(subsetsTotal * (mean + half))))
        }
      }
    }
    return reports
  }
}
