/// Every architecture SANNKit can train, save and load, one line each. This list is the only
/// place that names them: the trainer, the model files, `sann train/predict/explain` and
/// XAI-Bench all go through it. To add an architecture, put it in its own folder and add one
/// line here (CONTRIBUTING.md walks through an example).
public enum ModelRegistry {
  public static var architectures: [any Architecture.Type] {
    [
      MesomorphicNetwork.self,
      TabResNet.self,
      LogisticRegression.self,
      SumOfParts.self,
      NeuralAdditiveModel.self,
    ]
  }

  /// The registered kinds, in registration order.
  public static var kinds: [String] { architectures.map { $0.kind } }

  /// The architecture registered as `kind`.
  ///
  /// - Throws: ``ArchitectureError/unknownKind(_:known:)`` naming the registered kinds.
  public static func architecture(kind: String) throws -> any Architecture.Type {
    guard let found = architectures.first(where: { $0.kind == kind }) else {
      throw ArchitectureError.unknownKind(kind, known: kinds)
    }
    return found
  }

  /// The architecture `kind` configured from named hyperparameters (defaults for the rest).
  ///
  /// - Throws: ``ArchitectureError`` for an unknown kind, a name the architecture does not
  ///   take, or a value outside its range.
  public static func specification(kind: String, hyperparameters: Hyperparameters = Hyperparameters()) throws -> ModelSpecification {
    try architecture(kind: kind).specification(hyperparameters)
  }

  /// The hyperparameters `kind` takes, with defaults and accepted values.
  public static func hyperparameters(of kind: String) throws -> [HyperparameterDescription] {
    try architecture(kind: kind).hyperparameters
  }
}
