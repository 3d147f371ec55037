import CTensorKernels

/// An affine map y = x·Wᵀ + b over raw row-major buffers, for evaluation-mode inference
/// without the autodiff tape or any array allocation: the building block of compiled
/// inference plans (see `AffineMap(_:followedBy:)` for folding a BatchNorm into it).
///
/// W has `torch.nn.Linear`'s layout [outputs, inputs]; x is [rows, inputs] and y is
/// [rows, outputs]. ``apply(_:rows:into:accumulating:then:)`` computes
///
///   y ← φ(x·Wᵀ + b)          (accumulating: false)
///   y ← φ(y + x·Wᵀ + b)      (accumulating: true, a residual connection in place)
///
/// with one `cblas_sgemm` (β = 0 or 1) and one fused pass for the bias and φ ∈ {identity, ReLU, GELU}.
///
///     let map = AffineMap(linear)                     // a snapshot of linear's values
///     map.apply(x, rows: n, into: y, then: .gelu)     // y = GELU(x·Wᵀ + b)
///
/// Complexity: 2·rows·inputs·outputs flops in BLAS plus one pass over y.
public struct AffineMap: Sendable {
  /// The non-linearity applied after the bias, in the same pass.
  public enum Epilogue: Sendable {
    case identity
    /// ReLU, max(x, 0), as `Tensor.relu()` (NaN stays NaN).
    case relu
    /// GELU in its exact form x·Φ(x), the same kernel as `Tensor.gelu()`.
    case gelu
  }

  public let inputs: Int
  public let outputs: Int
  /// W, [outputs, inputs] row-major.
  public let weight: [Float]
  /// b, [outputs].
  public let bias: [Float]

  /// An affine map from its weight [outputs, inputs] (row-major) and bias [outputs].
  public init(weight: [Float], bias: [Float], inputs: Int, outputs: Int) {
    precondition(inputs >= 0 && outputs > 0, "AffineMap(\(inputs) → \(outputs)): sizes must be positive")
    precondition(weight.count == inputs * outputs,
      "AffineMap(\(inputs) → \(outputs)): weight has \(weight.count) values, expected \(inputs * outputs)")
    precondition(bias.count == outputs, "AffineMap(\(inputs) → \(outputs)): bias has \(bias.count) values, expected \(outputs)")
    self.inputs = inputs
    self.outputs = outputs
    self.weight = weight
    self.bias = bias
  }

  /// A snapshot of a `Linear` layer's current values (a missing bias is zero).
  public init(_ linear: Linear) {
    self.init(weight: linear.weight.value.scalars, bias: linear.bias?.value.scalars ?? [Float](repeating: 0, count: linear.outFeatures),
              inputs: linear.inFeatures, outputs: linear.outFeatures)
  }

  /// y ← φ(x·Wᵀ + b), or y ← φ(y + x·Wᵀ + b) when `accumulating`.
  ///
  /// - Precondition: x holds rows × inputs values and y rows × outputs; y does not overlap x.
  public func apply(
    _ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>,
    accumulating: Bool = false, then epilogue: Epilogue = .identity
  ) {
    guard rows > 0 else { return }
    weight.withUnsafeBufferPointer { w in
      sgemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
            x, w.baseAddress ?? UnsafePointer(y), beta: accumulating ? 1 : 0, y)
    }
    bias.withUnsafeBufferPointer { b in
      switch epilogue {
      case .identity: sann_bias_add_strided(y, b.baseAddress!, rows, outputs, outputs)
      case .relu: sann_bias_relu(y, b.baseAddress!, rows, outputs)
      case .gelu: sann_bias_gelu(y, b.baseAddress!, rows, outputs)
      }
    }
  }
}
