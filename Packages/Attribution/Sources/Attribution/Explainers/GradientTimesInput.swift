import Models

/// Gradient × input (Shrikumar et al. 2016): φᵢ = xᵢ · ∂f/∂xᵢ(x). Exact for a linear model
/// without intercept (then Σφ = f(x) − f(0)), not efficient in general; `base` is nil.
public struct GradientTimesInput {
  public var chunk: Int

  public init(chunk: Int = 4096) { self.chunk = chunk }

  public func explain(_ model: any DifferentiableModel, rows: [Float]) throws -> FeatureAttribution {
    let d = model.features
    let c = model.outputs
    let n = try RowInput.count(rows, features: d)
    let g = InputGradients.compute(model, points: rows, count: n, chunk: chunk)
    var values = [Double](repeating: 0, count: n * c * d)
    for r in 0..<n {
      for o in 0..<c {
        for i in 0..<d { values[(r * c + o) * d + i] = Double(rows[r * d + i]) * Double(g[(r * c + o) * d + i]) }
      }
    }
    return FeatureAttribution(rows: n, outputs: c, features: d, values: values, method: "gradient-x-input")
  }
}
