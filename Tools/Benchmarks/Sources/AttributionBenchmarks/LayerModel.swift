import Attribution
import Tensor

/// A Tensor `Layer` (here a `Sequential` MLP) as an `ExplainableModel`, for the Kernel SHAP
/// comparison on plain MLPs: the layer's ordinary forward under `withoutGradient`, `chunk` rows
/// at a time, the chunks spread over `threads` threads with OpenBLAS single-threaded inside
/// (the same scheme as the INN's inference plan, without folding anything).
struct LayerModel: ExplainableModel {
  let layer: any Layer
  let features: Int
  let outputs: Int
  var threads: Int
  var chunk = 1024

  func evaluate(_ rows: [Float], count: Int) throws -> [Float] {
    var out = [Float](repeating: 0, count: count * outputs)
    try rows.withUnsafeBufferPointer { input in
      try out.withUnsafeMutableBufferPointer { try evaluate(input, count: count, into: $0) }
    }
    return out
  }

  func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>) throws {
    guard count > 0 else { return }
    let (d, c, chunk, layer) = (features, outputs, chunk, layer)
    let workers = max(1, min(threads, count / chunk))
    let run = {
      RowPartition.concurrentForEach(count: count, workers: workers) { _, range in
        var start = range.lowerBound
        while start < range.upperBound {
          let n = min(chunk, range.upperBound - start)
          let x = Tensor(shape: [n, d], scalars: Array(rows[(start * d)..<((start + n) * d)]))
          let y = withoutGradient { layer(x) }
          y.withUnsafeBufferPointer { (output.baseAddress! + start * c).update(from: $0.baseAddress!, count: n * c) }
          start += n
        }
      }
    }
    if workers > 1 { BLAS.withSingleThreadedProducts(run) } else { run() }
  }
}

/// A model that costs nothing (every output 0): Kernel SHAP on it times the explainer's own
/// work alone — drawing coalitions, writing their rows, averaging, least squares.
struct FreeModel: ExplainableModel {
  let features: Int
  var outputs: Int { 1 }

  func evaluate(_ rows: [Float], count: Int) throws -> [Float] { [Float](repeating: 0, count: count) }

  func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>) throws {
    output.baseAddress!.update(repeating: 0, count: count)
  }
}
