import Foundation
import Tensor

/// The whole function of a saved model as one ONNX graph: raw rows in, the fitted
/// preprocessing, every snapshot's network, the snapshot ensemble's rule, and the predictions
/// and the model's own explanation out — what `sann predict` and `sann explain` compute.
///
/// **Input** `features`, float [N, D]: the model's original columns in the card's order (the
/// order of ``Preprocessor/featureNames``, listed in the metadata). A numeric column is its value
/// as in the CSV; a categorical column is the index of its level in the metadata's `levels`
/// list (0-based). NaN is a missing value (a numeric column becomes its training mean, a
/// categorical one all zeros), and so is a code outside the levels.
///
/// **Outputs**: `probabilities` [N, C] (binary: two columns) or `prediction` [N, 1] (regression,
/// in the target's units); `logits` [N, outputs], the ensemble's logit t that `sann explain`
/// explains; and, when the model explains itself, `contributions` [N, outputs, F] and `bias`
/// [N, outputs] over the F encoded columns (bias + Σ contributions = logits) or, for a group
/// explanation, `group_masks` [N, G, F] and `group_scores` [N, outputs, G] (Σ scores = logits).
public enum ONNXExport {
  /// The metadata key holding the JSON description of inputs and outputs.
  public static let metadataKey = "sannkit.onnx"

  /// The graph of `ensemble` (loaded with `card` by ``ModelFile/load(from:)``).
  ///
  /// - Throws: ``ONNXExportError/unsupported(kind:)`` when the architecture has no exporter.
  public static func graph(card: ModelCard, ensemble: SnapshotEnsemble) throws -> ONNXGraph {
    let members: [any TabularModel]
    let rule: EnsembleModel.Rule
    if let combined = ensemble.model as? EnsembleModel {
      (members, rule) = (combined.members, combined.rule)
    } else {
      (members, rule) = ([ensemble.model], .meanLogit)
    }
    let exportable = try members.map { member -> any ONNXExportable in
      guard let m = member as? any ONNXExportable else { throw ONNXExportError.unsupported(kind: card.kind) }
      return m
    }
    var g = ONNXGraph(name: "sannkit_\(card.kind)")
    let columns = card.preprocessor.transforms.count
    g.inputs = [.init(name: "features", type: .float, shape: [.named("N"), .fixed(columns)],
                      documentation: "raw rows: the columns \(card.preprocessor.featureNames.joined(separator: ", ")) in this order; categorical columns as 0-based level codes (metadata 'sannkit.onnx'); NaN = missing; ±inf makes the row's outputs NaN")]
    let encoded = g.scoped("preprocessing") { encode(&$0, card.preprocessor, input: "features") }
    var outputs: [ONNXModelOutputs] = []
    for (k, member) in exportable.enumerated() {
      outputs.append(try g.scoped("snapshot\(k)") { try member.exportONNX(into: &$0, input: encoded) })
    }
    let explained = outputs.allSatisfy { if case .none = $0.explanation { false } else { true } }
    let (logits, weights) = g.scoped("ensemble") { combine(&$0, outputs.map(\.logits), rule: rule, weighted: explained) }
    let c = card.outputs
    switch card.task {
    case .binary:
      let p = g.node("Sigmoid", logits)
      let q = g.node("Sub", g.scalar(1), p)
      g.output("probabilities", from: g.concat([q, p], axis: 1), shape: [.named("N"), .fixed(2)],
               documentation: "class probabilities of \(card.classNames.joined(separator: ", ")) (the snapshots' mean probability)")
    case .multiclass:
      g.output("probabilities", from: g.node("Softmax", [logits], [("axis", .int(1))], outputs: 1)[0], shape: [.named("N"), .fixed(c)],
               documentation: "class probabilities of \(card.classNames.joined(separator: ", ")) (softmax of the snapshots' mean logit)")
    case .regression:
      let value = g.node("Add", g.node("Mul", logits, g.scalar(card.targetScale)), g.scalar(card.targetMean))
      g.output("prediction", from: value, shape: [.named("N"), .fixed(1)], documentation: "the predicted \(card.targetName)")
    }
    g.output("logits", from: logits, shape: [.named("N"), .fixed(c)], documentation: logitMeaning(card))
    explanation(&g, outputs.map(\.explanation), weights: weights, card: card)
    g.documentation = "SANNKit \(card.kind) model (\(card.task.rawValue), \(card.snapshotCount) snapshot(s)); see the 'sannkit.onnx' metadata for the inputs and outputs"
    g.metadata = [(metadataKey, try metadataJSON(card: card, graph: g))]
    return g
  }

