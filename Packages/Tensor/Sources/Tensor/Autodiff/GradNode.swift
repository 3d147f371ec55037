/// A vertex of the autodiff tape.
///
/// A leaf node belongs to a tensor whose `requiresGrad` was set by the user (a parameter or an
/// input); it accumulates `grad`. An interior node belongs to the result of an operation and
/// holds the operation's backward function: given the gradient of the loss with respect to
/// the result, it returns the gradients with respect to each input (`nil` where an input does
/// not need one). Nodes reference their inputs, never their outputs, so the tape is freed as
/// soon as the last tensor of a computation goes away.
final class GradNode {
  typealias Backward = (_ gradient: Tensor, _ needed: [Bool]) -> [Tensor?]

  let inputs: [GradNode?]
  let backward: Backward?
  let operation: String
  /// Accumulated gradient (leaves only).
  var grad: Tensor?
  /// During `backward()`: the gradient flowing into this node from the results already
  /// processed (nil before and after).
  var pendingGradient: Tensor?
  /// During `topologicalOrder(from:)`: whether the search has reached this node (false before
  /// and after).
  var isVisited = false

  /// A leaf node.
  init() {
    inputs = []
    backward = nil
    operation = "leaf"
  }

  /// An interior node.
  init(operation: String, inputs: [GradNode?], backward: @escaping Backward) {
    self.operation = operation
    self.inputs = inputs
    self.backward = backward
  }

  var isLeaf: Bool { backward == nil }
}

extension Tensor {
  /// Whether gradients flow to this tensor. Setting it to `true` makes the tensor a leaf of the
  /// tape (its `grad` accumulates over `backward()` calls); setting it to `false` detaches it.
  public var requiresGrad: Bool {
    get { node != nil }
    set {
      if newValue {
        if node == nil { node = GradNode() }
      } else {
        node = nil
      }
    }
  }

  /// The gradient accumulated by `backward()`, for a leaf that requires a gradient.
  public var grad: Tensor? {
    get { node?.grad }
    nonmutating set { node?.grad = newValue }
  }

  /// The same values with no autodiff history: gradients do not flow through the result.
  public func detached() -> Tensor {
    Tensor(unchecked: shape, scalars)
  }

  /// Wraps the result of an operation, recording it on the tape when any input requires a
  /// gradient and recording is enabled.
  @inline(__always)
  static func record(
    _ operation: String, shape: [Int], scalars: [Float], inputs: [Tensor],
    backward: @escaping GradNode.Backward
  ) -> Tensor {
    var result = Tensor(unchecked: shape, scalars)
    if GradientRecording.isEnabled, inputs.contains(where: { $0.node != nil }) {
      result.node = GradNode(operation: operation, inputs: inputs.map(\.node), backward: backward)
    }
    return result
  }
}
