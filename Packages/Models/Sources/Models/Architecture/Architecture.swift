import Tensor

/// A registered model architecture: what `sann train --model <kind>` builds, trains, saves
/// and loads. Conformers are the model classes themselves; each lives in its own folder under
/// `Models/` and is listed once in ``ModelRegistry``, and nothing else in SANNKit names it.
///
/// An architecture declares
/// - its ``kind`` (the name on the command line, in result folders and in model files),
/// - a Codable ``Configuration`` and how it is read from ``Hyperparameters`` (every name it
///   reads is listed in `sann train --help` and validated before anything is allocated),
/// - how a network is built from a configuration (``init(configuration:features:outputs:rng:)``),
/// - what it trains on (``TabularModel/trainingOutput(_:)``) and, when gradient training with
///   ``Trainer`` is not how it is fitted, its own ``fit(on:training:progress:)``,
/// - and, if it explains itself, a ``SelfExplaining`` conformance.
///
/// See CONTRIBUTING.md for a worked example.
public protocol Architecture: TabularModel {
  associatedtype Configuration: ArchitectureConfiguration

  /// The name on the command line and in files, e.g. "inn". Unique among the registered ones.
  static var kind: String { get }
  /// The name shown to people, e.g. "INN" or "Logistic regression".
  static var displayName: String { get }
  /// One line for `sann train --help`.
  static var summary: String { get }

  /// Reads the configuration from named hyperparameters, validating every value.
  static func configuration(from hyperparameters: inout HyperparameterReader) throws -> Configuration

  /// A freshly initialised network for `features` encoded inputs and `outputs` logits.
  init(configuration: Configuration, features: Int, outputs: Int, rng: inout RandomGenerator) throws

  /// The configuration the network was built from.
  var configuration: Configuration { get }

  /// Fits the network to the training split of `data` and returns the snapshots to ensemble
  /// (state dicts, oldest first; the network holds the last) and any model trained on the way.
  /// Default: ``Trainer/train(_:on:configuration:parameters:progress:)``.
  func fit(on data: PreparedDataset, training: TrainingConfiguration, progress: (TrainingProgress) -> Void) throws -> FitResult

  /// The settings of the ``TrainingConfiguration`` that ``fit(on:training:progress:)`` reads with
  /// `configuration`: every one for the default fit; an architecture with its own solver or
  /// schedule lists fewer, its reports leave the others out, and `sann train` warns when one of
  /// those is given. Default: all.
  static func trainingSettings(_ configuration: Configuration) -> Set<TrainingSetting>
}

/// What ``Architecture/fit(on:training:progress:)`` produced.
public struct FitResult {
  /// The snapshots to ensemble (state dicts, oldest first; the network holds the last).
  public var snapshots: [[String: Tensor]]
  /// Models trained on the way and worth keeping, by name — Sum-of-Parts' backbone when it
  /// trained one itself. `sann train` saves each in a folder of that name inside the run.
  public var companions: [(name: String, result: Experiment.Result)]

  public init(snapshots: [[String: Tensor]], companions: [(name: String, result: Experiment.Result)] = []) {
    self.snapshots = snapshots
    self.companions = companions
  }
}

/// An architecture's configuration: Codable (it is stored in model files and reported in
/// `output_info.json`, with the reference's key names), Sendable and comparable.
public protocol ArchitectureConfiguration: Codable, Sendable, Equatable {}

// MARK: - Default implementations

extension Architecture {
  public func fit(on data: PreparedDataset, training: TrainingConfiguration, progress: (TrainingProgress) -> Void) throws -> FitResult {
    FitResult(snapshots: Trainer.train(self, on: data, configuration: training, progress: progress))
  }

  public static func trainingSettings(_ configuration: Configuration) -> Set<TrainingSetting> { Set(TrainingSetting.allCases) }

  /// The training settings this network's fit reads.
  public var trainingSettings: Set<TrainingSetting> { Self.trainingSettings(configuration) }
}

// MARK: - What the registry does with an architecture type

extension Architecture {
  /// The configuration read from `hyperparameters`; a name it does not read is an error.
  static func specification(_ hyperparameters: Hyperparameters) throws -> ModelSpecification {
    var reader = HyperparameterReader(hyperparameters, kind: kind)
    let configuration = try Self.configuration(from: &reader)
    try reader.finish()
    return ModelSpecification(Self.self, configuration)
  }

  /// Every hyperparameter the architecture reads, with its default.
  public static var hyperparameters: [HyperparameterDescription] {
    var reader = HyperparameterReader(Hyperparameters(), kind: kind)
    _ = try? configuration(from: &reader)
    return reader.declared
  }

  static func trainingSettings(of configuration: any ArchitectureConfiguration) -> Set<TrainingSetting> {
    (configuration as? Configuration).map(trainingSettings) ?? Set(TrainingSetting.allCases)
  }

  static func decodeConfiguration(from decoder: any Decoder) throws -> any ArchitectureConfiguration {
    try Configuration(from: decoder)
  }

  static func build(_ configuration: any ArchitectureConfiguration, features: Int, outputs: Int, rng: inout RandomGenerator) throws -> any Architecture {
    guard let configuration = configuration as? Configuration else {
      throw ArchitectureError.configurationMismatch(kind: kind, found: "\(type(of: configuration))")
    }
    return try Self(configuration: configuration, features: features, outputs: outputs, rng: &rng)
  }
}

extension ArchitectureConfiguration {
  /// Whether `other` is a configuration of the same type with the same values.
  public func isEqual(to other: any ArchitectureConfiguration) -> Bool {
    guard let other = other as? Self else { return false }
    return self == other
  }
}

/// Why an architecture could not be chosen, configured or built.
public enum ArchitectureError: Error, Equatable, CustomStringConvertible {
  case unknownKind(String, known: [String])
  case unknownHyperparameter(kind: String, name: String, known: [String])
  case invalidHyperparameter(kind: String, name: String, value: String, accepted: String)
  case configurationMismatch(kind: String, found: String)
  /// The network would be too large to allocate (`parameters` scalars).
  case tooLarge(kind: String, parameters: Double, maximum: Int)

  public var description: String {
    switch self {
    case let .unknownKind(kind, known):
      "unknown model '\(kind)'; the models are \(known.joined(separator: ", ")) (sann train --help describes them)"
    case let .unknownHyperparameter(kind, name, known):
      "\(kind) has no hyperparameter '\(name)'; "
        + (known.isEmpty ? "it takes none" : "it takes \(known.joined(separator: ", "))")
    case let .invalidHyperparameter(kind, name, value, accepted):
      "\(kind): \(name) = '\(value)' is not valid; expected \(accepted)"
    case let .configurationMismatch(kind, found):
      "a \(found) cannot configure a \(kind) model"
    case let .tooLarge(kind, parameters, maximum):
      "this \(kind) network would have \(String(format: "%.3g", parameters)) parameters, more than the \(maximum) SANNKit allocates; choose a smaller hidden size or fewer blocks"
    }
  }
}
