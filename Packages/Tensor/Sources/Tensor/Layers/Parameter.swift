import CTensorKernels

/// A named slot of a module's state: a trainable weight, or a buffer such as BatchNorm's
/// running mean that is saved with the model but not trained.
///
/// A `Parameter` is a reference so that a model, its optimizer and its state dict all see the
/// same values. A trainable parameter's `value` requires a gradient; `backward()` accumulates
/// into ``grad``.
public final class Parameter {
  /// The current values.
  ///
  /// While an optimizer step still runs on the helper thread (``Adam`` with
  /// ``Parallelism/threadCount`` 2), reading or writing them first waits for this parameter's
  /// update; ``grad`` and ``shape`` do not wait.
  public var value: Tensor {
    get {
      awaitUpdate()
      return storage
    }
    set {
      awaitUpdate()
      storage = newValue
      keepLeaf()
    }
    _modify {
      awaitUpdate()
      defer { keepLeaf() }
      yield &storage
    }
  }
  private var storage: Tensor
  /// How many updates of a detached optimizer step these values still wait for, usually 0 or 1
  /// (a C atomic: `sann_await_flag`).
  let pendingUpdate: UnsafeMutablePointer<Int32>

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
    storage = v
    pendingUpdate = .allocate(capacity: 1)
    pendingUpdate.initialize(to: 0)
  }

  deinit {
    // An optimizer holding a pending update holds this parameter too, so none is pending here.
    pendingUpdate.deallocate()
  }

  /// A parameter is always a leaf: an assigned computed result loses its history.
  private func keepLeaf() {
    if isTrainable && !(storage.node?.isLeaf ?? false) {
      storage = storage.detached()
      storage.requiresGrad = true
    }
    if !isTrainable && storage.node != nil { storage.requiresGrad = false }
  }

  /// Returns once no optimizer step is still updating the values.
  @inline(__always)
  func awaitUpdate() {
    if sann_flag_is_set(pendingUpdate) != 0 { sann_await_flag(pendingUpdate) }
  }

  /// The gradient accumulated by `backward()`, if any.
  public var grad: Tensor? {
    get { storage.grad }
    set { storage.grad = newValue }
  }

  /// The shape of the values.
  public var shape: [Int] { storage.shape }

  /// The values' address, for an optimizer step that updates them after this call returns
  /// (``Adam``): the array is made unique first, so no other tensor sees the update, and its
  /// buffer stays where it is until the step brings ``pendingUpdate`` back to 0, since every
  /// access to ``value`` waits for that. The caller counts its update in ``pendingUpdate`` before
  /// handing the address on.
  func valuesForDetachedUpdate() -> UnsafeMutablePointer<Float>? {
    awaitUpdate()
    return storage.scalars.withUnsafeMutableBufferPointer { $0.baseAddress }
  }
}
