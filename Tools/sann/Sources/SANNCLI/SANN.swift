import ArgumentParser

/// The `sann` command: train and explain self-explaining networks on tabular data.
public struct SANN: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "sann",
    abstract: "Self-explaining neural networks for tabular data.",
    discussion: """
      SANNKit trains networks whose explanations are correct by construction. Until the INN \
      models land, `sann demo` trains a network on a bundled dataset with the Tensor package.
      """,
    subcommands: [Demo.self]
  )

  public init() {}
}
