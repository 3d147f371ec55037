import Foundation
import Models

/// Training progress on standard error: a redrawn bar with loss and ETA on a terminal, a
/// plain line every tenth of the run otherwise, nothing when disabled (warnings always).
final class ProgressReporter {
  private let enabled: Bool
  private let isTerminal = isatty(STDERR_FILENO) != 0
  private var drew = false

  init(enabled: Bool) { self.enabled = enabled }

  /// Draws the progress (when enabled) and prints a note, if any, on its own line (always: a
  /// note is a warning, not progress).
  func report(_ p: TrainingProgress) {
    if let note = p.note {
      if drew { write("\n") }
      drew = false
      write("warning: \(note)\n")
    }
    guard enabled, p.epochs > 0, p.epoch > 0 else { return }
    let eta = p.elapsed / Double(p.epoch) * Double(p.epochs - p.epoch)
    if isTerminal {
      let width = 30
      let filled = width * p.epoch / p.epochs
      let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
      write(String(format: "\r%@ %d/%d [%@] loss %.4f  ETA %.1fs ", p.unit, p.epoch, p.epochs, bar, p.loss, eta))
      drew = true
    } else if p.epoch == p.epochs || p.epoch % Swift.max(1, p.epochs / 10) == 0 {
      write(String(format: "%@ %d/%d loss %.4f elapsed %.1fs ETA %.1fs\n", p.unit, p.epoch, p.epochs, p.loss, p.elapsed, eta))
    }
  }

  func finish() {
    if drew { write("\n") }
  }

  private func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}
