import Tensor

/// One Neural Additive Model: f(x) = β + Σⱼ fⱼ(xⱼ), one output per class for multiclass.
/// Training adds feature dropout (a feature's whole contribution dropped with probability p,
/// the rest scaled by 1/(1−p)) and the output penalty λₒ·mean fⱼ(xⱼ)² over rows, features and
/// outputs.
public final class AdditiveNetwork: TabularModel {
  public let networks: FeatureNetworks
  public let intercept: Parameter
  public let featureDropout: Float
  public let outputPenalty: Float
  private var rng: RandomGenerator
  public var mode = ModuleMode()

  public init(networks: FeatureNetworks, featureDropout: Float, outputPenalty: Float, rng: inout RandomGenerator) {
    self.networks = networks
    intercept = Parameter(.zeros([networks.outputs]))
    self.featureDropout = featureDropout
    self.outputPenalty = outputPenalty
    self.rng = rng.stream(98)
  }

  public var features: Int { networks.features }
  public var outputs: Int { networks.outputs }
  public var children: [(name: String, module: any Module)] { [("networks", networks)] }
  public var ownParameters: [(name: String, parameter: Parameter)] { [("intercept", intercept)] }

  /// fⱼ(xⱼ) [n, d, K].
  public func contributions(_ x: Tensor) -> Tensor { networks(x) }

  public func callAsFunction(_ x: Tensor) -> Tensor { contributions(x).sum(alongAxis: 1) + intercept.value }

  public func trainingOutput(_ x: Tensor) -> TrainingOutput {
    var f = contributions(x)
    if isTraining && featureDropout > 0 {
      let (n, d) = (x.shape[0], x.shape[1])
      f = f * Tensor(shape: [n, d, 1], scalars: rng.dropoutMask(count: n * d, probability: featureDropout))
    }
    let logits = f.sum(alongAxis: 1) + intercept.value
    return TrainingOutput(logits: logits, penalty: outputPenalty > 0 ? (f * f).mean() * outputPenalty : nil)
  }
}
