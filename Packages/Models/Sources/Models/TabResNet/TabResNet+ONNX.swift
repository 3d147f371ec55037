import Tensor

extension TabResNetBackbone {
  /// The trunk in evaluation mode: Gemm, BatchNormalization and the exact GELU (from Erf).
  public func exportONNX(into g: inout ONNXGraph, input x: String) -> String {
    var h = g.gelu(g.batchNorm(g.linear(x, input, "input"), inputNorm, "input_norm"))
    for (i, block) in blocks.enumerated() {
      h = g.scoped("blocks.\(i)") { g in
        let inner = g.gelu(g.batchNorm(g.linear(h, block.linear1, "linear1"), block.bn1, "bn1"))
        let residual = g.batchNorm(g.linear(inner, block.linear2, "linear2"), block.bn2, "bn2")
        return g.gelu(g.node("Add", h, residual))
      }
    }
    return h
  }
}

extension TabResNet: ONNXExportable {
  /// Logits = head(trunk(x)); a black box.
  public func exportONNX(into g: inout ONNXGraph, input: String) throws -> ONNXModelOutputs {
    let h = g.scoped("backbone") { backbone.exportONNX(into: &$0, input: input) }
    return ONNXModelOutputs(logits: g.linear(h, head, "head"))
  }
}
