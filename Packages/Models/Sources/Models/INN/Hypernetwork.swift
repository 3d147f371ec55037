import Tensor

/// Interpretable Mesomorphic Network (Kadra, Pineda Arango & Grabocka, NeurIPS 2024): a deep
/// hypernetwork that writes, for each instance x, the weights of a linear model, and predicts
/// with that linear model:
///
///   W(x) = reshape(Linear(TabResNet(x))) ∈ R^{(F+1)×C},   logits = [x, 1]·W(x)
///
/// The last row of W(x) is the bias. Since the prediction *is* the linear model, the
/// per-instance weights W(x) and contributions wⱼ(x)·xⱼ are exact explanations, not estimates.
public final class Hypernetwork: TabularModel {
  public static let kind = "inn"
  public let backbone: TabResNetBackbone
  public let head: Linear
  public let features: Int
  public let outputs: Int
  public var isTraining = true

  public init(features: Int, outputs: Int, width: Int = 128, blocks: Int = 2, dropout: Float = 0, rng: inout RandomGenerator) {
    self.features = features
    self.outputs = outputs
    backbone = TabResNetBackbone(features: features, width: width, blocks: blocks, dropout: dropout, rng: &rng)
    head = Linear(width, (features + 1) * outputs, rng: &rng)
  }

  public var children: [(name: String, module: any Module)] { [("backbone", backbone), ("head", head)] }

  /// The generated per-instance weights [n, F+1, C] (last feature row = bias).
  public func weights(_ x: Tensor) -> Tensor {
    head(backbone(x)).reshaped([x.shape[0], features + 1, outputs])
  }

  /// Logits and the weights that produced them: logits[n,c] = Σⱼ x̃[n,j]·W[n,j,c], x̃ = [x, 1].
  public func forward(_ x: Tensor) -> (logits: Tensor, weights: Tensor) {
    let w = weights(x)
    let augmented = Tensor.concatenating([x, Tensor.ones([x.shape[0], 1])], alongAxis: 1)
    return (Tensor.perInstanceLinear(augmented, weights: w), w)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { forward(x).logits }
}
