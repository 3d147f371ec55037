import Tensor

/// ∂f_o/∂x at many points, through the autodiff tape, in chunks of at most `chunk` rows:
/// one forward pass per chunk and output, then a backward pass of Σ_rows f_o (rows are
/// independent in evaluation mode, so the gradient of the sum is each row's gradient).
enum InputGradients {
  /// Gradients `count × outputs × features`, row-major.
  static func compute(_ model: any DifferentiableModel, points: [Float], count: Int, chunk: Int = 4096) -> [Float] {
    let d = model.features
    let c = model.outputs
    let chunk = Swift.max(1, Swift.min(chunk, model.gradientRowsPerPass))
    var result = [Float](repeating: 0, count: count * c * d)
    var start = 0
    while start < count {
      let n = min(chunk, count - start)
      for o in 0..<c {
        withGradient {
          var x = Tensor(shape: [n, d], scalars: Array(points[(start * d)..<((start + n) * d)]))
          x.requiresGrad = true
          let y = model.forward(x)
          var selector = [Float](repeating: 0, count: c)
          selector[o] = 1
          (y * Tensor(shape: [1, c], scalars: selector)).sum().backward()
          if let g = x.grad {
            g.withUnsafeBufferPointer { gv in
              for r in 0..<n {
                for i in 0..<d { result[((start + r) * c + o) * d + i] = gv[r * d + i] }
              }
            }
          }
        }
      }
      model.resetParameterGradients()
      start += n
    }
    return result
  }
}
