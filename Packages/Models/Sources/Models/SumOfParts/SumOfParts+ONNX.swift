import Tensor

extension SumOfParts: ONNXExportable {
  /// The forward pass of ``parts(_:)`` from standard operators: tokens, each head's attention
  /// rows for its kept candidates (Softmax), the hard masks (TopK, ties to the lower index as
  /// here, then ScatterElements), the scales c, all n·m masked rows through the backbone at
  /// once, the selector's scores and sparsemax written out (TopK sorted, CumSum, the support
  /// size, GatherElements), and the contributions s_k·α·c·y, whose sum is the logits.
  public func exportONNX(into g: inout ONNXGraph, input x: String) throws -> ONNXModelOutputs {
    let (d, k, m) = (features, outputs, groupCount)
    let width = backbone.backbone.width
    // Tokens T = x ⊗ w + b: [N, d, E].
    let tokens = g.scoped("tokenizer") { g in
      g.node("Add", g.node("Mul", g.unsqueeze(x, axes: [2]), g.constant("weight", tokenizer.weight.value)), g.constant("bias", tokenizer.bias.value))
    }
    let attention = g.scoped("generator") { g in
      let transposed = g.transpose(tokens, [0, 2, 1])                                  // [N, E, d]
      var rows: [String] = []
      for (h, (q, key)) in zip(generator.queries, generator.keys).enumerated() {
        let selected = generator.candidates.filter { $0 / d == h }.map { $0 % d }
        guard !selected.isEmpty else { continue }
        rows.append(g.scoped("head\(h)") { g in
          let product = g.constant("query_key", q.value.matmul(key.value.transposed()))  // W_q·W_kᵀ [E, E]
          let queries = g.node("Gather", [tokens, g.constant("queries", int64s: selected)], [("axis", .int(1))], outputs: 1)[0]
          let scores = g.node("MatMul", g.node("MatMul", queries, product), transposed)  // [N, c, d]
          // βʰ on each query's own feature: (query = key) as 0/1 [c, d] times βʰ, built from the
          // c query indices and the d key indices rather than stored as c·d numbers.
          let own = g.node("Equal", g.constant("query_index", selected.map(Float.init), shape: [selected.count, 1]),
                           g.constant("key_index", (0..<d).map(Float.init), shape: [d]))
          let bonus = g.node("Mul", g.node("Cast", [own], [("to", .int(ONNXGraph.ElementType.float.rawValue))], outputs: 1)[0],
                             g.constant("self_bias", [generator.selfBias.value.scalars[h]], shape: []))
          let logits = g.node("Add", g.node("Mul", scores, g.scalar(generator.scale)), bonus)
          return g.node("Softmax", [logits], [("axis", .int(-1))], outputs: 1)[0]
        })
      }
      return g.concat(rows, axis: 1)                                                    // [N, m, d]
    }
    let (masks, scales) = g.scoped("groups") { g in
      let top = g.node("TopK", [attention, g.constant("keep", int64s: [generator.keep])],
                       [("axis", .int(-1)), ("largest", .int(1)), ("sorted", .int(1))], outputs: 2)
      let zeros = g.node("Sub", attention, attention)
      let ones = g.node("Add", g.node("Sub", top[0], top[0]), g.scalar(1))
      let masks = g.node("ScatterElements", [zeros, top[1], ones], [("axis", .int(-1))], outputs: 1)[0]
      let signs = g.node("Sub", g.node("Mul", masks, g.scalar(2)), g.scalar(1))
      return (masks, g.reduceSum(g.node("Mul", attention, signs), axes: [2], keep: false))  // [N, m, d], [N, m]
    }
    // Every masked row through the backbone: [N·m, d] → z [N·m, D], y [N·m, K].
    let masked = g.reshape(g.node("Mul", g.unsqueeze(x, axes: [1]), masks), [-1, d])
    let hidden = g.scoped("backbone") { backbone.backbone.exportONNX(into: &$0, input: masked) }
    let y = g.scoped("backbone") { $0.linear(hidden, backbone.head, "head") }
    let yt = g.transpose(g.reshape(y, [-1, m, k]), [0, 2, 1])                          // [N, K, m]
    let (alpha, selectorScores) = g.scoped("selector") { g -> (String, String) in
      let queries = selector.classQueries.value.matmul(selector.queryProjection.value)
      let projection = g.constant("key_queries", selector.keyProjection.value.matmul(queries.transposed()))  // [D, K]
      let z = g.reshape(hidden, [-1, m, width])
      let scores = g.node("Mul", g.transpose(g.node("MatMul", z, projection), [0, 2, 1]), g.scalar(selector.scale))  // [N, K, m]
      switch selector.normalisation {
      case .softmax: return (g.node("Softmax", [scores], [("axis", .int(-1))], outputs: 1)[0], scores)
      case .sparsemax: return (Self.sparsemax(&g, scores, width: m), scores)
      }
    }
    let scale = g.constant("log_scale_exp", logScale.value.exp().reshaped([1, k, 1]))
    let contributions = g.node("Mul", g.node("Mul", g.node("Mul", alpha, g.unsqueeze(scales, axes: [1])), yt), scale)
    // 0·Σ(attention, the groups' logits and selector scores): nothing for finite rows, NaN where
    // one overflowed. TopK, Relu and sparsemax would otherwise turn such a row into groups of
    // weight 0 and a logit of 0 (a plausible answer) where `sann predict` reports the overflow.
    let inner = g.node("Add", g.reduceSum(g.node("Add", yt, selectorScores), axes: [1, 2], keep: false),
                       g.reduceSum(attention, axes: [1, 2], keep: false))                  // [N]
    let overflow = g.node("Mul", g.unsqueeze(inner, axes: [1]), g.scalar(0))               // [N, 1]
    let logits = g.node("Add", g.reduceSum(contributions, axes: [2], keep: false), overflow)
    return ONNXModelOutputs(logits: logits, explanation: .groups(masks: masks, scores: contributions))
  }

