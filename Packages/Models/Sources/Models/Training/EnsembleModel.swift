import Foundation
import Tensor

/// The function a snapshot ensemble predicts with, as a model of its own: K networks of one
/// architecture, each holding one snapshot's weights, combined by one of two rules:
///
/// - ``Rule/meanProbability`` (binary classification, one logit per member): the ensemble's
///   probability is the mean of the members', p̄ = (1/K)·Σₖ σ(zₖ), as the INN reference
///   averages, and its logit is t = logit(p̄) (computed stably, so it stays finite where p̄
///   rounds to 0 or 1);
/// - ``Rule/meanLogit`` (multiclass and regression): t = (1/K)·Σₖ zₖ.
///
/// Either way t is a convex combination of the members' logits, t = Σₖ aₖ·zₖ with aₖ ≥ 0 and
/// Σₖ aₖ = 1: for the mean logit aₖ = 1/K; for the mean probability the weights are the
/// secant slopes of the sigmoid between each member's logit and the ensemble's,
///
///     sₖ = (σ(zₖ) − σ(t)) / (zₖ − t)   (σ′(t) when zₖ = t),   aₖ = sₖ / Σⱼ sⱼ,
///
/// because Σₖ (σ(zₖ) − σ(t)) = K·(p̄ − σ(t)) = 0 gives Σₖ sₖ·(zₖ − t) = 0. A member that is
/// saturated far from the ensemble (an overconfident snapshot) gets a small weight, which is
/// exactly how averaging probabilities differs from averaging logits. So when every member's
/// logit is base + Σᵢ φᵢ, the ensemble's is too, with base and φ the aₖ-weighted sums: a
/// self-explaining ensemble explains exactly the logit its prediction is computed from, row
/// by row (the weights depend on the row, as INN's own weights do). Every explainer — the
/// model's own explanation, SHAP, LIME, IG, the insertion/deletion metrics — sees t.
///
/// A group explanation (Sum-of-Parts) holds every member's groups, each score times its
/// member's weight; a global explanation (NAM's shape functions) is the members' mean under the
/// mean-logit rule and unavailable under the mean-probability one (the mean of shape functions
/// is not the ensemble's).
public final class EnsembleModel: TabularModel {
  /// How the members' logits are combined.
  public enum Rule: String, Sendable {
    /// t = logit of the mean of the members' sigmoid probabilities (one output only).
    case meanProbability = "mean_probability"
    /// t = the mean of the members' logits.
    case meanLogit = "mean_logit"
  }

  public let members: [any TabularModel]
  public let rule: Rule
  public var mode = ModuleMode()

  /// - Precondition: at least one member, all of the same width and outputs; one output for
  ///   ``Rule/meanProbability``.
  public init(members: [any TabularModel], rule: Rule = .meanLogit) {
    precondition(!members.isEmpty, "EnsembleModel: at least one member")
    precondition(members.allSatisfy { $0.features == members[0].features && $0.outputs == members[0].outputs },
                 "EnsembleModel: members of different widths or outputs")
    precondition(rule == .meanLogit || members[0].outputs == 1, "EnsembleModel: the mean-probability rule needs one (binary) logit")
    self.members = members
    self.rule = rule
  }

  public var features: Int { members[0].features }
  public var outputs: Int { members[0].outputs }

  public var children: [(name: String, module: any Module)] {
    members.enumerated().map { ("\($0.offset)", $0.element) }
  }

  /// The ensemble's logit t (differentiable: gradients reach every member and x). Under the
  /// mean-probability rule t = LSEₖ(log σ(zₖ)) − LSEₖ(log σ(−zₖ)), log σ(z) = −softplus(−z).
  public func callAsFunction(_ x: Tensor) -> Tensor {
    let logits = members.map { $0(x) }
    switch rule {
    case .meanLogit:
      let total = logits.dropFirst().reduce(logits[0], +)
      return members.count == 1 ? total : total * (1 / Float(members.count))
    case .meanProbability:
      let z = Tensor.concatenating(logits, alongAxis: 1)  // [n, K]
      return (-(-z).softplus()).logSumExp(alongAxis: 1, keepingDims: true) - (-z.softplus()).logSumExp(alongAxis: 1, keepingDims: true)
    }
  }

  /// The members' compiled plans, combined by the rule.
  public func inferencePlan() -> any InferencePlan {
    EnsemblePlan(members: members.map { $0.inferencePlan() }, rule: rule)
  }

  public var selfExplaining: (any SelfExplaining)? {
    members.allSatisfy { $0.selfExplaining != nil } ? self : nil
  }

  public var globalExplaining: (any GlobalExplaining)? {
    (members.count == 1 || rule == .meanLogit) && members.allSatisfy { $0.globalExplaining != nil } ? self : nil
  }

