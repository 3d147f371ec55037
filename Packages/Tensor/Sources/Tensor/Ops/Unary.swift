import CTensorKernels
import Foundation

extension Tensor {
  /// eˣ. ∂/∂x = g·eˣ.
  public func exp() -> Tensor {
    let values = mapValues(scalars) { Foundation.exp($0) }
    let y = Tensor(unchecked: shape, values)
    return Tensor.record("exp", shape: shape, scalars: values, inputs: [self]) { g, _ in [g * y] }
  }

  /// Natural logarithm (−∞ at 0, NaN below). ∂/∂x = g/x.
  public func log() -> Tensor {
    let xv = detached()
    return Tensor.record("log", shape: shape, scalars: mapValues(scalars) { Foundation.log($0) }, inputs: [self]) { g, _ in
      [g / xv]
    }
  }

  /// Square root. ∂/∂x = g/(2√x).
  public func sqrt() -> Tensor {
    let values = mapValues(scalars) { $0.squareRoot() }
    let y = Tensor(unchecked: shape, values)
    return Tensor.record("sqrt", shape: shape, scalars: values, inputs: [self]) { g, _ in [g / (y * 2)] }
  }

  /// |x|. ∂/∂x = g·sign(x), with sign(0) = 0 (PyTorch's convention).
  public func abs() -> Tensor {
    let xv = detached()
    return Tensor.record("abs", shape: shape, scalars: mapValues(scalars) { Swift.abs($0) }, inputs: [self]) { g, _ in
      [Tensor(unchecked: g.shape, zipValues(g.scalars, xv.scalars) { gi, x in x > 0 ? gi : (x < 0 ? -gi : 0) })]
    }
  }

  /// Hyperbolic tangent. ∂/∂x = g·(1 − tanh²x).
  public func tanh() -> Tensor {
    let values = mapValues(scalars) { Foundation.tanh($0) }
    return Tensor.record("tanh", shape: shape, scalars: values, inputs: [self]) { g, _ in
      [Tensor(unchecked: g.shape, zipValues(g.scalars, values) { gi, y in gi * (1 - y * y) })]
    }
  }

  /// Logistic sigmoid σ(x) = 1/(1+e⁻ˣ), computed without overflow. ∂/∂x = g·σ(1−σ).
  public func sigmoid() -> Tensor {
    let values = mapValues(scalars, stableSigmoid)
    return Tensor.record("sigmoid", shape: shape, scalars: values, inputs: [self]) { g, _ in
      [Tensor(unchecked: g.shape, zipValues(g.scalars, values) { gi, y in gi * y * (1 - y) })]
    }
  }

  /// max(x, 0). ∂/∂x = g where x > 0, else 0.
  public func relu() -> Tensor {
    let xv = scalars
    return Tensor.record("relu", shape: shape, scalars: mapValues(scalars) { Swift.max($0, 0) }, inputs: [self]) { g, _ in
      [Tensor(unchecked: g.shape, zipValues(g.scalars, xv) { gi, x in x > 0 ? gi : 0 })]
    }
  }

  /// GELU in its exact form, x·Φ(x) = ½x(1 + erf(x/√2)), PyTorch's default
  /// (Hendrycks & Gimpel 2016). ∂/∂x = g·(Φ(x) + x·φ(x)) with φ(x) = e^(−x²/2)/√(2π).
  /// erf is evaluated to within 1.5e-7 (see `vectorErf`), as PyTorch's vectorised CPU kernel does.
  public func gelu() -> Tensor {
    let xv = scalars
    let n = count
    // Φ(x) is kept for the backward pass; both buffers are written whole by the kernel, so
    // neither is zero-filled first.
    var values: [Float] = []
    let cdf = makeArray(count: n) { phi in
      values = makeArray(count: n) { dst in
        xv.withUnsafeBufferPointer { src in
          forEachPart(count: n, minimum: geluPartMinimum) { r in
            sann_gelu_forward(src.baseAddress! + r.lowerBound, dst + r.lowerBound, phi + r.lowerBound, r.count)
          }
        }
      }
    }
    return Tensor.record("gelu", shape: shape, scalars: values, inputs: [self]) { g, _ in
      [Tensor(unchecked: g.shape, makeArray(count: n) { dst in
        xv.withUnsafeBufferPointer { src in
          cdf.withUnsafeBufferPointer { phi in
            g.scalars.withUnsafeBufferPointer { gv in
              forEachPart(count: n, minimum: geluPartMinimum) { r in
                let i = r.lowerBound
                sann_gelu_backward(src.baseAddress! + i, phi.baseAddress! + i, gv.baseAddress! + i, dst + i, r.count)
              }
            }
          }
        }
      })]
    }
  }

  /// softplus(x) = ln(1 + eˣ), computed stably as max(x,0) + ln(1 + e^−|x|); like PyTorch it
  /// returns x itself above `threshold` (20). ∂/∂x = g·σ(x).
  public func softplus(threshold: Float = 20) -> Tensor {
    let xv = scalars
    let values = mapValues(scalars) { x in
      x > threshold ? x : Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
    }
    return Tensor.record("softplus", shape: shape, scalars: values, inputs: [self]) { g, _ in
      [Tensor(unchecked: g.shape, zipValues(g.scalars, xv) { gi, x in x > threshold ? gi : gi * stableSigmoid(x) })]
    }
  }

  /// Values limited to [min, max]. ∂/∂x = g inside the closed interval, else 0 (PyTorch's rule).
  public func clamped(min lower: Float = -.infinity, max upper: Float = .infinity) -> Tensor {
    precondition(lower <= upper, "clamped: min \(lower) exceeds max \(upper)")
    let xv = scalars
    let values = mapValues(scalars) { Swift.min(Swift.max($0, lower), upper) }
    return Tensor.record("clamp", shape: shape, scalars: values, inputs: [self]) { g, _ in
      [Tensor(unchecked: g.shape, zipValues(g.scalars, xv) { gi, x in (x >= lower && x <= upper) ? gi : 0 })]
    }
  }

  /// x².
  public func squared() -> Tensor { pow(2) }
}

/// The fewest values GELU splits over two cores (``Parallelism``): a batch of 64 × 64 units.
let geluPartMinimum = 4096

/// σ(x) without overflow for large |x|.
@inline(__always)
func stableSigmoid(_ x: Float) -> Float {
  if x >= 0 {
    return 1 / (1 + Foundation.exp(-x))
  }
  let e = Foundation.exp(x)
  return e / (1 + e)
}
