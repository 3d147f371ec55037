import Tensor

/// The TabResNet trunk of Kadra et al. (2024), after Gorishniy et al. (2021):
///
///   h₀ = GELU(BN(W_in·x)),  hₖ = ResidualBlock(hₖ₋₁) for k = 1…blocks
///
/// with `ResidualBlock` = GELU(h + BN₂(W₂·Dropout(GELU(BN₁(W₁·h))))) and BN₂'s weight
/// starting at 0. Defaults: width 128, 2 blocks, dropout 0.
public final class TabResNetBackbone: Layer {
  public let input: Linear
  public let inputNorm: BatchNorm1d
  public let blocks: [ResidualBlock]
  public var mode = ModuleMode()

  public init(features: Int, width: Int = 128, blocks count: Int = 2, dropout: Float = 0, rng: inout RandomGenerator) {
    input = Linear(features, width, rng: &rng)
    inputNorm = BatchNorm1d(width)
    blocks = (0..<count).map { _ in ResidualBlock(width: width, dropout: dropout, rng: &rng) }
  }

  public var width: Int { input.outFeatures }

  public var children: [(name: String, module: any Module)] {
    [("input", input), ("input_norm", inputNorm)] + blocks.enumerated().map { ("blocks.\($0.offset)", $0.element as any Module) }
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    blocks.reduce(inputNorm.gelu(input(x))) { $1($0) }
  }
}

// MARK: - Sizes

extension TabResNetBackbone {
  /// The widest layer SANNKit builds.
  public static let maximumWidth = 16_384
  /// The most residual blocks SANNKit builds.
  public static let maximumBlocks = 256
  /// The most parameters SANNKit allocates for one network (2^29 floats, 2 GiB; Adam keeps two
  /// more copies).
  public static let maximumParameters = 1 << 29

  /// Throws when a trunk of `width` × `blocks` on `features` inputs, plus a head of
  /// `headOutputs` outputs, is out of range or would exceed ``maximumParameters``, or when
  /// λ (`weightNorm`) is negative or not finite.
  public static func checkSize(kind: String, features: Int, width: Int, blocks: Int, headOutputs: Int, weightNorm: Float = 0) throws {
    guard weightNorm >= 0 && weightNorm.isFinite else {
      throw ArchitectureError.invalidHyperparameter(kind: kind, name: "weight_norm", value: "\(weightNorm)", accepted: "a finite number ≥ 0")
    }
    for (name, value, range) in [("features", features, 1...Int(Int32.max)), ("hidden_size", width, 1...maximumWidth),
                                 ("nr_blocks", blocks, 0...maximumBlocks), ("outputs", headOutputs, 1...Int(Int32.max))] where !range.contains(value) {
      throw ArchitectureError.invalidHyperparameter(kind: kind, name: name, value: "\(value)", accepted: "an integer in \(range.lowerBound)...\(range.upperBound)")
    }
    let (f, w, b, o) = (Double(features), Double(width), Double(blocks), Double(headOutputs))
    let parameters = (f + 1) * w + 2 * b * (w + 1) * w + 6 * w * (2 * b + 1) + (w + 1) * o
    guard parameters <= Double(maximumParameters) else {
      throw ArchitectureError.tooLarge(kind: kind, parameters: parameters, maximum: maximumParameters)
    }
  }
}
