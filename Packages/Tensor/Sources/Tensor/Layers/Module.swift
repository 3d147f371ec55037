/// A building block of a network: it owns parameters and buffers and may contain other
/// modules. Names compose with dots (`blocks.0.linear1.weight`), as in a PyTorch state dict.
///
/// Conformers list what they own; everything else (recursive parameter lists, state dicts,
/// train/eval mode, clearing gradients) comes from the extension.
public protocol Module: AnyObject {
  /// Parameters and buffers owned directly by this module, by local name.
  var ownParameters: [(name: String, parameter: Parameter)] { get }
  /// Direct submodules, by local name.
  var children: [(name: String, module: any Module)] { get }
  /// Training or evaluation mode, and whether the module is frozen. Conformers store it
  /// (`public var mode = ModuleMode()`); read it through ``isTraining`` and ``isFrozen`` and
  /// change it through ``train(_:)``, ``eval()``, ``freeze()`` and ``unfreeze()``.
  var mode: ModuleMode { get set }
}

/// The state a module's behaviour depends on besides its parameters.
public struct ModuleMode: Sendable, Equatable {
  /// Training mode (batch statistics, dropout) or evaluation mode.
  public var isTraining = true
  /// Frozen by ``Module/freeze()``: pinned to evaluation mode whatever its parent asks.
  public var isFrozen = false

  public init() {}
}

// MARK: - Default implementations

extension Module {
  public var ownParameters: [(name: String, parameter: Parameter)] { [] }
  public var children: [(name: String, module: any Module)] { [] }
}

// MARK: - Traversal and state

extension Module {
  /// Every parameter and buffer in this module and its submodules, with dotted names, in
  /// declaration order.
  public func namedSlots(prefix: String = "") -> [(name: String, parameter: Parameter)] {
    var result = ownParameters.map { (prefix + $0.name, $0.parameter) }
    for child in children {
      result += child.module.namedSlots(prefix: prefix + child.name + ".")
    }
    return result
  }

  /// The trainable parameters with dotted names (what an optimizer updates).
  public var namedParameters: [(name: String, parameter: Parameter)] {
    namedSlots().filter { $0.parameter.isTrainable }
  }

  /// The trainable parameters.
  public var parameters: [Parameter] { namedParameters.map(\.parameter) }

  /// The number of trainable scalars.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  /// Parameters and buffers by dotted name: what a checkpoint stores.
  public func stateDict() -> [String: Tensor] {
    var dict: [String: Tensor] = [:]
    for (name, p) in namedSlots() { dict[name] = p.value.detached() }
    return dict
  }

  /// Replaces every parameter and buffer with the tensor of the same name.
  ///
  /// - Throws: ``StateDictError`` when a name is missing, unexpected, or has the wrong shape;
  ///   the module is left unchanged in that case.
  public func loadStateDict(_ dict: [String: Tensor]) throws {
    try load(dict, into: namedSlots())
  }

  /// Loads this module from the entries of a larger state dict whose names start with
  /// `prefix`, with the prefix removed; other entries are ignored. This is how a sub-module is
  /// restored from a saved parent, e.g. a backbone from a trained model:
  ///
  ///     try backbone.loadStateDict(saved, prefix: "backbone.")
  ///
  /// - Throws: ``StateDictError`` when an entry this module needs is missing under `prefix`,
  ///   an entry under `prefix` has no slot here, or a shape differs; the module is left
  ///   unchanged in that case. `prefix` is used as given, so include the trailing dot.
  public func loadStateDict(_ dict: [String: Tensor], prefix: String) throws {
    var selected: [String: Tensor] = [:]
    for (name, value) in dict where name.hasPrefix(prefix) { selected[String(name.dropFirst(prefix.count))] = value }
    do {
      try load(selected, into: namedSlots())
    } catch StateDictError.keysMismatch(let missing, let unexpected) {
      throw StateDictError.keysMismatch(missing: missing.map { prefix + $0 }, unexpected: unexpected.map { prefix + $0 })
    } catch StateDictError.shapeMismatch(let name, let expected, let found) {
      throw StateDictError.shapeMismatch(name: prefix + name, expected: expected, found: found)
    }
  }

