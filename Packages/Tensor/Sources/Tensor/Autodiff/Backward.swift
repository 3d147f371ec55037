extension Tensor {
  /// Back-propagates from this tensor: adds d(self)/d(leaf) · `gradient` to the `grad` of
  /// every leaf that requires a gradient.
  ///
  /// - Parameter gradient: the gradient of the final objective with respect to `self`; may be
  ///   omitted for a tensor with one value (it is then 1, as in PyTorch).
  ///
  /// Gradients of interior results are not kept; gradients of leaves accumulate until cleared
  /// (`tensor.grad = nil` or an optimizer's `zeroGrad()`). The backward pass itself is not
  /// recorded, so higher-order derivatives are not available.
  public func backward(_ gradient: Tensor? = nil) {
    guard let root = node else {
      preconditionFailure(
        "backward() called on a tensor that does not require a gradient; set requiresGrad on an input or parameter first")
    }
    let seed: Tensor
    if let gradient {
      precondition(gradient.shape == shape, "backward gradient shape \(gradient.shape) differs from tensor shape \(shape)")
      seed = gradient.detached()
    } else {
      precondition(count == 1, "backward() without a gradient needs a tensor with one value, shape is \(shape); pass the gradient explicitly")
      seed = Tensor(unchecked: shape, [1])
    }
    withoutGradient {
      let order = GradNode.topologicalOrder(from: root)
      var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
      for current in order.reversed() {
        guard let g = pending.removeValue(forKey: ObjectIdentifier(current)) else { continue }
        guard let backward = current.backward else {
          current.grad = current.grad.map { $0 + g } ?? g
          continue
        }
        let needed = current.inputs.map { $0 != nil }
        let inputGradients = backward(g, needed)
        for (input, inputGradient) in zip(current.inputs, inputGradients) {
          guard let input, let inputGradient else { continue }
          let key = ObjectIdentifier(input)
          if var existing = pending.removeValue(forKey: key) {
            // Out of the dictionary the sum's buffer is usually unshared, so it is added to in
            // place (the same bits as `existing + inputGradient`, without a new array).
            existing.accumulate(inputGradient)
            pending[key] = existing
          } else {
            pending[key] = inputGradient
          }
        }
      }
    }
  }
}

extension GradNode {
  /// The nodes reachable from `root`, each after all of its inputs (iterative depth-first
  /// post-order, so deep graphs do not overflow the stack).
  static func topologicalOrder(from root: GradNode) -> [GradNode] {
    var order: [GradNode] = []
    var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
    var stack: [(node: GradNode, nextInput: Int)] = [(root, 0)]
    while !stack.isEmpty {
      let (node, next) = stack[stack.count - 1]
      if next < node.inputs.count {
        stack[stack.count - 1].nextInput += 1
        if let input = node.inputs[next], visited.insert(ObjectIdentifier(input)).inserted {
          stack.append((input, 0))
        }
      } else {
        order.append(node)
        stack.removeLast()
      }
    }
    return order
  }
}

extension Tensor {
  /// self += other, element by element when the shapes agree (broadcasting `+` otherwise).
  mutating func accumulate(_ other: Tensor) {
    guard shape == other.shape else {
      self = self + other
      return
    }
    other.scalars.withUnsafeBufferPointer { q in
      scalars.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count { p[i] += q[i] }
      }
    }
  }
}
