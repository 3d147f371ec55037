import Models
import Tensor

/// Anything that maps a batch of rows to outputs: the one thing every explainer needs.
///
/// `evaluate` takes `n` rows of `features` values, row-major, and returns `n × outputs` values,
/// row-major. Explainers call it with many rows at once, so one call should be one batched
/// forward pass. SANNKit's models conform through `TabularModelAdapter`; any closure can be
/// wrapped in `ClosureModel`.
///
///     let f = ClosureModel(features: 2, outputs: 1) { rows, n in (0..<n).map { rows[2 * $0] * 3 } }
///     let phi = try ExactShapley(background: bg).explain(f, rows: x)
public protocol ExplainableModel {
  var features: Int { get }
  var outputs: Int { get }
  /// Outputs for `count` rows, `count × outputs` values, row-major.
  func evaluate(_ rows: [Float], count: Int) throws -> [Float]
}

/// A model whose outputs can be differentiated with respect to its inputs (Integrated Gradients,
/// gradient × input). `forward` must record on the autodiff tape.
public protocol DifferentiableModel: ExplainableModel {
  func forward(_ x: Tensor) -> Tensor
  /// Drops gradients that backward passes through `forward` left on the model's parameters
  /// (explainers call it after differentiating with respect to the inputs). Default: nothing.
  func resetParameterGradients()
}

extension DifferentiableModel {
  public func resetParameterGradients() {}
}

/// A closure as a model.
public struct ClosureModel: ExplainableModel {
  public let features: Int
  public let outputs: Int
  private let body: ([Float], Int) throws -> [Float]

  public init(features: Int, outputs: Int, _ body: @escaping ([Float], Int) throws -> [Float]) {
    self.features = features
    self.outputs = outputs
    self.body = body
  }

  public func evaluate(_ rows: [Float], count: Int) throws -> [Float] {
    try ExplainableModelCheck.input(rows, count: count, features: features)
    let out = try body(rows, count)
    guard out.count == count * outputs else {
      throw AttributionError.badModelOutput(expected: count * outputs, got: out.count)
    }
    return out
  }
}

/// A SANNKit `TabularModel` (INN, TabResNet) in evaluation mode, evaluated in batches.
public final class TabularModelAdapter<Model: TabularModel>: DifferentiableModel {
  public let model: Model
  /// Rows per forward pass; bounds memory when an explainer evaluates millions of rows.
  public var batchSize: Int

  public init(_ model: Model, batchSize: Int = 8192) {
    self.model = model
    self.batchSize = batchSize
    model.eval()
  }

  public var features: Int { model.features }
  public var outputs: Int { model.outputs }

  public func forward(_ x: Tensor) -> Tensor { model(x) }

  public func resetParameterGradients() { model.zeroGrad() }

  public func evaluate(_ rows: [Float], count: Int) throws -> [Float] {
    try ExplainableModelCheck.input(rows, count: count, features: features)
    var out = [Float]()
    out.reserveCapacity(count * outputs)
    var start = 0
    while start < count {
      let n = min(batchSize, count - start)
      let slice = Array(rows[(start * features)..<((start + n) * features)])
      let y = withoutGradient { model(Tensor(shape: [n, features], scalars: slice)) }
      out.append(contentsOf: y.scalars)
      start += n
    }
    return out
  }
}

enum ExplainableModelCheck {
  static func input(_ rows: [Float], count: Int, features: Int) throws {
    guard count >= 0, rows.count == count * features else {
      throw AttributionError.wrongWidth(expected: features, got: count > 0 ? rows.count / max(count, 1) : rows.count)
    }
  }
}
