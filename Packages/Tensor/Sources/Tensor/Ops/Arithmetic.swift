import Foundation

// MARK: - Tensor ∘ Tensor, with broadcasting

extension Tensor {
  /// Element-wise sum with broadcasting. ∂/∂a = g, ∂/∂b = g, each summed over its broadcast axes.
  public static func + (a: Tensor, b: Tensor) -> Tensor {
    let (shape, values) = broadcastValues(a, b, operation: "+") { $0 + $1 }
    return record("add", shape: shape, scalars: values, inputs: [a, b]) { g, needed in
      [needed[0] ? g.reduced(toShape: a.shape) : nil, needed[1] ? g.reduced(toShape: b.shape) : nil]
    }
  }

  /// Element-wise difference with broadcasting. ∂/∂a = g, ∂/∂b = −g.
  public static func - (a: Tensor, b: Tensor) -> Tensor {
    let (shape, values) = broadcastValues(a, b, operation: "-") { $0 - $1 }
    return record("sub", shape: shape, scalars: values, inputs: [a, b]) { g, needed in
      [needed[0] ? g.reduced(toShape: a.shape) : nil, needed[1] ? (-g).reduced(toShape: b.shape) : nil]
    }
  }

  /// Element-wise product with broadcasting. ∂/∂a = g·b, ∂/∂b = g·a.
  public static func * (a: Tensor, b: Tensor) -> Tensor {
    let (shape, values) = broadcastValues(a, b, operation: "*") { $0 * $1 }
    let av = a.detached()
    let bv = b.detached()
    return record("mul", shape: shape, scalars: values, inputs: [a, b]) { g, needed in
      [needed[0] ? (g * bv).reduced(toShape: a.shape) : nil, needed[1] ? (g * av).reduced(toShape: b.shape) : nil]
    }
  }

  /// Element-wise quotient with broadcasting. ∂/∂a = g/b, ∂/∂b = −g·a/b².
  public static func / (a: Tensor, b: Tensor) -> Tensor {
    let (shape, values) = broadcastValues(a, b, operation: "/") { $0 / $1 }
    let av = a.detached()
    let bv = b.detached()
    return record("div", shape: shape, scalars: values, inputs: [a, b]) { g, needed in
      [
        needed[0] ? (g / bv).reduced(toShape: a.shape) : nil,
        needed[1] ? (-(g * av) / (bv * bv)).reduced(toShape: b.shape) : nil,
      ]
    }
  }

  /// Element-wise power aᵇ with broadcasting. ∂/∂a = g·b·aᵇ⁻¹, ∂/∂b = g·aᵇ·ln a.
  public func pow(_ exponent: Tensor) -> Tensor {
    let (shape, values) = broadcastValues(self, exponent, operation: "pow") { Foundation.pow($0, $1) }
    let av = detached()
    let bv = exponent.detached()
    let result = Tensor(unchecked: shape, values)
    return Tensor.record("pow", shape: shape, scalars: values, inputs: [self, exponent]) { g, needed in
      [
        needed[0] ? (g * bv * av.pow(bv - Tensor(scalar: 1))).reduced(toShape: av.shape) : nil,
        needed[1] ? (g * result * av.log()).reduced(toShape: bv.shape) : nil,
      ]
    }
  }

  /// Negation. ∂/∂x = −g.
  public static prefix func - (x: Tensor) -> Tensor {
    record("neg", shape: x.shape, scalars: mapValues(x.scalars) { -$0 }, inputs: [x]) { g, _ in [-g] }
  }
}

// MARK: - Tensor ∘ scalar

extension Tensor {
  public static func + (a: Tensor, s: Float) -> Tensor {
    record("add_scalar", shape: a.shape, scalars: mapValues(a.scalars) { $0 + s }, inputs: [a]) { g, _ in [g] }
  }
  public static func + (s: Float, a: Tensor) -> Tensor { a + s }

  public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }

  public static func - (s: Float, a: Tensor) -> Tensor {
    record("rsub_scalar", shape: a.shape, scalars: mapValues(a.scalars) { s - $0 }, inputs: [a]) { g, _ in [-g] }
  }

  public static func * (a: Tensor, s: Float) -> Tensor {
    record("mul_scalar", shape: a.shape, scalars: mapValues(a.scalars) { $0 * s }, inputs: [a]) { g, _ in [g * s] }
  }
  public static func * (s: Float, a: Tensor) -> Tensor { a * s }

  public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }

  public static func / (s: Float, a: Tensor) -> Tensor {
    let av = a.detached()
    return record("rdiv_scalar", shape: a.shape, scalars: mapValues(a.scalars) { s / $0 }, inputs: [a]) { g, _ in
      [-(g * s) / (av * av)]
    }
  }

  /// Element-wise power xᵖ for a constant p. ∂/∂x = g·p·xᵖ⁻¹.
  public func pow(_ p: Float) -> Tensor {
    let xv = detached()
    let values: [Float]
    if p == 2 {
      values = mapValues(scalars) { $0 * $0 }
    } else {
      values = mapValues(scalars) { Foundation.pow($0, p) }
    }
    return Tensor.record("pow_scalar", shape: shape, scalars: values, inputs: [self]) { g, _ in
      if p == 2 { return [g * xv * 2] }
      return [g * (xv.pow(p - 1) * p)]
    }
  }
}

// MARK: - In-place conveniences (recorded as their out-of-place forms)

extension Tensor {
  public static func += (a: inout Tensor, b: Tensor) { a = a + b }
  public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
  public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
  public static func /= (a: inout Tensor, b: Tensor) { a = a / b }
  public static func *= (a: inout Tensor, s: Float) { a = a * s }
}
