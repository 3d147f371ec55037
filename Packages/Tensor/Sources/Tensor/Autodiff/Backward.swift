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
      // The gradients in flight live on the nodes themselves (`pendingGradient`), not in a
      // dictionary keyed by node: a step's tape has about 50 nodes, and hashing each one in and
      // out cost more than the element-wise work of the small ones. Every node of `order` has
      // taken its gradient (and cleared the slot) by the end, since each input of a node comes
      // after it in the reversed order. So one pass at a time may run over a node: a backward
      // function must not call `backward()` on a graph that shares nodes with its own (none
      // does; higher-order derivatives are not supported anyway).
      let order = GradNode.topologicalOrder(from: root)
      root.pendingGradient = seed
      for current in order.reversed() {
        guard let g = current.pendingGradient else { continue }
        current.pendingGradient = nil
        guard let backward = current.backward else {
          current.grad = current.grad.map { $0 + g } ?? g
          continue
        }
        let needed = neededInputs(current.inputs)
        let inputGradients = backward(g, needed)
        for (input, inputGradient) in zip(current.inputs, inputGradients) {
          guard let input, let inputGradient else { continue }
          if var existing = input.pendingGradient {
            // Out of the node the sum's buffer is usually unshared, so it is added to in place
            // (the same bits as `existing + inputGradient`, without a new array).
            input.pendingGradient = nil
            existing.accumulate(inputGradient)
            input.pendingGradient = existing
          } else {
            input.pendingGradient = inputGradient
          }
        }
      }
    }
  }
}

/// Which inputs need a gradient (those with a node), for a backward function: for up to three
/// inputs one of the arrays made once below (a step of training asks for about 50), else a new
/// one.
@inline(__always)
private func neededInputs(_ inputs: [GradNode?]) -> [Bool] {
  guard inputs.count <= 3 else { return inputs.map { $0 != nil } }
  var mask = 0
  for (i, input) in inputs.enumerated() where input != nil { mask |= 1 << i }
  return neededPatterns[inputs.count][mask]
}

/// neededPatterns[count][mask]: `count` flags, flag i set when bit i of `mask` is.
private let neededPatterns: [[[Bool]]] = (0...3).map { count in
  (0..<(1 << count)).map { mask in (0..<count).map { mask & (1 << $0) != 0 } }
}

extension GradNode {
  /// The nodes reachable from `root`, each after all of its inputs (iterative depth-first
  /// post-order, so deep graphs do not overflow the stack).
  static func topologicalOrder(from root: GradNode) -> [GradNode] {
    var order: [GradNode] = []
    root.isVisited = true
    var stack: [(node: GradNode, nextInput: Int)] = [(root, 0)]
    while !stack.isEmpty {
      let (node, next) = stack[stack.count - 1]
      if next < node.inputs.count {
        stack[stack.count - 1].nextInput += 1
        if let input = node.inputs[next], !input.isVisited {
          input.isVisited = true
          stack.append((input, 0))
        }
      } else {
        order.append(node)
        stack.removeLast()
      }
    }
    // Every visited node is in `order`: clear the marks for the next search.
    for node in order { node.isVisited = false }
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
