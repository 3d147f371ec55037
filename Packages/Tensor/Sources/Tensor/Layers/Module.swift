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
  /// Training mode (batch statistics, dropout) or evaluation mode.
  var isTraining: Bool { get set }
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
    let slots = namedSlots()
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

  /// Sets training mode here and in every submodule.
  public func train(_ on: Bool = true) {
    isTraining = on
    for child in children { child.module.train(on) }
  }

  /// Sets evaluation mode here and in every submodule (`train(false)`).
  public func eval() { train(false) }

  /// Clears the gradients of every parameter.
  public func zeroGrad() {
    for p in parameters { p.grad = nil }
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
