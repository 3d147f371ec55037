import Foundation
import Tensor
import Models

/// XAI-Bench's random baseline: every score an independent N(0, 1) draw, seeded. Any metric an
/// explainer cannot beat with this is not measuring the explainer.
public enum RandomAttribution {
  public static func explain(rows: Int, features: Int, outputs: Int = 1, rng: inout RandomGenerator) -> FeatureAttribution {
    let values = (0..<(rows * outputs * features)).map { _ in Double(rng.nextNormal()) }
    return FeatureAttribution(rows: rows, outputs: outputs, features: features, values: values, base: nil, method: "random")
  }
}
