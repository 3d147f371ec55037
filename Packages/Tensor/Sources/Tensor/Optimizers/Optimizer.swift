/// Updates parameters from their accumulated gradients, `torch.optim.Optimizer`.
///
/// ```swift
/// let opt = Adam(model.parameters, learningRate: 0.01)
/// opt.zeroGrad(); loss.backward(); opt.step()
/// ```
public protocol Optimizer: AnyObject {
  /// The parameters being optimised.
  var parameters: [Parameter] { get }
  /// The current learning rate; a scheduler sets it before each step.
  var learningRate: Float { get set }
  /// Applies one update to every parameter that has a gradient.
  func step()
}

extension Optimizer {
  /// Clears every parameter's gradient (PyTorch's `set_to_none=True`).
  public func zeroGrad() {
    for p in parameters { p.grad = nil }
  }
}

extension Parameter {
  /// Runs `body` over the values, the gradient and a state buffer of equal length, in place.
  @inline(__always)
  func update(
    state: inout [Float], _ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
  ) -> Bool {
    guard let g = grad else { return false }
    let n = value.count
    precondition(g.count == n, "optimizer step: a parameter of shape \(shape) has a gradient of shape \(g.shape)")
    if state.count != n { state = [Float](repeating: 0, count: n) }
    value.withUnsafeMutableBufferPointer { v in
      g.scalars.withUnsafeBufferPointer { gv in
        state.withUnsafeMutableBufferPointer { s in
          body(v.baseAddress!, gv.baseAddress!, s.baseAddress!, n)
        }
      }
    }
    return true
  }
}
