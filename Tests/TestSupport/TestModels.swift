import Models
import Tensor

/// Small networks and data with known structure, seeded so that a failing property is
/// reproduced by its seed.
public enum TestModels {
  /// A random INN or TabResNet in evaluation mode whose BatchNorms have random γ, β, running
  /// mean and running variance (at initialisation they are 1, 0, 0, 1, which would make every
  /// fold trivial and hide a wrong one).
  public static func tabResNetFamily(inn: Bool, features: Int, outputs: Int, width: Int = 16, blocks: Int = 1, seed: UInt64) -> any Architecture {
    var rng = RandomGenerator(seed: seed)
    let model: any Architecture
    let backbone: TabResNetBackbone
    if inn {
      let network = MesomorphicNetwork(features: features, outputs: outputs, width: width, blocks: blocks, rng: &rng)
      (model, backbone) = (network, network.backbone)
    } else {
      let network = TabResNet(features: features, outputs: outputs, width: width, blocks: blocks, rng: &rng)
      (model, backbone) = (network, network.backbone)
    }
    randomiseBatchNorms(backbone, rng: &rng)
    model.eval()
    return model
  }

  /// Every BatchNorm of the trunk with random γ ∈ [−1.5, 1.5], β ∈ [−0.5, 0.5], running mean in
  /// [−1, 1] and running variance in [0.05, 4].
  public static func randomiseBatchNorms(_ backbone: TabResNetBackbone, rng: inout RandomGenerator) {
    for norm in [backbone.inputNorm] + backbone.blocks.flatMap({ [$0.bn1, $0.bn2] }) {
      let c = norm.features
      norm.weight.value = .randomUniform([c], low: -1.5, high: 1.5, using: &rng)
      norm.bias.value = .randomUniform([c], low: -0.5, high: 0.5, using: &rng)
      norm.runningMean.value = .randomUniform([c], low: -1, high: 1, using: &rng)
      norm.runningVar.value = .randomUniform([c], low: 0.05, high: 4, using: &rng)
    }
  }

  /// Uniform values in [low, high), row-major.
  public static func uniform(_ count: Int, _ rng: inout RandomGenerator, _ low: Float = -1, _ high: Float = 1) -> [Float] {
    (0..<count).map { _ in low + (high - low) * rng.nextUniform() }
  }

  /// A table whose label depends only on features 0 and 1: y = 1 when 2·x0 − 1.5·x1 + small
  /// noise > 0; features 2…5 are independent N(0, 1) noise. The last column is the target "y".
  public static func signalTable(rows: Int, seed: UInt64) -> DataTable {
    var rng = RandomGenerator(seed: seed)
    var columns = [[Float?]](repeating: [], count: 6)
    var labels: [Int?] = []
    for _ in 0..<rows {
      let x = (0..<6).map { _ in rng.nextNormal() }
      for j in 0..<6 { columns[j].append(x[j]) }
      labels.append(2 * x[0] - 1.5 * x[1] + 0.1 * rng.nextNormal() > 0 ? 1 : 0)
    }
    return DataTable(
      source: "synthetic",
      columns: columns.enumerated().map { DataTable.Column(name: "x\($0.offset)", values: .numeric($0.element)) }
        + [DataTable.Column(name: "y", values: .categorical(levels: ["neg", "pos"], codes: labels))])
  }
}
