import Models

/// Integrated Gradients (Sundararajan, Taly & Yan 2017):
///
///   IGᵢ(x) = (xᵢ − x′ᵢ) · ∫₀¹ ∂f/∂xᵢ(x′ + α(x − x′)) dα
///
/// with the integral replaced by a Riemann sum over `steps` intervals (left, right, midpoint,
/// or the trapezoid rule, the default). Completeness Σᵢ IGᵢ = f(x) − f(x′) holds up to the
/// quadrature error; `base` holds f(x′). The path points of many rows are differentiated
/// together, `chunk` points per forward/backward pass. The baseline x′ is 0 by default.
public struct IntegratedGradients {
  public enum Rule: String, Sendable, CaseIterable {
    case left, right, midpoint, trapezoid
  }

  public var steps: Int
  public var rule: Rule
  /// x′, one value per feature; nil means all zeros.
  public var baseline: [Float]?
  public var chunk: Int

  /// The most quadrature steps: the error of the trapezoid rule is long below Float's by then,
  /// and the points are held at once.
  public static let maximumSteps = 100_000

  public init(steps: Int = 64, rule: Rule = .trapezoid, baseline: [Float]? = nil, chunk: Int = 4096) {
    self.steps = steps
    self.rule = rule
    self.baseline = baseline
    self.chunk = chunk
  }

  /// The points α and weights of the quadrature on [0, 1].
  var quadrature: [(alpha: Double, weight: Double)] {
    let n = Double(steps)
    switch rule {
    case .left: return (0..<steps).map { (Double($0) / n, 1 / n) }
    case .right: return (1...steps).map { (Double($0) / n, 1 / n) }
    case .midpoint: return (0..<steps).map { ((Double($0) + 0.5) / n, 1 / n) }
    case .trapezoid: return (0...steps).map { (Double($0) / n, ($0 == 0 || $0 == steps ? 0.5 : 1) / n) }
    }
  }

  public func explain(_ model: any DifferentiableModel, rows: [[Float]]) throws -> FeatureAttribution {
    try explain(model, rows: RowInput.flatten(rows, features: model.features))
  }

  public func explain(_ model: any DifferentiableModel, rows: [Float]) throws -> FeatureAttribution {
    let d = model.features
    let c = model.outputs
    guard steps >= 1 && steps <= Self.maximumSteps else {
      throw AttributionError.invalidArgument("Integrated Gradients takes 1...\(Self.maximumSteps) steps, got \(steps)")
    }
    let n = try RowInput.count(rows, features: d)
    let reference = baseline ?? [Float](repeating: 0, count: d)
    guard reference.count == d else { throw AttributionError.wrongWidth(expected: d, got: reference.count) }
    try RowInput.finiteBaseline(reference, what: "the Integrated Gradients baseline")
    let nodes = quadrature
    let p = nodes.count
    let rowsPerChunk = max(1, chunk / p)
    var values = [Double](repeating: 0, count: n * c * d)
    var start = 0
    while start < n {
      let m = min(rowsPerChunk, n - start)
      var points = [Float](repeating: 0, count: m * p * d)
      for r in 0..<m {
        for (k, node) in nodes.enumerated() {
          for i in 0..<d {
            let x = Double(rows[(start + r) * d + i])
            let x0 = Double(reference[i])
            points[(r * p + k) * d + i] = Float(x0 + node.alpha * (x - x0))
          }
        }
      }
      let g = InputGradients.compute(model, points: points, count: m * p, chunk: max(chunk, p))
      for r in 0..<m {
        for o in 0..<c {
          for i in 0..<d {
            var integral = 0.0
            for (k, node) in nodes.enumerated() { integral += node.weight * Double(g[((r * p + k) * c + o) * d + i]) }
            let x = Double(rows[(start + r) * d + i])
            values[((start + r) * c + o) * d + i] = (x - Double(reference[i])) * integral
          }
        }
      }
      start += m
    }
    let f0 = try RowInput.evaluate(model, reference, count: 1, what: "f(baseline)")
    var base = [Double](repeating: 0, count: n * c)
    for r in 0..<n { for o in 0..<c { base[r * c + o] = Double(f0[o]) } }
    return FeatureAttribution(rows: n, outputs: c, features: d, values: values, base: base, method: "integrated-gradients")
  }
}
