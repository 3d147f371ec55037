import Tensor

extension LogisticRegression: ONNXExportable {
  /// Logits = x·Wᵀ + b; contributions Wcⱼ·xⱼ and the intercept, as its own explanation.
  public func exportONNX(into g: inout ONNXGraph, input: String) throws -> ONNXModelOutputs {
    let c = outputs
    let weight = g.constant("linear/weight", linear.weight.value)              // [C, F]
    let contributions = g.node("Mul", g.unsqueeze(input, axes: [1]), weight)  // [N, C, F]
    let intercept = linear.bias.map { g.constant("linear/bias", $0.value) } ?? g.constant("linear/bias", [Float](repeating: 0, count: c), shape: [c])
    let bias = g.rows(intercept, width: c, like: input)
    let logits = g.node("Add", g.reduceSum(contributions, axes: [2], keep: false), intercept)
    return ONNXModelOutputs(logits: logits, explanation: .features(contributions: contributions, bias: bias))
  }
}
