import Foundation
import Tensor

extension LogisticRegression {
  /// Minimises the objective on the training split by FISTA (``PenalizedLinearFit``) instead of
  /// the gradient trainer: one snapshot, the optimum. `training` is not used (the fit has no
  /// epochs, batches or learning rate); `progress` hears once, at the end, with the iterations
  /// taken, and with a note when the tolerance was not reached within `max_iter`.
  public func fit(on data: PreparedDataset, training: TrainingConfiguration, progress: (TrainingProgress) -> Void) throws -> FitResult {
    let start = Date()
    let n = data.xTrain.shape[0]
    let targets = data.task == .regression ? data.yTrain.map { ($0 - data.targetMean) / data.targetScale } : data.yTrain
    let fit = PenalizedLinearFit(
      x: data.xTrain.scalars.map(Double.init), rows: n, features: features, outputs: outputs, task: data.task,
      targets: targets.map(Double.init), configuration: configuration
    ).solve()
    linear.weight.value = Tensor(shape: [outputs, features], scalars: fit.weights.map(Float.init))
    linear.bias!.value = Tensor(shape: [outputs], scalars: fit.intercepts.map(Float.init))
    trainingRows = n
    eval()
    var report = TrainingProgress(epoch: fit.iterations, epochs: fit.iterations, loss: Float(fit.objective), elapsed: Date().timeIntervalSince(start),
                                  unit: "iteration")
    if !fit.converged {
      report.note = "logistic: not converged within max_iter = \(configuration.maximumIterations) iterations (proximal gradient \(String(format: "%.2g", fit.gradientMapping)) > tol = \(configuration.tolerance)); raise --param max_iter, or regularise more (smaller C)"
    }
    progress(report)
    return FitResult(snapshots: [stateDict()])
  }
}
