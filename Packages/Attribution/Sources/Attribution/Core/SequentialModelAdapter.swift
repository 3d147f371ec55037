import Foundation
import Tensor

/// A Tensor `Sequential` multilayer perceptron (`Linear`, `Activation` .relu/.gelu/.identity,
/// `BatchNorm1d`, `Dropout`) in evaluation mode, for the explainers.
///
/// `evaluate` runs the model's compiled ``SequentialPlan`` (BatchNorm folded, one fused bias +
/// activation pass per layer, no autodiff tape, reused buffers, rows spread over ``threads``
/// threads with OpenBLAS single-threaded inside), a snapshot of the parameters taken when the
/// adapter was made: after changing them (training, loading a state dict), call
/// ``rebuildPlan()`` or make a new adapter. `forward`, which Integrated Gradients and
/// gradient × input differentiate, runs the live model on the autodiff tape.
///
/// Determinism: as for ``TabularModelAdapter``, outputs are reproducible for a fixed thread
/// count, but may differ in the last float bits between thread counts or batch compositions.
///
///     let mlp = Sequential([Linear(20, 128, rng: &rng), Activation(.relu), Linear(128, 1, rng: &rng)])
///     let phi = try KernelSHAP(background: bg).explain(try SequentialModelAdapter(mlp), rows: x)
public final class SequentialModelAdapter: DifferentiableModel {
  public let model: Sequential
  /// Threads the plan spreads each `evaluate` call over (OpenBLAS runs single-threaded inside
  /// each). Set 1 when several explainers run in parallel, one per thread.
  public var threads: Int
  /// The compiled forward over the parameters at creation (or at the last ``rebuildPlan()``).
  public private(set) var plan: SequentialPlan

  /// Switches `model` to evaluation mode and compiles its plan. `threads` defaults to the
  /// machine's active processor count.
  ///
  /// - Throws: `SequentialPlanError` when the model has a layer the plan cannot compile (it
  ///   names the layer); wrap such a model in a ``ClosureModel`` over its forward instead.
  public init(_ model: Sequential, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
    self.model = model
    self.threads = max(threads, 1)
    model.eval()
    plan = try SequentialPlan(model)
  }

  public var features: Int { plan.features }
  public var outputs: Int { plan.outputs }

  /// Compiles the plan again from the model's current parameters (after they changed).
  public func rebuildPlan() throws {
    model.eval()
    plan = try SequentialPlan(model)
  }

  public func forward(_ x: Tensor) -> Tensor { model(x) }

  public func resetParameterGradients() { model.zeroGrad() }

  public func evaluate(_ rows: [Float], count: Int) throws -> [Float] {
    try ExplainableModelCheck.evaluate(plan, rows, count: count, threads: threads)
  }

  public func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>) throws {
    try ExplainableModelCheck.evaluate(plan, rows, count: count, into: output, threads: threads)
  }
}