  // MARK: - Preprocessing

  /// The encoded rows [N, F]: numeric columns standardised (NaN → 0), categorical codes one-hot
  /// (a binary column one indicator of its second level), in the card's encoded order.
  static func encode(_ g: inout ONNXGraph, _ preprocessor: Preprocessor, input: String) -> String {
    var pieces: [String] = []
    var run: [(index: Int, mean: Float, scale: Float)] = []
    func flush(_ g: inout ONNXGraph) {
      guard !run.isEmpty else { return }
      let picked = g.node("Gather", [input, g.constant("numeric_columns", int64s: run.map(\.index))], [("axis", .int(1))], outputs: 1)[0]
      let z = g.node("Div", g.node("Sub", picked, g.constant("mean", run.map(\.mean), shape: [run.count])),
                     g.constant("scale", run.map(\.scale), shape: [run.count]))
      // NaN is missing (0, the training mean); ±∞ is no value, as `sann predict` refuses it: x − x
      // is NaN there (and 0 elsewhere), which then reaches every output.
      let infinite = g.node("Where", g.node("IsNaN", picked), g.scalar(0), g.node("Sub", picked, picked))
      pieces.append(g.node("Add", g.node("Where", g.node("IsNaN", z), g.scalar(0), z), infinite))
      run = []
    }
    for (i, transform) in preprocessor.transforms.enumerated() {
      switch transform {
      case let .numeric(_, mean, scale):
        run.append((i, mean, scale))
      case let .categorical(name, levels):
        flush(&g)
        let column = g.node("Gather", [input, g.constant("column", int64s: [i])], [("axis", .int(1))], outputs: 1)[0]  // [N, 1]
        let codes = levels.count == 2 ? [Float(1)] : (0..<levels.count).map(Float.init)
        let equal = g.scoped(name) { $0.node("Equal", column, $0.constant("codes", codes, shape: [codes.count])) }
        pieces.append(g.node("Cast", [equal], [("to", .int(ONNXGraph.ElementType.float.rawValue))], outputs: 1)[0])
      }
    }
    flush(&g)
    return g.concat(pieces, axis: 1)
  }

  // MARK: - Ensemble

