import Tensor

extension MesomorphicNetwork: ONNXExportable {
  /// W(x) = reshape(head(trunk(x))) [N, F+1, C]; contributions W[:, j, c]·xⱼ (transposed to
  /// [N, C, F]), bias W[:, F, c], logits their sum — one pass gives the prediction and its
  /// exact explanation, as ``explain(_:threads:)`` reads it.
  public func exportONNX(into g: inout ONNXGraph, input: String) throws -> ONNXModelOutputs {
    let (f, c) = (features, outputs)
    let h = g.scoped("backbone") { backbone.exportONNX(into: &$0, input: input) }
    let w = g.reshape(g.linear(h, head, "head"), [-1, f + 1, c])
    let slices = g.node("Split", [w, g.constant("split", int64s: [f, 1])], [("axis", .int(1))], outputs: 2)
    let weights = g.transpose(slices[0], [0, 2, 1])                         // [N, C, F]
    let contributions = g.node("Mul", weights, g.unsqueeze(input, axes: [1]))  // x as [N, 1, F]
    let bias = g.reshape(slices[1], [-1, c])
    let logits = g.node("Add", g.reduceSum(contributions, axes: [2], keep: false), bias)
    return ONNXModelOutputs(logits: logits, explanation: .features(contributions: contributions, bias: bias))
  }
}
