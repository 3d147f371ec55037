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

  /// y [count, K] and z [count, D], row-major. Rows go through in chunks of
  /// ``TabResNetPlan/defaultChunkSize`` so the activations stay in cache between the products;
  /// with ``Parallelism/threadCount`` 2 the two halves of the chunks go at once. The chunks are
  /// the same whoever computes them, so the values do not depend on the thread count.
  func evaluate(_ rows: [Float], count: Int) -> (logits: [Float], hidden: [Float]) {
    precondition(rows.count == count * trunk.features, "BackbonePasses: \(rows.count) values are not \(count) rows of \(trunk.features)")
    let (f, w, k) = (trunk.features, trunk.width, head.outputs)
    let chunk = TabResNetPlan.defaultChunkSize
    guard count > 0 else { return ([], []) }
    var logits: [Float] = []
    // Every value below is written by the products before it is read: no zero-filling.
    let hidden = [Float](unsafeUninitializedCapacity: count * w) { h, initialized in
      logits = [Float](unsafeUninitializedCapacity: count * k) { y, written in
        rows.withUnsafeBufferPointer { x in
          Parallelism.forEachHalf(of: (count + chunk - 1) / chunk) { chunks in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.min(chunk, count) * w)
            defer { scratch.deallocate() }
            for c in chunks {
              let (start, n) = (c * chunk, Swift.min(chunk, count - c * chunk))
              trunk.apply(x.baseAddress! + start * f, rows: n, into: h.baseAddress! + start * w, scratch: scratch)
              head.apply(h.baseAddress! + start * w, rows: n, into: y.baseAddress! + start * k)
            }
          }
        }
        written = count * k
      }
      initialized = count * w
    }
    return (logits, hidden)
  }
}