  /// The ensemble's logits t [N, C] and, when `weighted` (an explanation will be combined), the
  /// members' weights aₖ per row [N, K] (float; nil for constant weights 1/K) as
  /// ``EnsembleModel/combination(_:rule:)`` defines them.
  static func combine(_ g: inout ONNXGraph, _ z: [String], rule: EnsembleModel.Rule, weighted: Bool) -> (String, String?) {
    guard z.count > 1 else { return (z[0], nil) }
    let k = z.count
    guard rule == .meanProbability else {
      let total = z.dropFirst().reduce(z[0]) { g.node("Add", $0, $1) }
      return (g.node("Mul", total, g.scalar(1 / Float(k))), nil)
    }
    // In double: log σ(v) = min(v, 0) − log(1 + e^{−|v|}); t = LSEₖ log σ(zₖ) − LSEₖ log σ(−zₖ).
    let zd = g.node("Cast", [g.concat(z, axis: 1)], [("to", .int(ONNXGraph.ElementType.double.rawValue))], outputs: 1)[0]  // [N, K]
    let zero = g.constant("zero", doubles: [0], shape: [])
    let one = g.constant("one", doubles: [1], shape: [])
    func logSigmoid(_ g: inout ONNXGraph, _ v: String) -> String {
      let tail = g.node("Log", g.node("Add", one, g.node("Exp", g.node("Neg", g.node("Abs", v)))))
      return g.node("Sub", g.node("Min", v, zero), tail)
    }
    func logSumExp(_ g: inout ONNXGraph, _ v: String) -> String {
      let m = g.node("ReduceMax", [v], [("axes", .ints([1])), ("keepdims", .int(1))], outputs: 1)[0]
      let sum = g.reduceSum(g.node("Exp", g.node("Sub", v, m)), axes: [1], keep: true)
      return g.node("Add", m, g.node("Log", sum))
    }
    let t = g.node("Sub", logSumExp(&g, logSigmoid(&g, zd)), logSumExp(&g, logSigmoid(&g, g.node("Neg", zd))))  // [N, 1]
    let float = ONNXGraph.ElementType.float.rawValue
    let logit = g.node("Cast", [t], [("to", .int(float))], outputs: 1)[0]
    guard weighted else { return (logit, nil) }
    // Secant slopes sₖ = (σ(zₖ) − σ(t)) / (zₖ − t), σ′(t) where |zₖ − t| ≤ 1e-7·(1 + |t|).
    let gap = g.node("Sub", zd, t)
    let near = g.node("LessOrEqual", g.node("Abs", gap), g.node("Mul", g.constant("tolerance", doubles: [1e-7], shape: []), g.node("Add", one, g.node("Abs", t))))
    // σ(v) = e^{min(v, 0)} / (1 + e^{−|v|}), accurate in both tails (ONNX Runtime's Sigmoid
    // loses the tail's digits, which the secant slopes of saturated members need).
    func sigmoid(_ g: inout ONNXGraph, _ v: String) -> String {
      g.node("Div", g.node("Exp", g.node("Min", v, zero)), g.node("Add", one, g.node("Exp", g.node("Neg", g.node("Abs", v)))))
    }
    let sigmoidT = sigmoid(&g, t)
    let sigmoidMinusT = sigmoid(&g, g.node("Neg", t))
    let derivative = g.node("Mul", sigmoidT, sigmoidMinusT)
    let upper = g.node("Sub", sigmoidMinusT, sigmoid(&g, g.node("Neg", zd)))
    let lower = g.node("Sub", sigmoid(&g, zd), sigmoidT)
    let rise = g.node("Where", g.node("Greater", g.node("Add", zd, t), zero), upper, lower)
    let slopes = g.node("Where", near, derivative, g.node("Div", rise, g.node("Where", near, one, gap)))
    let total = g.reduceSum(slopes, axes: [1], keep: true)
    let weights = g.node("Where", g.node("Greater", total, zero), g.node("Div", slopes, total), g.constant("uniform", doubles: [1 / Double(k)], shape: []))
    return (logit, g.node("Cast", [weights], [("to", .int(float))], outputs: 1)[0])
  }

  /// The members' explanations combined with the ensemble's weights (see ``EnsembleModel``).
  static func explanation(_ g: inout ONNXGraph, _ parts: [ONNXModelOutputs.Explanation], weights: String?, card: ModelCard) {
    let (n, c, f) = (ONNXGraph.Dimension.named("N"), ONNXGraph.Dimension.fixed(card.outputs), ONNXGraph.Dimension.fixed(card.features))
    let k = parts.count
    /// Member `i`'s weight, shaped to broadcast against a tensor of `rank` whose axis 0 is N.
    func weight(_ g: inout ONNXGraph, _ i: Int, rank: Int) -> String {
      guard let weights else { return g.scalar(1 / Float(k)) }
      let column = g.node("Gather", [weights, g.constant("member", int64s: [i])], [("axis", .int(1))], outputs: 1)[0]  // [N, 1]
      return rank == 2 ? column : g.unsqueeze(column, axes: Array(2..<rank))
    }
    func weightedSum(_ g: inout ONNXGraph, _ values: [String], rank: Int) -> String {
      guard values.count > 1 else { return values[0] }
      if weights == nil {
        let total = values.dropFirst().reduce(values[0]) { g.node("Add", $0, $1) }
        return g.node("Mul", total, g.scalar(1 / Float(k)))
      }
      let terms = values.enumerated().map { i, v in g.node("Mul", v, weight(&g, i, rank: rank)) }
      return terms.dropFirst().reduce(terms[0]) { g.node("Add", $0, $1) }
    }
    let features = parts.compactMap { part -> (String, String)? in
      if case let .features(contributions, bias) = part { return (contributions, bias) }
      return nil
    }
    let groups = parts.compactMap { part -> (String, String)? in
      if case let .groups(masks, scores) = part { return (masks, scores) }
      return nil
    }
    if features.count == k {
      let (contributions, bias) = g.scoped("explanation") { g in
        (weightedSum(&g, features.map(\.0), rank: 3), weightedSum(&g, features.map(\.1), rank: 2))
      }
      g.output("contributions", from: contributions, shape: [n, c, f],
               documentation: "per-feature contributions to each logit over the encoded columns (metadata 'encoded_columns'): bias + their sum = logits")
      g.output("bias", from: bias, shape: [n, c], documentation: "the explanation's bias per logit")
    } else if groups.count == k {
      let (masks, scores) = g.scoped("explanation") { g in
        let scaled = k == 1 ? [groups[0].1] : groups.enumerated().map { i, part in g.node("Mul", part.1, weight(&g, i, rank: 3)) }
        return (g.concat(groups.map(\.0), axis: 1), g.concat(scaled, axis: 2))
      }
      g.output("group_masks", from: masks, shape: [n, .named("G"), f],
               documentation: "each row's groups as 0/1 masks over the encoded columns (metadata 'encoded_columns'); the snapshots' groups one after another")
      g.output("group_scores", from: scores, shape: [n, c, .named("G")], documentation: "each group's contribution to each logit: their sum = logits")
    }
  }