  /// t and the weights aₖ (Σ aₖ = 1, Σ aₖ·zₖ = t) for one row's member logits under `rule`.
  public static func combination(_ z: [Double], rule: Rule) -> (logit: Double, weights: [Double]) {
    let k = Double(z.count)
    guard rule == .meanProbability, z.count > 1 else {
      return (z.reduce(0, +) / k, [Double](repeating: 1 / k, count: z.count))
    }
    func sigmoid(_ v: Double) -> Double { v >= 0 ? 1 / (1 + Foundation.exp(-v)) : Foundation.exp(v) / (1 + Foundation.exp(v)) }
    let t = z.withUnsafeBufferPointer(meanProbabilityLogit)
    let slopes = z.map { zk -> Double in
      let gap = zk - t
      if Swift.abs(gap) <= 1e-7 * (1 + Swift.abs(t)) { return sigmoid(t) * sigmoid(-t) }
      // σ(zₖ) − σ(t), from whichever tail keeps its digits.
      let rise = zk + t > 0 ? sigmoid(-t) - sigmoid(-zk) : sigmoid(zk) - sigmoid(t)
      return rise / gap
    }
    let total = slopes.reduce(0, +)
    guard total > 0, total.isFinite else {
      // Every member saturated (slopes underflow): weight the members at t's end alike.
      return (t, [Double](repeating: 1 / k, count: z.count))
    }
    return (t, slopes.map { $0 / total })
  }

  /// logit((1/K)·Σₖ σ(zₖ)) = LSEₖ(log σ(zₖ)) − LSEₖ(log σ(−zₖ)), finite where the mean
  /// probability rounds to 0 or 1; no allocation (the compiled plan calls it per row).
  static func meanProbabilityLogit(_ z: UnsafeBufferPointer<Double>) -> Double {
    func logSigmoid(_ v: Double) -> Double { v >= 0 ? -Foundation.log1p(Foundation.exp(-v)) : v - Foundation.log1p(Foundation.exp(v)) }
    func logSumExp(sign: Double) -> Double {
      var m = -Double.infinity
      for v in z { m = Swift.max(m, logSigmoid(sign * v)) }
      var sum = 0.0
      for v in z { sum += Foundation.exp(logSigmoid(sign * v) - m) }
      return m + Foundation.log(sum)
    }
    return logSumExp(sign: 1) - logSumExp(sign: -1)
  }

  /// bias + Σ scores of one row and output of an explanation (its model's logit).
  static func total(_ explanation: ModelExplanation, row r: Int, output o: Int) -> Double {
    switch explanation {
    case .features(let a): a.scores(row: r, output: o).reduce(a.base?[r * a.outputs + o] ?? 0, +)
    case .groups(let g): (0..<g.groupCount).reduce(g.base?[r * g.outputs + o] ?? 0) { $0 + g[r, o, $1] }
    }
  }
}

extension EnsembleModel: SelfExplaining {
  /// The members' explanations combined with each row's weights aₖ (``combination(_:rule:)``):
  /// for feature attributions the weighted contributions, bias and weights; for group
  /// attributions every member's groups with its scores times its weight.
  ///
  /// - Throws: ``ExplanationError`` for bad rows, or ``ExplanationError/notSelfExplaining`` when
  ///   a member does not explain itself (``selfExplaining`` is nil then).
  public func explain(_ rows: [Float], threads: Int) throws -> ModelExplanation {
    let explainers = members.compactMap(\.selfExplaining)
    guard explainers.count == members.count else { throw ExplanationError.notSelfExplaining }
    let explanations = try explainers.map { try $0.explain(rows, threads: threads) }
    if explanations.count == 1 { return explanations[0] }
    let (n, c) = switch explanations[0] {
    case .features(let a): (a.rows, a.outputs)
    case .groups(let g): (g.rows, g.outputs)
    }
    // Weights per (row, output), from the members' own totals so that the combination adds
    // up to its t exactly.
    var weights = [[Double]](repeating: [], count: n * c)
    for r in 0..<n {
      for o in 0..<c {
        weights[r * c + o] = Self.combination(explanations.map { Self.total($0, row: r, output: o) }, rule: rule).weights
      }
    }
    let features = explanations.compactMap(\.features)
    if features.count == explanations.count {
      return .features(Self.combine(features, weights: weights))
    }
    return .groups(Self.union(explanations.map(\.groups), weights: weights))
  }

  /// Feature attributions combined per (row, output) with `weights[row·outputs + output][k]`.
  static func combine(_ parts: [FeatureAttribution], weights: [[Double]]) -> FeatureAttribution {
    let first = parts[0]
    let (n, c, d) = (first.rows, first.outputs, first.features)
    func combine(_ arrays: [[Double]], width: Int) -> [Double] {
      var out = [Double](repeating: 0, count: n * c * width)
      for (k, array) in arrays.enumerated() {
        for ro in 0..<(n * c) {
          let a = weights[ro][k]
          for j in 0..<width { out[ro * width + j] += a * array[ro * width + j] }
        }
      }
      return out
    }
    let bases = parts.compactMap(\.base)
    let coefficients = parts.compactMap(\.coefficients)
    return FeatureAttribution(rows: n, outputs: c, features: d, values: combine(parts.map(\.values), width: d),
                              base: bases.count == parts.count ? combine(bases, width: 1) : nil,
                              coefficients: coefficients.count == parts.count ? combine(coefficients, width: d) : nil,
                              method: first.method)
  }

