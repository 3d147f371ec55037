import Tensor

/// An architecture and its configuration: what ``Experiment`` builds and trains, and what a
/// model file stores to rebuild the network. Encoded as `{"kind": …, "configuration": {…}}`;
/// decoding finds the architecture in ``ModelRegistry``.
///
///     let spec = try ModelRegistry.specification(kind: "inn", hyperparameters: ["weight_norm": "0.05"])
///     let network = try spec.makeModel(features: 30, outputs: 1, rng: &rng)
public struct ModelSpecification: Sendable {
  /// The architecture's ``Architecture/kind``.
  public let kind: String
  public let configuration: any ArchitectureConfiguration

  public init<A: Architecture>(_ architecture: A.Type, _ configuration: A.Configuration) {
    kind = A.kind
    self.configuration = configuration
  }

  init(kind: String, configuration: any ArchitectureConfiguration) {
    self.kind = kind
    self.configuration = configuration
  }

  /// The registered architecture.
  public var architecture: any Architecture.Type {
    get throws { try ModelRegistry.architecture(kind: kind) }
  }

  /// The training settings this architecture's fit reads with this configuration.
  public var trainingSettings: Set<TrainingSetting> {
    (try? architecture.trainingSettings(of: configuration)) ?? Set(TrainingSetting.allCases)
  }

  /// A freshly initialised network of this architecture.
  public func makeModel(features: Int, outputs: Int, rng: inout RandomGenerator) throws -> any Architecture {
    try architecture.build(configuration, features: features, outputs: outputs, rng: &rng)
  }
}

extension ModelSpecification: Equatable {
  public static func == (a: ModelSpecification, b: ModelSpecification) -> Bool {
    a.kind == b.kind && a.configuration.isEqual(to: b.configuration)
  }
}

extension ModelSpecification: Codable {
  enum CodingKeys: String, CodingKey { case kind, configuration }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let kind = try container.decode(String.self, forKey: .kind)
    let architecture = try ModelRegistry.architecture(kind: kind)
    self.kind = kind
    self.configuration = try architecture.decodeConfiguration(from: container.superDecoder(forKey: .configuration))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(kind, forKey: .kind)
    try configuration.encode(to: container.superEncoder(forKey: .configuration))
  }
}
