/// A named slot of a module's state: a trainable weight, or a buffer such as BatchNorm's
/// running mean that is saved with the model but not trained.
///
/// A `Parameter` is a reference so that a model, its optimizer and its state dict all see the
/// same values. A trainable parameter's `value` requires a gradient; `backward()` accumulates
/// into ``grad``.
public final class Parameter {
  /// The current values.
  public var value: Tensor {
    didSet {
      // A parameter is always a leaf: an assigned computed result loses its history.
      if isTrainable && !(value.node?.isLeaf ?? false) {
        value = value.detached()
        value.requiresGrad = true
      }
      if !isTrainable && value.node != nil { value.requiresGrad = false }
    }
  }
  /// Whether this slot is a buffer (saved, never trained), as BatchNorm's running mean is.
  public let isBuffer: Bool

  /// Whether the slot is frozen (``Module/freeze()``): a frozen weight is not trained and
  /// records no gradient until it is unfrozen. Freezing detaches the value and drops its
  /// gradient.
  public var isFrozen = false {
    didSet {
      guard !isBuffer else { return }
      var v = value.detached()
      v.requiresGrad = !isFrozen
      value = v
    }
  }

  /// Whether optimizers update this slot: a weight that is not frozen (never a buffer).
  public var isTrainable: Bool { !isBuffer && !isFrozen }

  public init(_ value: Tensor, trainable: Bool = true) {
    self.isBuffer = !trainable
    var v = value.detached()
    v.requiresGrad = trainable
    self.value = v
  }

  /// The gradient accumulated by `backward()`, if any.
  public var grad: Tensor? {
    get { value.grad }
    set { value.grad = newValue }
  }

  /// The shape of the values.
  public var shape: [Int] { value.shape }
}
