import Tensor

/// A network for tabular data that maps encoded rows [n, features] to logits [n, outputs]
/// (one logit for binary classification and regression, one per class otherwise).
public protocol TabularModel: Layer {
  var features: Int { get }
  var outputs: Int { get }
  /// The architecture's name as used in result folders: "inn" or "tabresnet".
  static var kind: String { get }
  /// A compiled evaluation-mode forward pass over the current parameters (see
  /// ``InferencePlan``); by default the model's own forward pass (``ForwardPassPlan``).
  func inferencePlan() -> any InferencePlan
}

/// The black-box baseline: the TabResNet trunk followed by a linear head, logits = W·h + b.
public final class TabResNet: TabularModel {
  public static let kind = "tabresnet"
  public let backbone: TabResNetBackbone
  public let head: Linear
  public var isTraining = true

  public init(features: Int, outputs: Int, width: Int = 128, blocks: Int = 2, dropout: Float = 0, rng: inout RandomGenerator) {
    backbone = TabResNetBackbone(features: features, width: width, blocks: blocks, dropout: dropout, rng: &rng)
    head = Linear(width, outputs, rng: &rng)
  }

  public var features: Int { backbone.input.inFeatures }
  public var outputs: Int { head.outFeatures }

  public var children: [(name: String, module: any Module)] { [("backbone", backbone), ("head", head)] }

  public func callAsFunction(_ x: Tensor) -> Tensor { head(backbone(x)) }
}