  private func load(_ dict: [String: Tensor], into slots: [(name: String, parameter: Parameter)]) throws {
    let expected = Set(slots.map(\.name))
    let missing = expected.subtracting(dict.keys).sorted()
    let unexpected = Set(dict.keys).subtracting(expected).sorted()
    if !missing.isEmpty || !unexpected.isEmpty {
      throw StateDictError.keysMismatch(missing: missing, unexpected: unexpected)
    }
    for (name, p) in slots where dict[name]!.shape != p.value.shape {
      throw StateDictError.shapeMismatch(name: name, expected: p.value.shape, found: dict[name]!.shape)
    }
    for (name, p) in slots { p.value = dict[name]!.detached() }
  }

  /// Training mode (batch statistics, dropout) or evaluation mode.
  public var isTraining: Bool { mode.isTraining }

  /// Whether ``freeze()`` pinned this module: its parameters are not trainable and it stays in
  /// evaluation mode.
  public var isFrozen: Bool { mode.isFrozen }

  /// Sets training mode here and in every submodule; frozen modules (and everything inside
  /// them) stay in evaluation mode.
  public func train(_ on: Bool = true) {
    mode.isTraining = on && !mode.isFrozen
    for child in children { child.module.train(on) }
  }

  /// Sets evaluation mode here and in every submodule (`train(false)`).
  public func eval() { train(false) }

  /// Clears the gradients of every parameter.
  public func zeroGrad() {
    for p in parameters { p.grad = nil }
  }
}

// MARK: - Freezing

extension Module {
  /// Freezes this module and every submodule, as a pretrained backbone is frozen under a new
  /// head: its parameters stop being trainable (they leave ``parameters``, so an optimizer
  /// built afterwards never sees them, and no gradient is accumulated into them) and it is
  /// pinned to evaluation mode, so a parent's ``train(_:)`` cannot switch its BatchNorm layers
  /// back to batch statistics or its dropout back on. Gradients still flow *through* a frozen
  /// module to whatever feeds it. Its parameters and buffers stay in ``stateDict()``.
  ///
  ///     backbone.freeze()
  ///     let optimizer = Adam(model.parameters, learningRate: 1e-3)   // the backbone is not in it
  public func freeze() {
    mode.isFrozen = true
    mode.isTraining = false
    for (_, p) in ownParameters { p.isFrozen = true }
    for child in children { child.module.freeze() }
  }

  /// Undoes ``freeze()`` here and in every submodule: weights become trainable again (buffers
  /// stay buffers) and the modules follow their parent's mode again; they stay in evaluation
  /// mode until the next ``train(_:)``.
  public func unfreeze() {
    mode.isFrozen = false
    for (_, p) in ownParameters { p.isFrozen = false }
    for child in children { child.module.unfreeze() }
  }
}

/// Why a state dict could not be loaded into a module.
public enum StateDictError: Error, CustomStringConvertible, Equatable {
  case keysMismatch(missing: [String], unexpected: [String])
  case shapeMismatch(name: String, expected: [Int], found: [Int])

  public var description: String {
    switch self {
    case let .keysMismatch(missing, unexpected):
      var parts: [String] = []
      if !missing.isEmpty { parts.append("missing keys: \(missing.joined(separator: ", "))") }
      if !unexpected.isEmpty { parts.append("unexpected keys: \(unexpected.joined(separator: ", "))") }
      return "state dict does not match the model (\(parts.joined(separator: "; "))); was it saved from a model with the same architecture?"
    case let .shapeMismatch(name, expected, found):
      return "state dict entry '\(name)' has shape \(found), the model expects \(expected); check the model's sizes (hidden size, number of features or classes)"
    }
  }
}