  /// Sparsemax over the last axis (of size `width`), as ``Tensor/sparsemax(alongAxis:)``:
  /// z sorted decreasingly, k(z) = max{k : 1 + k·z₍ₖ₎ > Σ_{j≤k} z₍ⱼ₎}, τ = (Σ_{j≤k(z)} z₍ⱼ₎ − 1)/k(z),
  /// α = max(z − τ, 0).
  static func sparsemax(_ g: inout ONNXGraph, _ z: String, width: Int) -> String {
    g.scoped("sparsemax") { g in
      let sorted = g.node("TopK", [z, g.constant("width", int64s: [width])],
                          [("axis", .int(-1)), ("largest", .int(1)), ("sorted", .int(1))], outputs: 2)[0]
      let cumulative = g.node("CumSum", sorted, g.constant("axis", int64s: [-1], shape: []))
      let ranks = g.constant("ranks", (1...width).map(Float.init), shape: [width])
      let inSupport = g.node("Greater", g.node("Add", g.scalar(1), g.node("Mul", ranks, sorted)), cumulative)
      let float = ONNXGraph.ElementType.float.rawValue
      let support = g.node("ReduceMax", [g.node("Mul", g.node("Cast", [inSupport], [("to", .int(float))], outputs: 1)[0], ranks)],
                           [("axes", .ints([-1])), ("keepdims", .int(1))], outputs: 1)[0]  // k(z) ≥ 1
      let index = g.node("Cast", [g.node("Sub", support, g.scalar(1))], [("to", .int(ONNXGraph.ElementType.int64.rawValue))], outputs: 1)[0]
      // k(z) = 0 only when the scores overflow Float's precision (1 + z₍₁₎ = z₍₁₎): then, as in
      // Swift, the support's sum is 0, τ = −1/0 = −∞ and α = ∞, so the overflow shows as a
      // non-finite logit (GatherElements would read index −1 as the last element instead).
      let gathered = g.node("GatherElements", [cumulative, index], [("axis", .int(-1))], outputs: 1)[0]
      let total = g.node("Mul", gathered, g.node("Min", support, g.scalar(1)))
      let tau = g.node("Div", g.node("Sub", total, g.scalar(1)), support)
      return g.node("Relu", g.node("Sub", z, tau))
    }
  }
}
