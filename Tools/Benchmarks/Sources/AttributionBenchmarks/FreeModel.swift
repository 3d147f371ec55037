import Attribution

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
