extension Tensor {
  /// A tensor of zeros.
  public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }

  /// A tensor of ones.
  public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

  /// A tensor filled with one value.
  public static func full(_ shape: [Int], _ value: Float) -> Tensor {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative extent")
    return Tensor(unchecked: shape, [Float](repeating: value, count: shape.reduce(1, *)))
  }

  /// zeros with the shape of `other`.
  public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

  /// The values start, start+step, … below end (rank 1), like `torch.arange`.
  public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
    precondition(step != 0 && step.isFinite, "arange: step must be finite and non-zero")
    let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
    return Tensor(unchecked: [n], (0..<n).map { start + Float($0) * step })
  }

  /// Independent N(mean, std²) draws.
  public static func randomNormal(
    _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using rng: inout RandomGenerator
  ) -> Tensor {
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<n).map { _ in mean + standardDeviation * rng.nextNormal() })
  }

  /// Independent U[low, high) draws.
  public static func randomUniform(
    _ shape: [Int], low: Float = 0, high: Float = 1, using rng: inout RandomGenerator
  ) -> Tensor {
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<n).map { _ in low + (high - low) * rng.nextUniform() })
  }
}
