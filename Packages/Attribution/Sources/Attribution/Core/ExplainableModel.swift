import Foundation
import Models
import Tensor

/// Anything that maps a batch of rows to outputs: the one thing every explainer needs.
///
/// `evaluate` takes `n` rows of `features` values, row-major, and returns `n × outputs` values,
/// row-major. Explainers call it with many rows at once, so one call should be one batched
/// forward pass. SANNKit's models conform through `TabularModelAdapter`, Tensor `Sequential`
/// MLPs through `SequentialModelAdapter`; any closure can be wrapped in `ClosureModel`.
///
///     let f = ClosureModel(features: 2, outputs: 1) { rows, n in (0..<n).map { rows[2 * $0] * 3 } }
///     let phi = try ExactShapley(background: bg).explain(f, rows: x)
public protocol ExplainableModel {
  var features: Int { get }
  var outputs: Int { get }
  /// Outputs for `count` rows, `count × outputs` values, row-major.
  func evaluate(_ rows: [Float], count: Int) throws -> [Float]
  /// The same into caller-owned memory: writes the outputs of the `count` rows in `rows`
  /// (`count × features` values) to `output` (`count × outputs` values). Explainers that
  /// evaluate millions of rows (Kernel SHAP, exact Shapley) call this with buffers they reuse.
  /// Default: copies the rows into an array and calls ``evaluate(_:count:)``.
  func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>) throws
}

extension ExplainableModel {
  public func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>) throws {
    let out = try evaluate(Array(rows.prefix(count * features)), count: count)
    guard out.count == count * outputs, output.count >= out.count else {
      throw AttributionError.badModelOutput(expected: count * outputs, got: out.count)
    }
    _ = output.initialize(from: out)
  }
}

/// A model whose outputs can be differentiated with respect to its inputs (Integrated Gradients,
/// gradient × input). `forward` must record on the autodiff tape.
public protocol DifferentiableModel: ExplainableModel {
  func forward(_ x: Tensor) -> Tensor
  /// The most rows one differentiated `forward` should take (explainers batch fewer points).
  /// Default: 4096.
  var gradientRowsPerPass: Int { get }
  /// Drops gradients that backward passes through `forward` left on the model's parameters
  /// (explainers call it after differentiating with respect to the inputs). Default: nothing.
  func resetParameterGradients()
}

extension DifferentiableModel {
  public func resetParameterGradients() {}
  public var gradientRowsPerPass: Int { 4096 }
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

/// A SANNKit `TabularModel` (any registered architecture) in evaluation mode.
///
/// `evaluate` runs the model's compiled inference plan (``TabularModel/inferencePlan()``:
/// BatchNorm folded, no autodiff tape, rows spread over ``threads`` threads), which is a
/// snapshot of the parameters taken when the adapter was made. The adapter is meant for a
/// fixed, trained model: after changing the parameters (training, loading a state dict), call
/// ``rebuildPlan()`` or make a new adapter. `forward`, which Integrated Gradients and
/// gradient × input differentiate, runs the live model on the autodiff tape.
///
/// Determinism: for a fixed thread count the outputs are reproducible, but the plan splits the
/// rows of a call into one chunk per thread, and the matrix products of a chunk may sum in a
/// different order than those of another split, so outputs (and the explanations computed
/// from them) can differ in the last float bits between thread counts or between batches that
/// contain a row alongside different rows. Use `threads: 1` when bit-for-bit equality across
/// machines matters.
///
///     let f = TabularModelAdapter(inn)                 // threads: every active core
///     let phi = try KernelSHAP(background: bg).explain(f, rows: x)
public final class TabularModelAdapter: DifferentiableModel {
  public let model: any TabularModel
  /// Threads the plan spreads each `evaluate` call over (OpenBLAS runs single-threaded inside
  /// each). Set 1 when several explainers run in parallel, one per thread.
  public var threads: Int
  /// The compiled forward over the parameters at creation (or at the last ``rebuildPlan()``).
  public private(set) var plan: any InferencePlan

  /// Switches `model` to evaluation mode and compiles its plan. `threads` defaults to the
  /// machine's active processor count.
  public init(_ model: any TabularModel, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
    self.model = model
    self.threads = max(threads, 1)
    model.eval()
    plan = model.inferencePlan()
  }

  public var features: Int { model.features }
  public var outputs: Int { model.outputs }

  /// Compiles the plan again from the model's current parameters (after they changed).
  public func rebuildPlan() {
    model.eval()
    plan = model.inferencePlan()
  }

  public func forward(_ x: Tensor) -> Tensor { model(x) }

  public var gradientRowsPerPass: Int { model.inputGradientRows }

  public func resetParameterGradients() { model.zeroGrad() }

  public func evaluate(_ rows: [Float], count: Int) throws -> [Float] {
    try ExplainableModelCheck.evaluate(plan, rows, count: count, threads: threads)
  }

  public func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>) throws {
    try ExplainableModelCheck.evaluate(plan, rows, count: count, into: output, threads: threads)
  }
}

enum ExplainableModelCheck {
  /// A plan's outputs for validated rows: the evaluation every plan-backed adapter shares.
  static func evaluate(_ plan: any InferencePlan, _ rows: [Float], count: Int, threads: Int) throws -> [Float] {
    try input(rows, count: count, features: plan.features)
    return plan.evaluate(rows, count: count, threads: max(threads, 1))
  }

  /// The same into caller-owned buffers, after checking they are large enough.
  static func evaluate(
    _ plan: any InferencePlan, _ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>, threads: Int
  ) throws {
    guard count >= 0, rows.count >= count * plan.features, output.count >= count * plan.outputs else {
      throw AttributionError.invalidArgument(
        "evaluate(_:count:into:): buffers of \(rows.count) and \(output.count) values are too small for \(count) rows of \(plan.features) features and \(plan.outputs) outputs")
    }
    plan.evaluate(rows, count: count, into: output, threads: max(threads, 1))
  }

  /// Checks that `rows` holds `count` rows of `features` values. When the values split evenly
  /// into `count` rows, the error reports that width as the column count; otherwise it says
  /// how many values there were.
  static func input(_ rows: [Float], count: Int, features: Int) throws {
    guard count >= 0 else { throw AttributionError.invalidArgument("evaluate(_:count:): the row count \(count) is negative") }
    guard rows.count == count * features else {
      if count > 0 && rows.count % count == 0 { throw AttributionError.wrongWidth(expected: features, got: rows.count / count) }
      throw AttributionError.invalidArgument(
        "evaluate(_:count:): \(rows.count) values is not \(count) rows of d = \(features) values (\(count * features) values)")
    }
  }
}
