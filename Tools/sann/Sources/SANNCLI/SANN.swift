import ArgumentParser

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
