import Tensor

/// The frozen TabResNet backbone on many rows at once, through its folded evaluation plan
/// (``TabResNetTrunkPlan``): the logits y and the last hidden state z of every row. Sum-of-Parts
/// sends all n·m masked rows of a batch through it in one call; no gradient is needed, since
/// the masks pass none and the backbone is frozen.
struct BackbonePasses {
  let trunk: TabResNetTrunkPlan
  let head: AffineMap

  init(_ backbone: TabResNet) {
    trunk = TabResNetTrunkPlan(backbone.backbone)
    head = AffineMap(backbone.head)
  }

  /// y [count, K] and z [count, D], row-major.
  func evaluate(_ rows: [Float], count: Int) -> (logits: [Float], hidden: [Float]) {
    precondition(rows.count == count * trunk.features, "BackbonePasses: \(rows.count) values are not \(count) rows of \(trunk.features)")
    var hidden = [Float](repeating: 0, count: count * trunk.width)
    var scratch = [Float](repeating: 0, count: count * trunk.width)
    var logits = [Float](repeating: 0, count: count * head.outputs)
    guard count > 0 else { return (logits, hidden) }
    rows.withUnsafeBufferPointer { x in
      hidden.withUnsafeMutableBufferPointer { h in
        scratch.withUnsafeMutableBufferPointer { t in
          trunk.apply(x.baseAddress!, rows: count, into: h.baseAddress!, scratch: t.baseAddress!)
        }
        logits.withUnsafeMutableBufferPointer { y in head.apply(h.baseAddress!, rows: count, into: y.baseAddress!) }
      }
    }
    return (logits, hidden)
  }
}
