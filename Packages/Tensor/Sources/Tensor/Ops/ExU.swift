import CTensorKernels

extension Tensor {
  /// NAM's exp-centred unit (Agarwal et al. 2021) in one operation: for x [d, n, 1] and `bias`
  /// and `scale` [d, 1, h], out[j, r, k] = min(max((x[j, r] − bias[j, k])·scale[j, k], 0), 1),
  /// shape [d, n, h]. `scale` is the unit's exp(w), which the caller computes (`w.exp()`).
  ///
  /// The values and gradients are the bits of `((x - bias) * scale).clamped(min: 0, max: 1)`:
  /// the same roundings, and the sums in the same order (over rows for `bias` and `scale`, over
  /// units for x, each from +0, and a sum of one value that value), in one pass each way instead
  /// of four operations on [d, n, h] tensors (`sann_exu_forward`, `sann_exu_backward`).
  public static func exu(_ x: Tensor, bias: Tensor, scale: Tensor) -> Tensor {
    precondition(x.rank == 3 && x.shape[2] == 1 && bias.rank == 3 && bias.shape[1] == 1 && bias.shape == scale.shape
                   && bias.shape[0] == x.shape[0],
                 "exu: x \(x.shape) must be [d, n, 1] and bias \(bias.shape) and scale \(scale.shape) both [d, 1, h]")
    let (d, n, h) = (x.shape[0], x.shape[1], bias.shape[2])
    let sv = scale.scalars
    // x − bias before scaling, kept for the backward pass (its mask and ∂/∂scale).
    var centred: [Float] = []
    let values = makeArray(count: d * n * h) { out in
      centred = makeArray(count: d * n * h) { c in
        x.scalars.withUnsafeBufferPointer { px in
          bias.scalars.withUnsafeBufferPointer { pb in
            sv.withUnsafeBufferPointer { ps in
              sann_exu_forward(px.baseAddress, pb.baseAddress, ps.baseAddress, d, n, h, c, out)
            }
          }
        }
      }
    }
    return record("exu", shape: [d, n, h], scalars: values, inputs: [x, bias, scale]) { g, needed in
      func zeros(_ wanted: Bool, _ count: Int) -> [Float]? { wanted ? [Float](repeating: 0, count: count) : nil }
      var (dx, dbias, dscale) = (zeros(needed[0], d * n), zeros(needed[1], d * h), zeros(needed[2], d * h))
      g.scalars.withUnsafeBufferPointer { pg in
        centred.withUnsafeBufferPointer { pc in
          sv.withUnsafeBufferPointer { ps in
            withMutableBuffer(&dx) { px in
              withMutableBuffer(&dbias) { pb in
                withMutableBuffer(&dscale) { pw in
                  sann_exu_backward(pg.baseAddress, pc.baseAddress, ps.baseAddress, d, n, h, px, pb, pw)
                }
              }
            }
          }
        }
      }
      return [
        dx.map { Tensor(unchecked: [d, n, 1], $0) },
        dbias.map { Tensor(unchecked: [d, 1, h], $0) },
        dscale.map { Tensor(unchecked: [d, 1, h], $0) },
      ]
    }
  }
}

/// `body` with the address of `values`' storage, or nil when there are none (the kernel's "not wanted").
private func withMutableBuffer<R>(_ values: inout [Float]?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
  guard values != nil else { return body(nil) }
  return values!.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}
