import Tensor

/// The function a snapshot ensemble predicts with, as a model of its own: K networks of one
/// architecture, each holding one snapshot's weights, whose logits are averaged,
///
///     logit(x) = (1/K)·Σₖ logitₖ(x).
///
/// Averaging logits (rather than probabilities) is what keeps a self-explaining ensemble
/// self-explaining: when every member's logit is base + Σᵢ φᵢ, so is the mean, with the mean
/// base and the mean contributions (the mean of linear models is a linear model). So the
/// explainers — the model's own explanation, SHAP, LIME, IG, the insertion/deletion metrics —
/// explain exactly the function `sann predict` predicts from.
///
/// A group explanation (Sum-of-Parts) of the ensemble holds every member's groups, each score
/// divided by K; a global explanation (NAM's shape functions) is the members' mean.
public final class EnsembleModel: TabularModel {
  public let members: [any TabularModel]
  public var mode = ModuleMode()

  /// - Precondition: at least one member, all of the same width and outputs.
  public init(members: [any TabularModel]) {
    precondition(!members.isEmpty, "EnsembleModel: at least one member")
    precondition(members.allSatisfy { $0.features == members[0].features && $0.outputs == members[0].outputs },
                 "EnsembleModel: members of different widths or outputs")
    self.members = members
  }

  public var features: Int { members[0].features }
  public var outputs: Int { members[0].outputs }

  public var children: [(name: String, module: any Module)] {
    members.enumerated().map { ("\($0.offset)", $0.element) }
  }

  /// The mean of the members' logits (differentiable: gradients reach every member and x).
  public func callAsFunction(_ x: Tensor) -> Tensor {
    var total = members[0](x)
    for member in members.dropFirst() { total = total + member(x) }
    return members.count == 1 ? total : total * (1 / Float(members.count))
  }

  /// The members' compiled plans, averaged in member order.
  public func inferencePlan() -> any InferencePlan {
    EnsemblePlan(members: members.map { $0.inferencePlan() })
  }

  public var selfExplaining: (any SelfExplaining)? {
    members.allSatisfy { $0.selfExplaining != nil } ? self : nil
  }

  public var globalExplaining: (any GlobalExplaining)? {
    members.allSatisfy { $0.globalExplaining != nil } ? self : nil
  }
}

extension EnsembleModel: SelfExplaining {
  /// The mean of the members' explanations: for feature attributions the mean contributions,
  /// bias and weights; for group attributions every member's groups with its scores over K.
  ///
  /// - Throws: ``ExplanationError`` for bad rows, or ``ExplanationError/notSelfExplaining`` when
  ///   a member does not explain itself (``selfExplaining`` is nil then).
  public func explain(_ rows: [Float], threads: Int) throws -> ModelExplanation {
    let explainers = members.compactMap(\.selfExplaining)
    guard explainers.count == members.count else { throw ExplanationError.notSelfExplaining }
    let explanations = try explainers.map { try $0.explain(rows, threads: threads) }
    if explanations.count == 1 { return explanations[0] }
    let scale = 1 / Double(explanations.count)
    let features = explanations.compactMap(\.features)
    if features.count == explanations.count {
      return .features(Self.mean(features, scale: scale))
    }
    return .groups(Self.union(explanations.map(\.groups), scale: scale))
  }

  static func mean(_ parts: [FeatureAttribution], scale: Double) -> FeatureAttribution {
    let first = parts[0]
    func average(_ arrays: [[Double]]) -> [Double] {
      var sum = arrays[0]
      for array in arrays.dropFirst() { for i in sum.indices { sum[i] += array[i] } }
      return sum.map { $0 * scale }
    }
    let bases = parts.compactMap(\.base)
    let coefficients = parts.compactMap(\.coefficients)
    return FeatureAttribution(rows: first.rows, outputs: first.outputs, features: first.features, values: average(parts.map(\.values)),
                              base: bases.count == parts.count ? average(bases) : nil,
                              coefficients: coefficients.count == parts.count ? average(coefficients) : nil,
                              method: first.method)
  }

  static func union(_ parts: [GroupAttribution], scale: Double) -> GroupAttribution {
    let first = parts[0]
    let (rows, outputs) = (first.rows, first.outputs)
    let m = parts.reduce(0) { $0 + $1.groupCount }
    var scores = [Double](repeating: 0, count: rows * outputs * m)
    var groups = [[[Int]]](repeating: [], count: rows)
    var base: [Double]? = [Double](repeating: 0, count: rows * outputs)
    for r in 0..<rows {
      var offset = 0
      for part in parts {
        groups[r] += part.groups[r]
        for o in 0..<outputs {
          for j in 0..<part.groupCount { scores[(r * outputs + o) * m + offset + j] = part[r, o, j] * scale }
        }
        offset += part.groupCount
      }
    }
    for part in parts {
      guard let b = part.base else { continue }
      for i in b.indices { base![i] += b[i] * scale }
    }
    if parts.allSatisfy({ $0.base == nil }) { base = nil }
    return GroupAttribution(rows: rows, outputs: outputs, groups: groups, scores: scores, base: base, method: first.method)
  }
}

extension EnsembleModel: GlobalExplaining {
  /// The members' shape functions averaged value by value (each member's are centred, so the
  /// mean is); the importances are recomputed from the mean, the spread is the members' mean
  /// spread (nil when they have none).
  public func globalExplanation(trainingRows: [Float]) throws -> GlobalExplanation {
    let explainers = members.compactMap(\.globalExplaining)
    guard explainers.count == members.count else { throw ExplanationError.notSelfExplaining }
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

/// The compiled form of ``EnsembleModel``: every member's plan into a scratch buffer, summed in
/// member order, scaled by 1/K.
struct EnsemblePlan: InferencePlan {
  let members: [any InferencePlan]

  var features: Int { members[0].features }
  var outputs: Int { members[0].outputs }

  func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>, threads: Int) {
    let n = count * outputs
    members[0].evaluate(rows, count: count, into: output, threads: threads)
    guard members.count > 1 else { return }
    var scratch = [Float](repeating: 0, count: n)
    for member in members.dropFirst() {
      scratch.withUnsafeMutableBufferPointer { member.evaluate(rows, count: count, into: $0, threads: threads) }
      for i in 0..<n { output[i] += scratch[i] }
    }
    let scale = 1 / Float(members.count)
    for i in 0..<n { output[i] *= scale }
  }
}
