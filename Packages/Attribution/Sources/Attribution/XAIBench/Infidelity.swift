import Foundation
import Tensor
import Models

/// Infidelity (Yeh et al., "On the (In)fidelity and Sensitivity of Explanations", NeurIPS 2019)
/// with the optimal scaling, as XAI-Bench's `custom_metrics/infidelity.py` computes it:
///
///   INFD(φ, f, x) = E_I[(β·Iᵀφ − (f(x) − f(x − I)))²],  β = E[Iᵀφ·(f(x) − f(x − I))] / E[(Iᵀφ)²]
///
/// over `perturbations` draws of I (XAI-Bench: 1,000). The benchmark's perturbation: every
/// feature moves to x̃ⱼ = x − Iⱼ = clip(−0.2·zⱼ, 0, 1) with zⱼ ~ N(0, 1) — a random point near
/// the origin, half its coordinates exactly 0, independent of x — so I = x − x̃ and the metric
/// asks whether φ predicts the change from x to a noisy zero baseline, up to one scale factor.
/// Lower is better; 0 when f(x) − f(x̃) is exactly proportional to (x − x̃)ᵀφ. The result is the
/// mean over rows. Where every Iᵀφ is 0 (φ = 0), β is taken as 0 (the benchmark yields NaN).
public enum Infidelity {
  /// The perturbations of a set of rows and the model's drops under them, shared by every
  /// attribution scored on the same model, so explainers are compared on identical draws.
  public struct Perturbations: Sendable {
    public let rows: Int
    public let features: Int
    /// Perturbations per row.
    public let count: Int
    /// I = x − x̃, rows × count × d, row-major.
    public let shifts: [Double]
    /// f(x) − f(x̃), rows × count.
    public let drops: [Double]
  }

  /// Draws `count` perturbations per row (x̃ⱼ = clip(−0.2·zⱼ, 0, 1)) and evaluates the model
  /// on them: one model call of count + 1 rows per row; output `output` is used.
  public static func perturbations(
    model: any ExplainableModel, rows x: [Double], count: Int = 1000, output: Int = 0, rng: inout RandomGenerator
  ) throws -> Perturbations {
    let d = model.features
    let n = try RowInput.count(x, features: d)
    guard count >= 1 else { throw AttributionError.invalidArgument("infidelity needs at least one perturbation; got \(count)") }
    guard (0..<model.outputs).contains(output) else {
      throw AttributionError.invalidArgument("output \(output) does not exist; the model has \(model.outputs) outputs")
    }
    let k = model.outputs
    var shifts = [Double]()
    shifts.reserveCapacity(n * count * d)
    var drops = [Double]()
    drops.reserveCapacity(n * count)
    for r in 0..<n {
      let row = Array(x[(r * d)..<((r + 1) * d)])
      var batch = row.map(Float.init)
      for _ in 0..<count {
        for j in 0..<d {
          let perturbed = Swift.min(1, Swift.max(0, -0.2 * Double(rng.nextNormal())))
          batch.append(Float(perturbed))
          shifts.append(row[j] - perturbed)
        }
      }
      let y = try RowInput.evaluate(model, batch, count: count + 1, what: "row \(r) and its perturbations (batch row 0 is x)")
      let fx = Double(y[output])
      for p in 1...count { drops.append(fx - Double(y[p * k + output])) }
    }
    return Perturbations(rows: n, features: d, count: count, shifts: shifts, drops: drops)
  }

  /// The mean over rows of each row's infidelity under the given perturbations.
  public static func evaluate(_ attribution: FeatureAttribution, perturbations p: Perturbations, output: Int = 0) throws -> Double {
    guard attribution.features == p.features else { throw AttributionError.wrongWidth(expected: p.features, got: attribution.features) }
    guard attribution.rows == p.rows else {
      throw AttributionError.invalidArgument("the attribution explains \(attribution.rows) rows but the perturbations cover \(p.rows); pass the same rows")
    }
    guard (0..<attribution.outputs).contains(output) else {
      throw AttributionError.invalidArgument("output \(output) does not exist; the attribution has \(attribution.outputs) outputs")
    }
    let d = p.features
    var total = 0.0
    for r in 0..<p.rows {
      total += try score(attribution: Array(attribution.scores(row: r, output: output)),
                     perturbations: Array(p.shifts[(r * p.count * d)..<((r + 1) * p.count * d)]),
                     drops: Array(p.drops[(r * p.count)..<((r + 1) * p.count)]))
    }
    return total / Double(p.rows)
  }

  /// Draws fresh perturbations (``perturbations(model:rows:count:output:rng:)``) and scores one
  /// attribution with them.
  public static func evaluate(
    _ attribution: FeatureAttribution, model: any ExplainableModel, rows x: [Double], perturbations: Int = 1000,
    output: Int = 0, rng: inout RandomGenerator
  ) throws -> Double {
    guard attribution.features == model.features else { throw AttributionError.wrongWidth(expected: model.features, got: attribution.features) }
    let p = try self.perturbations(model: model, rows: x, count: perturbations, output: output, rng: &rng)
    return try evaluate(attribution, perturbations: p, output: output)
  }

  /// One row's infidelity from explicit perturbations I (count × d, row-major) and the drops
  /// f(x) − f(x − I), one per perturbation.
  ///
  /// Throws `.invalidArgument` unless there is at least one drop and `perturbations` holds
  /// exactly d = `phi.count` values per drop.
  public static func score(attribution phi: [Double], perturbations: [Double], drops: [Double]) throws -> Double {
    let d = phi.count
    guard !drops.isEmpty, perturbations.count == drops.count * d else {
      throw AttributionError.invalidArgument(
        "Infidelity.score: \(perturbations.count) perturbation values for \(drops.count) drops of d = \(d) features; pass one perturbation of d values per drop (at least one)")
    }
    let predicted = drops.indices.map { p in (0..<d).reduce(0.0) { $0 + perturbations[p * d + $1] * phi[$1] } }
    let cross = zip(predicted, drops).reduce(0.0) { $0 + $1.0 * $1.1 }
    let energy = predicted.reduce(0.0) { $0 + $1 * $1 }
    let beta = energy > 0 ? cross / energy : 0
    return zip(predicted, drops).reduce(0.0) { $0 + ($1.1 - beta * $1.0) * ($1.1 - beta * $1.0) } / Double(drops.count)
  }
}
