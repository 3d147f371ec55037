extension SequentialPlan {
  /// Compiles `model`'s evaluation-mode forward from a snapshot of its current values.
  ///
  /// - `Linear` starts a stage; a `BatchNorm1d` right after it (dropout in between is fine) is
  ///   folded in with `AffineMap(_:followedBy:)`.
  /// - `Activation(.relu)` and `.gelu` become the epilogue of the stage before; `.identity` and
  ///   `Dropout` vanish. Nested `Sequential`s are flattened.
  /// - A `BatchNorm1d` elsewhere (first, after an activation, after another norm) is kept as a
  ///   diagonal map x·s + t and folded into the next `Linear`; with no `Linear` after it, or an
  ///   activation in between, it becomes a stage of its own (as does an activation that has no
  ///   identity-epilogue stage before it, such as ReLU after GELU).
  ///
  /// - Throws: ``SequentialPlanError``: `.unsupportedLayer` for any other layer (naming it and its
  ///   position), `.widthMismatch` for inconsistent sizes, `.unknownInputWidth` when an activation
  ///   comes before any `Linear` or `BatchNorm1d`, `.noAffineLayer` when there is neither.
  public init(_ model: Sequential, chunkSize: Int = Self.defaultChunkSize) throws {
    var compiler = SequentialCompiler()
    try compiler.compile(Self.flatten(model, prefix: ""))
    self.init(stages: try compiler.finish(), chunkSize: chunkSize)
  }

  /// The layers in order with their index paths, nested `Sequential`s expanded.
  private static func flatten(_ model: Sequential, prefix: String) -> [(path: String, layer: any Layer)] {
    model.layers.enumerated().flatMap { index, layer -> [(path: String, layer: any Layer)] in
      let path = prefix + String(index)
      if let inner = layer as? Sequential { return flatten(inner, prefix: path + ".") }
      return [(path, layer)]
    }
  }
}

/// The state of ``SequentialPlan/init(_:chunkSize:)`` while it walks the layers: the stages so
/// far, the width they produce, and a diagonal affine map x ↦ x⊙s + t (from BatchNorms) waiting
/// to be folded into the next `Linear`.
private struct SequentialCompiler {
  var stages: [SequentialPlan.Stage] = []
  var width: Int?
  var pending: (scale: [Float], shift: [Float])?

  mutating func compile(_ layers: [(path: String, layer: any Layer)]) throws {
    let layers = layers.filter { !($0.layer is Dropout) }
    var i = 0
    while i < layers.count {
      let (path, layer) = layers[i]
      switch layer {
      case let linear as Linear:
        try checkWidth(linear.inFeatures, path: path, layer: layer)
        var map = AffineMap(linear)
        if i + 1 < layers.count, let norm = layers[i + 1].layer as? BatchNorm1d {
          guard norm.features == linear.outFeatures else {
            throw SequentialPlanError.widthMismatch(path: layers[i + 1].path, layer: Self.describe(norm), expected: linear.outFeatures, got: norm.features)
          }
          map = AffineMap(linear, followedBy: norm)
          i += 1
        }
        if let (s, t) = pending { map = Self.fold(scale: s, shift: t, into: map) }
        pending = nil
        stages.append(.init(map: map, epilogue: .identity))
        width = map.outputs
      case let norm as BatchNorm1d:
        try checkWidth(norm.features, path: path, layer: layer)
        width = norm.features
        let s = norm.evaluationScale
        let (mean, beta) = (norm.runningMean.value.scalars, norm.bias.value.scalars)
        let t = (0..<norm.features).map { beta[$0] - mean[$0] * s[$0] }
        if pending == nil, let last = stages.last, last.epilogue == .identity {
          stages[stages.count - 1] = .init(map: Self.fold(last.map, thenScale: s, shift: t), epilogue: .identity)
        } else if let (s0, t0) = pending {
          pending = (zip(s0, s).map(*), (0..<s.count).map { t0[$0] * s[$0] + t[$0] })
        } else {
          pending = (s, t)
        }
      case let activation as Activation:
        let epilogue: AffineMap.Epilogue
        switch activation.kind {
        case .identity: i += 1; continue
        case .relu: epilogue = .relu
        case .gelu: epilogue = .gelu
        case .tanh, .sigmoid, .softplus: throw SequentialPlanError.unsupportedLayer(path: path, layer: Self.describe(layer))
        }
        guard width != nil else { throw SequentialPlanError.unknownInputWidth(path: path, layer: Self.describe(layer)) }
        if pending != nil || stages.last?.epilogue != .identity { materializePending() }
        stages[stages.count - 1] = .init(map: stages[stages.count - 1].map, epilogue: epilogue)
      default:
        throw SequentialPlanError.unsupportedLayer(path: path, layer: Self.describe(layer))
      }
      i += 1
    }
  }

  /// The stages, with a trailing diagonal map as a stage of its own.
  mutating func finish() throws -> [SequentialPlan.Stage] {
    guard width != nil else { throw SequentialPlanError.noAffineLayer }
    if pending != nil { materializePending() }
    return stages
  }

  private func checkWidth(_ inputs: Int, path: String, layer: any Layer) throws {
    if let width, width != inputs {
      throw SequentialPlanError.widthMismatch(path: path, layer: Self.describe(layer), expected: width, got: inputs)
    }
  }

  /// Appends the pending diagonal map (the identity when none) as a stage.
  private mutating func materializePending() {
    let n = width!
    let (s, t) = pending ?? ([Float](repeating: 1, count: n), [Float](repeating: 0, count: n))
    var weight = [Float](repeating: 0, count: n * n)
    for j in 0..<n { weight[j * n + j] = s[j] }
    stages.append(.init(map: AffineMap(weight: weight, bias: t, inputs: n, outputs: n), epilogue: .identity))
    pending = nil
  }

  /// (x⊙s + t)·Wᵀ + b = x·(W·diag(s))ᵀ + (b + W·t).
  private static func fold(scale s: [Float], shift t: [Float], into map: AffineMap) -> AffineMap {
    var weight = map.weight
    var bias = map.bias
    for o in 0..<map.outputs {
      for i in 0..<map.inputs {
        bias[o] += map.weight[o * map.inputs + i] * t[i]
        weight[o * map.inputs + i] *= s[i]
      }
    }
    return AffineMap(weight: weight, bias: bias, inputs: map.inputs, outputs: map.outputs)
  }

  /// (x·Wᵀ + b)⊙s + t = x·(diag(s)·W)ᵀ + (b⊙s + t).
  private static func fold(_ map: AffineMap, thenScale s: [Float], shift t: [Float]) -> AffineMap {
    var weight = map.weight
    for o in 0..<map.outputs {
      for i in 0..<map.inputs { weight[o * map.inputs + i] *= s[o] }
    }
    let bias = (0..<map.outputs).map { map.bias[$0] * s[$0] + t[$0] }
    return AffineMap(weight: weight, bias: bias, inputs: map.inputs, outputs: map.outputs)
  }

  /// How errors name a layer: "Linear(20, 128)", "Activation(.tanh)", or its type.
  static func describe(_ layer: any Layer) -> String {
    switch layer {
    case let linear as Linear: "Linear(\(linear.inFeatures), \(linear.outFeatures))"
    case let norm as BatchNorm1d: "BatchNorm1d(\(norm.features))"
    case let activation as Activation: "Activation(.\(activation.kind.rawValue))"
    default: String(describing: type(of: layer))
    }
  }
}
