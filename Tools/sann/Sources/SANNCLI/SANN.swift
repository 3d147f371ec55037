import ArgumentParser
import Foundation
import Tensor

/// The `sann` command: train and explain self-explaining networks on tabular data.
public struct SANN: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "sann",
    abstract: "Self-explaining neural networks for tabular data.",
    discussion: """
      SANNKit trains networks whose explanations are correct by construction. `sann train` runs the \
      INN reference protocol on a dataset and writes output_info.json and model.safetensors.
      """,
    subcommands: [Train.self, Predict.self, Explain.self, Export.self, TheoryCommand.self, XAIBench.self, Hypernet.self]
  )

  public init() {}
}

extension SANN {
  /// Parses and runs a subcommand as ArgumentParser's `main()` does, with two differences in
  /// how errors are reported: a bad value found while a subcommand runs points to that
  /// subcommand's help rather than printing the root's usage, and a file-system error from Foundation says
  /// what could not be done to which path (not "Error Domain=NSCocoaErrorDomain Code=516").
  public static func main() {
    var command: any ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      exit(withError: error)
    }
    do {
      try command.run()
    } catch let error as CocoaError {
      exit(withError: CommandError("\(FileProblem.path(of: error) ?? "a file"): \(FileProblem.describe(error))"))
    } catch let error as ValidationError {
      let path = (commandPath(to: type(of: command)) ?? [_commandName]).joined(separator: " ")
      FileHandle.standardError.write(Data("Error: \(error.message)\n  See '\(path) --help' for its options.\n".utf8))
      Foundation.exit(ExitCode.validationFailure.rawValue)
    } catch {
      exit(withError: error)
    }
  }

  /// The command names from `sann` down to `target` ("sann theory bound"), or nil when it is
  /// not one of the subcommands.
  static func commandPath(to target: any ParsableCommand.Type, from root: any ParsableCommand.Type = SANN.self) -> [String]? {
    if root == target { return [root._commandName] }
    for subcommand in root.configuration.subcommands {
      if let rest = commandPath(to: target, from: subcommand) { return [root._commandName] + rest }
    }
    return nil
  }
}