  /// Group attributions: every member's groups, row by row, scores and bases times the weights.
  static func union(_ parts: [GroupAttribution], weights: [[Double]]) -> GroupAttribution {
    let first = parts[0]
    let (rows, outputs) = (first.rows, first.outputs)
    let m = parts.reduce(0) { $0 + $1.groupCount }
    var scores = [Double](repeating: 0, count: rows * outputs * m)
    var groups = [[[Int]]](repeating: [], count: rows)
    var base = [Double](repeating: 0, count: rows * outputs)
    for r in 0..<rows {
      var offset = 0
      for (k, part) in parts.enumerated() {
        groups[r] += part.groups[r]
        for o in 0..<outputs {
          let a = weights[r * outputs + o][k]
          for j in 0..<part.groupCount { scores[(r * outputs + o) * m + offset + j] = part[r, o, j] * a }
          base[r * outputs + o] += (part.base?[r * outputs + o] ?? 0) * a
        }
        offset += part.groupCount
      }
    }
    return GroupAttribution(rows: rows, outputs: outputs, groups: groups, scores: scores,
                            base: parts.allSatisfy({ $0.base == nil }) ? nil : base, method: first.method)
  }
}

extension EnsembleModel: GlobalExplaining {
  /// The members' shape functions averaged value by value (each member's are centred, so the
  /// mean is); the importances are recomputed from the mean, the spread is the members' mean
  /// spread (nil when they have none).
  public func globalExplanation(trainingRows: [Float]) throws -> GlobalExplanation {
    let explainers = members.compactMap(\.globalExplaining)
    guard explainers.count == members.count else { throw ExplanationError.notSelfExplaining }
    guard members.count == 1 || rule == .meanLogit else { throw ExplanationError.notAdditive }
    let parts = try explainers.map { try $0.globalExplanation(trainingRows: trainingRows) }
    if parts.count == 1 { return parts[0] }
    let scale = 1 / Double(parts.count)
    var result = parts[0]
    result.intercept = result.intercept.indices.map { o in parts.reduce(0) { $0 + $1.intercept[o] } * scale }
    for s in result.shapes.indices {
      var shape = result.shapes[s]
      let total = shape.counts.reduce(0, +)
      for v in shape.values.indices {
        for o in shape.contributions[v].indices {
          shape.contributions[v][o] = parts.reduce(0) { $0 + $1.shapes[s].contributions[v][o] } * scale
          if shape.spread != nil {
            shape.spread![v][o] = parts.reduce(0) { $0 + ($1.shapes[s].spread?[v][o] ?? 0) } * scale
          }
        }
      }
      shape.importance = shape.importance.indices.map { o in
        shape.values.indices.reduce(0.0) { $0 + Swift.abs(shape.contributions[$1][o]) * Double(shape.counts[$1]) } / Double(Swift.max(total, 1))
      }
      result.shapes[s] = shape
    }
    return result
  }
}

/// The compiled form of ``EnsembleModel``: every member's plan into a scratch buffer, then the
/// rule row by row (the mean logit summed in member order and scaled by 1/K; the mean
/// probability's logit in Double).
struct EnsemblePlan: InferencePlan {
  let members: [any InferencePlan]
  let rule: EnsembleModel.Rule

  var features: Int { members[0].features }
  var outputs: Int { members[0].outputs }

  func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>, threads: Int) {
    let n = count * outputs
    members[0].evaluate(rows, count: count, into: output, threads: threads)
    guard members.count > 1 else { return }
    var scratch = [Float](repeating: 0, count: n * (members.count - 1))
    scratch.withUnsafeMutableBufferPointer { buffer in
      for (k, member) in members.dropFirst().enumerated() {
        member.evaluate(rows, count: count, into: UnsafeMutableBufferPointer(rebasing: buffer[(k * n)..<((k + 1) * n)]), threads: threads)
      }
    }
    switch rule {
    case .meanLogit:
      for k in 0..<(members.count - 1) {
        for i in 0..<n { output[i] += scratch[k * n + i] }
      }
      let scale = 1 / Float(members.count)
      for i in 0..<n { output[i] *= scale }
    case .meanProbability:
      var z = [Double](repeating: 0, count: members.count)
      z.withUnsafeMutableBufferPointer { z in
        for i in 0..<n {
          z[0] = Double(output[i])
          for k in 1..<members.count { z[k] = Double(scratch[(k - 1) * n + i]) }
          output[i] = Float(EnsembleModel.meanProbabilityLogit(UnsafeBufferPointer(z)))
        }
      }
    }
  }
}
