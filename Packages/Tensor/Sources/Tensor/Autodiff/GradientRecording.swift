/// Whether operations are recorded on the autodiff tape (PyTorch's grad mode).
///
/// The flag is task-local (and thread-local outside of tasks), so concurrent computations do
/// not see each other's scopes.
public enum GradientRecording {
  @TaskLocal static var enabled = true

  /// Whether the current scope records operations.
  public static var isEnabled: Bool { enabled }
}

/// Runs `body` without recording operations on the tape, like `torch.no_grad()`: results do
/// not require gradients and no memory is kept for a backward pass. Use it for inference and
/// for parameter updates.
@discardableResult
public func withoutGradient<R>(_ body: () throws -> R) rethrows -> R {
  try GradientRecording.$enabled.withValue(false, operation: body)
}

/// Runs `body` with recording switched back on inside an outer ``withoutGradient(_:)`` scope.
@discardableResult
public func withGradient<R>(_ body: () throws -> R) rethrows -> R {
  try GradientRecording.$enabled.withValue(true, operation: body)
}
