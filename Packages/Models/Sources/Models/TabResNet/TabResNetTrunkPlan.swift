import Tensor

/// The TabResNet trunk (``TabResNetBackbone``) in evaluation mode with every BatchNorm folded
/// into the Linear before it (`AffineMap(_:followedBy:)`), s = γ/√(σ² + ε):
///
///   h₀ = GELU(x·W₀ᵀ + b₀)                             W₀ = diag(s₀)·W_in
///   tₖ = GELU(hₖ₋₁·Aₖᵀ + aₖ)                           Aₖ = diag(s₁ₖ)·W₁ₖ   (bn1 folded)
///   hₖ = GELU(hₖ₋₁ + tₖ·Bₖᵀ + bₖ)                      Bₖ = diag(s₂ₖ)·W₂ₖ   (bn2 folded)
///
/// Dropout is the identity in evaluation. The residual sum is formed in place: the second
/// product accumulates into the buffer holding hₖ₋₁ (sgemm with β = 1), so a block needs two
/// buffers and one fused bias + GELU pass per product.
public struct TabResNetTrunkPlan: Sendable {
  public let input: AffineMap
  public let blocks: [(first: AffineMap, second: AffineMap)]

  public init(_ backbone: TabResNetBackbone) {
    input = AffineMap(backbone.input, followedBy: backbone.inputNorm)
    blocks = backbone.blocks.map { (AffineMap($0.linear1, followedBy: $0.bn1), AffineMap($0.linear2, followedBy: $0.bn2)) }
  }

  public var features: Int { input.inputs }
  public var width: Int { input.outputs }

  /// h ← trunk(x) for `rows` rows; `scratch` holds rows × width values and is overwritten.
  public func apply(_ x: UnsafePointer<Float>, rows: Int, into h: UnsafeMutablePointer<Float>, scratch t: UnsafeMutablePointer<Float>) {
    input.apply(x, rows: rows, into: h, then: .gelu)
    for block in blocks {
      block.first.apply(h, rows: rows, into: t, then: .gelu)
      block.second.apply(t, rows: rows, into: h, accumulating: true, then: .gelu)
    }
  }
}
