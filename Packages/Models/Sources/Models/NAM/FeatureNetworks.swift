import Tensor

/// The d feature networks of a Neural Additive Model, stored as batched weight tensors so that
/// all of them run as a few batched products, never a loop over features:
///
///   first layer, ExU:  h = min(1, max(0, exp(w)·(x − c)))   (w, c ∈ ℝ^{d×1×H₁})
///   first layer, ReLU: h = max(0, w·x + b)
///   hidden layers:     h ← ReLU(h·Wₗ + bₗ)                  (Wₗ ∈ ℝ^{d×Hₗ×Hₗ₊₁}, a batched product)
///   output:            fⱼ(xⱼ) = h·W_out                    (W_out ∈ ℝ^{d×H×K}, no bias: β is shared)
///
/// with dropout after every hidden layer in training. ExU units (Agarwal et al., NeurIPS 2021)
/// start with w ~ N(4, 0.5²) truncated to ±2 standard deviations and c ~ N(0, 0.5²), so each is
/// a steep ramp that lets the shape functions jump; ReLU layers start as PyTorch's Linear.
public final class FeatureNetworks: Module {
  public enum FirstLayer: String, Codable, Sendable, CaseIterable {
    case exu, relu
  }

  public let first: FirstLayer
  public let firstWeight: Parameter
  public let firstBias: Parameter
  public let weights: [Parameter]
  public let biases: [Parameter]
  public let output: Parameter
  public let dropout: Float
  private var rng: RandomGenerator
  public var mode = ModuleMode()

  /// Networks 1 → hidden[0] → … → hidden.last → outputs, one per feature.
  public init(features d: Int, outputs k: Int, hidden: [Int], first: FirstLayer, dropout: Float, rng: inout RandomGenerator) {
    precondition(d > 0 && k > 0 && !hidden.isEmpty && hidden.allSatisfy { $0 > 0 }, "FeatureNetworks: sizes must be positive")
    self.first = first
    let h1 = hidden[0]
    switch first {
    case .exu:
      let slopes = (0..<(d * h1)).map { _ -> Float in
        var v: Float
        repeat { v = rng.nextNormal() } while Swift.abs(v) > 2
        return 4 + 0.5 * v
      }
      firstWeight = Parameter(Tensor(shape: [d, 1, h1], scalars: slopes))
      firstBias = Parameter(.randomNormal([d, 1, h1], standardDeviation: 0.5, using: &rng))
    case .relu:
      firstWeight = Parameter(.randomUniform([d, 1, h1], low: -1, high: 1, using: &rng))
      firstBias = Parameter(.randomUniform([d, 1, h1], low: -1, high: 1, using: &rng))
    }
    var weights: [Parameter] = []
    var biases: [Parameter] = []
    for (a, b) in zip(hidden, hidden.dropFirst()) {
      let bound = 1 / Float(a).squareRoot()
      weights.append(Parameter(.randomUniform([d, a, b], low: -bound, high: bound, using: &rng)))
      biases.append(Parameter(.randomUniform([d, 1, b], low: -bound, high: bound, using: &rng)))
    }
    self.weights = weights
    self.biases = biases
    let bound = 1 / Float(hidden.last!).squareRoot()
    output = Parameter(.randomUniform([d, hidden.last!, k], low: -bound, high: bound, using: &rng))
    self.dropout = dropout
    self.rng = rng.stream(99)
  }

  public var ownParameters: [(name: String, parameter: Parameter)] {
    [("first.weight", firstWeight), ("first.bias", firstBias)]
      + weights.enumerated().flatMap { [("hidden.\($0.offset).weight", $0.element), ("hidden.\($0.offset).bias", biases[$0.offset])] }
      + [("output", output)]
  }

  public var features: Int { output.shape[0] }
  public var outputs: Int { output.shape[2] }

  /// fⱼ(xⱼ) for every row and feature: x [n, d] → [n, d, K].
  public func callAsFunction(_ x: Tensor) -> Tensor {
    let columns = x.transposed().expandingDims(at: 2)
    var h: Tensor
    switch first {
    case .exu: h = Tensor.exu(columns, bias: firstBias.value, scale: firstWeight.value.exp())
    case .relu: h = (columns * firstWeight.value + firstBias.value).relu()
    }
    h = drop(h)
    for (w, b) in zip(weights, biases) { h = drop((h.matmul(w.value) + b.value).relu()) }
    return h.matmul(output.value).permuted([1, 0, 2])
  }

  private func drop(_ h: Tensor) -> Tensor {
    guard isTraining, dropout > 0 else { return h }
    return h * Tensor(shape: h.shape, scalars: rng.dropoutMask(count: h.count, probability: dropout))
  }
}
