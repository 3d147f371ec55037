extension AffineMap {
  /// A `Linear` layer followed by an evaluation-mode `BatchNorm1d`, folded into one affine map
  /// (the standard inference-time fusion, e.g. PyTorch's `fuse_linear_bn_eval`):
  ///
  ///   BN(x·Wᵀ + b) = (x·Wᵀ + b − μ)·s + β = x·(diag(s)·W)ᵀ + (s⊙(b − μ) + β),
  ///   s = γ/√(σ² + ε)
  ///
  /// with the running mean μ and variance σ², whatever the norm's `isTraining` flag: the result
  /// is the evaluation-mode forward. It is a snapshot; later parameter updates do not reach it.
  /// It matches `norm(linear(x))` in evaluation mode to float rounding (the products are
  /// associated differently).
  public init(_ linear: Linear, followedBy norm: BatchNorm1d) {
    precondition(norm.features == linear.outFeatures,
      "AffineMap: BatchNorm1d(\(norm.features)) cannot follow Linear(\(linear.inFeatures), \(linear.outFeatures))")
    let (inputs, outputs) = (linear.inFeatures, linear.outFeatures)
    let beta = norm.bias.value.scalars
    let mean = norm.runningMean.value.scalars
    let scale = norm.evaluationScale
    var weight = linear.weight.value.scalars
    for o in 0..<outputs {
      for i in 0..<inputs { weight[o * inputs + i] *= scale[o] }
    }
    let b = linear.bias?.value.scalars ?? [Float](repeating: 0, count: outputs)
    let bias = (0..<outputs).map { (b[$0] - mean[$0]) * scale[$0] + beta[$0] }
    self.init(weight: weight, bias: bias, inputs: inputs, outputs: outputs)
  }
}

extension BatchNorm1d {
  /// s = γ/√(σ² + ε) with the running variance σ²: evaluation mode is y = (x − μ)·s + β.
  var evaluationScale: [Float] {
    let gamma = weight.value.scalars
    let variance = runningVar.value.scalars
    return (0..<features).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
  }
}
