import CTensorKernels

extension Tensor {
  /// `perInstanceLinear` over raw row-major buffers, for inference plans:
  /// out[n,k] = Σⱼ x̃[n,j]·W[n,j,k] with x̃ = [x, 1] — x is [rows, features], W is
  /// [rows, features + 1, outputs] (its last row per instance is the bias), out is
  /// [rows, outputs]. The sum runs over j = 0…features in order, as in the op.
  public static func perInstanceLinear(
    _ x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, rows: Int, features: Int, outputs: Int,
    into out: UnsafeMutablePointer<Float>
  ) {
    precondition(rows >= 0 && features >= 0 && outputs > 0, "perInstanceLinear: rows \(rows), features \(features), outputs \(outputs)")
    if rows > 0 { sann_per_instance_linear(x, w, out, rows, features, outputs) }
  }
}