  // MARK: - Metadata

  static func logitMeaning(_ card: ModelCard) -> String {
    switch card.task {
    case .binary: "t = logit of the probability of \(card.classNames[1]) (what `sann explain` explains)"
    case .multiclass: "the snapshots' mean logit per class (what `sann explain` explains)"
    case .regression: "the prediction on the standardised target scale: prediction = logits·\(card.targetScale) + \(card.targetMean)"
    }
  }

  /// The JSON stored under ``metadataKey``: the input's columns (kinds, levels), the encoded
  /// columns the explanation is over, the classes and every output's meaning.
  static func metadataJSON(card: ModelCard, graph: ONNXGraph) throws -> String {
    let columns = card.preprocessor.transforms.map { transform -> ONNXMetadata.Column in
      switch transform {
      case let .numeric(name, mean, scale): .init(name: name, kind: "numeric", mean: Double(mean), scale: Double(scale))
      case let .categorical(name, levels): .init(name: name, kind: "categorical", levels: levels)
      }
    }
    let metadata = ONNXMetadata(
      model: card.kind, task: card.task.rawValue, target: card.targetName, snapshots: card.snapshotCount,
      input: .init(name: "features", columns: columns,
                   coding: "float [N, \(columns.count)]: numeric values as they are, categorical columns as the 0-based index of the level in 'levels'; NaN (or a code outside the levels) is missing; ±inf makes the row's outputs NaN"),
      encodedColumns: card.preprocessor.encodedNames, encodedSources: card.preprocessor.encodedSources,
      outputs: Dictionary(uniqueKeysWithValues: graph.outputs.map { ($0.name, $0.documentation) }),
      classes: card.task == .regression ? nil : card.classNames,
      targetMean: card.task == .regression ? Double(card.targetMean) : nil,
      targetScale: card.task == .regression ? Double(card.targetScale) : nil)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(metadata), as: UTF8.self)
  }
}

/// The `sannkit.onnx` metadata of an exported model (format 1): what the input's columns are and
/// how to code them, the encoded columns an explanation is over, and what each output means.
public struct ONNXMetadata: Codable, Equatable, Sendable {
  /// One input column: numeric (its training mean and scale) or categorical (its levels, coded
  /// by index).
  public struct Column: Codable, Equatable, Sendable {
    public var name: String
    public var kind: String
    public var mean: Double?
    public var scale: Double?
    public var levels: [String]?

    public init(name: String, kind: String, mean: Double? = nil, scale: Double? = nil, levels: [String]? = nil) {
      (self.name, self.kind, self.mean, self.scale, self.levels) = (name, kind, mean, scale, levels)
    }
  }

  /// The graph's input.
  public struct Input: Codable, Equatable, Sendable {
    public var name: String
    public var columns: [Column]
    public var coding: String
  }

  public var format = 1
  public var model: String
  public var task: String
  public var target: String
  public var snapshots: Int
  public var input: Input
  public var encodedColumns: [String]
  /// For each encoded column, the index of its input column.
  public var encodedSources: [Int]
  /// Each output's name and meaning.
  public var outputs: [String: String]
  public var classes: [String]?
  public var targetMean: Double?
  public var targetScale: Double?

  enum CodingKeys: String, CodingKey {
    case format, model, task, target, snapshots, input, outputs, classes
    case encodedColumns = "encoded_columns", encodedSources = "encoded_sources", targetMean = "target_mean", targetScale = "target_scale"
  }
}
