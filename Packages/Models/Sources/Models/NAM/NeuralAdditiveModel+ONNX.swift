import Tensor

extension NeuralAdditiveModel: ONNXExportable {
  /// Every member's feature networks as batched products over the features: x [N, d] →
  /// columns [d, N, 1] → first layer (ExU: clip((x − b)·eᵂ, 0, 1); ReLU: relu(x·w + b)) →
  /// hidden ReLU layers (MatMul [d, N, a]·[d, a, b]) → outputs [d, N, K] → [N, K, d]. The
  /// contributions are the members' mean, the bias their mean intercept; logits the sum.
  public func exportONNX(into g: inout ONNXGraph, input: String) throws -> ONNXModelOutputs {
    let k = outputs
    let columns = g.unsqueeze(g.transpose(input, [1, 0]), axes: [2])       // [d, N, 1]
    var memberContributions: [String] = []
    for (m, member) in members.enumerated() {
      memberContributions.append(g.scoped("members.\(m)") { g in
        let net = member.networks
        var h: String
        switch net.first {
        case .exu:
          let slopes = g.constant("first.exp_weight", net.firstWeight.value.exp())
          let shifted = g.node("Sub", columns, g.constant("first.bias", net.firstBias.value))
          h = g.node("Clip", g.node("Mul", shifted, slopes), g.scalar(0), g.scalar(1))
        case .relu:
          let scaled = g.node("Mul", columns, g.constant("first.weight", net.firstWeight.value))
          h = g.node("Relu", g.node("Add", scaled, g.constant("first.bias", net.firstBias.value)))
        }
        for (i, (w, b)) in zip(net.weights, net.biases).enumerated() {
          let product = g.node("MatMul", h, g.constant("hidden.\(i).weight", w.value))
          h = g.node("Relu", g.node("Add", product, g.constant("hidden.\(i).bias", b.value)))
        }
        let out = g.node("MatMul", h, g.constant("output", net.output.value))  // [d, N, K]
        return g.transpose(out, [1, 2, 0])                                       // [N, K, d]
      })
    }
    let scale = g.scalar(1 / Float(members.count))
    let total = memberContributions.dropFirst().reduce(memberContributions[0]) { g.node("Add", $0, $1) }
    let contributions = members.count == 1 ? total : g.node("Mul", total, scale)
    let intercepts = members.map { $0.intercept.value }
    let intercept = intercepts.dropFirst().reduce(intercepts[0], +) * (1 / Float(members.count))
    let bias = g.rows(g.constant("intercept", intercept), width: k, like: input)
    let logits = g.node("Add", g.reduceSum(contributions, axes: [2], keep: false), bias)
    return ONNXModelOutputs(logits: logits, explanation: .features(contributions: contributions, bias: bias))
  }
}
