import ArgumentParser
import Foundation
import Models
import Tensor

/// `sann hypernet`: the networks of the β-controlled hypernetworks (Liao, Liu and Tegmark,
/// arXiv 2312.03051) — read one, say which algorithm for ‖x‖₁ it implements, draw it.
struct Hypernet: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Inspect and draw networks that compute ‖x‖₁ (the β-hypernetworks' output).",
    discussion: """
      A generated network is a safetensors file with exactly hidden.weight [H, n], hidden.bias [H], \
      output.weight [1, H], output.bias [1] (float32) and "activation" (swish or relu) in its \
      metadata: f(x) = Σⱼ vⱼ·σ(Wⱼ·x + bⱼ) + c. `build` writes the three algorithms the paper \
      reports by hand, `inspect` measures a network's error on ‖x‖₁ and its order parameters, \
      `draw` renders it as SVG.
      """,
    subcommands: [TrainCommand.self, Sweep.self, Generate.self, Inspect.self, Draw.self, Build.self]
  )

  /// The sample counts the relative error accepts.
  static func checkSamples(_ samples: Int) throws {
    guard (1...10_000_000).contains(samples) else { throw ValidationError("--samples must lie in 1...10000000, got \(samples)") }
  }

  /// An input count a generated network may have.
  static func checkInputs(_ inputs: Int?) throws {
    if let inputs, !(1...GeneratedNetwork.maximumInputs).contains(inputs) {
      throw ValidationError("--inputs must lie in 1...\(GeneratedNetwork.maximumInputs), got \(inputs)")
    }
  }

  /// A relative error (or an order parameter) that is not finite means the weights overflow Float.
  static func finite(_ error: Double, _ network: GeneratedNetwork) throws {
    guard error.isFinite else {
      let largest = (network.hiddenWeight + network.outputWeight + network.hiddenBias).map { Swift.abs($0) }.max() ?? 0
      throw CommandError("the network's output overflows Float on N(0, I) inputs (largest |weight| \(largest)); it cannot be evaluated")
    }
  }

  static func load(_ path: String) throws -> GeneratedNetwork {
    do {
      return try GeneratedNetwork.load(from: URL(fileURLWithPath: path))
    } catch let error as GeneratedNetworkError {
      throw CommandError("\(error)")
    }
  }

  struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "A network's relative error on ‖x‖₁, its order parameters and the algorithm they indicate.",
      discussion: """
        Relative error: E[(f(x) − ‖x‖₁)²] / E[‖x‖₁²] over --samples draws of x ~ N(0, I) (seeded). \
        Order parameters, per input and unit: partners (active units with ≥ 80 % of their squared \
        weight on one input), the share of inputs with partners on both sides (D) or one side (P), \
        the share of active units that are partners (K), and the mean slopes E[∂/∂xᵢ] of the \
        partners' output (s_p) and the other units' (s_o). D ≥ 3/4 → double-sided; P ≥ 3/4 with \
        a linear term (|s_p| ≥ 0.1, the others cancelling at least half: −s_o/s_p ≥ 1/2) → \
        pudding; both need K ≥ 1/2; K < 1/4 → convexity.
        """)

    @Argument(help: "A generated network (.safetensors).")
    var file: String

    @Option(parsing: .unconditional, help: "Samples of x ~ N(0, I) for the relative error.")
    var samples = 100_000

    @Option(parsing: .unconditional, help: "The seed of the samples.")
    var seed: UInt64 = 0

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
      try Hypernet.checkSamples(samples)
    }

    func run() throws {
      let network = try Hypernet.load(file)
      let error = network.relativeError(samples: samples, seed: seed)
      try Hypernet.finite(error, network)
      let order = OrderParameters(network)
      if json {
        let object: [String: Any] = [
          "inputs": network.inputs, "hidden": network.hidden, "activation": network.activation.rawValue,
          "relative_error": error, "samples": samples, "algorithm": order.algorithm?.rawValue ?? NSNull(), "label": order.label,
          "order_parameters": [
            "two_sided_share": order.twoSidedShare, "one_sided_share": order.oneSidedShare, "linear_term": order.hasLinearTerm, "partner_slope": order.partnerSlope, "other_slope": order.otherSlope,
            "concentrated_share": order.concentratedShare, "active_units": order.activeUnits, "partner_side": order.partnerSide,
            "partners_per_input": order.partnersPerInput,
          ],
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        return
      }
      print("\(file): \(network.inputs) inputs → \(network.hidden) hidden (\(network.activation.rawValue)) → 1")
      print(String(format: "relative error on ‖x‖₁: %.4g (%d samples of N(0, I), seed %llu)", error, samples, seed))
      print(String(format: "order parameters: D = %.2f  P = %.2f  K = %.2f  slopes: partners %.3f, others %.3f  active units: %d  partners per input: %.2f",
                   order.twoSidedShare, order.oneSidedShare, order.concentratedShare, order.partnerSlope, order.otherSlope,
                   order.activeUnits, order.partnersPerInput))
      print("algorithm: \(order.label)")
    }
  }

  struct Draw: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Draw a network as SVG: inputs, hidden units beside the inputs they read, the output.",
      discussion: """
        An input edge's width is |w| relative to its unit's largest input weight, an output \
        edge's the unit's strength |v|·‖W‖ relative to the strongest; colour is the sign (blue \
        positive, red negative); edges under 5 % are left out. Hidden units are ordered by the \
        input they are partners of (positive side first), then uniform units (marked Σ), \
        then the other active units; inactive units are grey. Each input sits beside its \
        partners. The title gives the order parameters.
        """)

    @Argument(help: "A generated network (.safetensors).")
    var file: String

    @Option(help: "The SVG file to write.")
    var output: String

    /// Beyond this many edges a drawing is neither legible nor small.
    static let maximumEdges = 65_536

    func validate() throws { try ModelInput.distinct(output, flag: "--output", from: [file]) }

    func run() throws {
      let network = try Hypernet.load(file)
      guard network.inputs * network.hidden <= Self.maximumEdges else {
        throw CommandError("\(file) has \(network.inputs) inputs × \(network.hidden) hidden units = \(network.inputs * network.hidden) edges; draw draws up to \(Self.maximumEdges) (use inspect for larger networks)")
      }
      // The drawing's subtitle states the order parameters: weights that overflow them are refused,
      // as inspect refuses them, rather than drawn with NaN slopes.
      let order = OrderParameters(network)
      for value in [order.partnerSlope, order.otherSlope, order.twoSidedShare, order.oneSidedShare, order.concentratedShare] {
        try Hypernet.finite(Double(value), network)
      }
      let svg = NetworkDrawing(network, title: URL(fileURLWithPath: file).lastPathComponent).render()
      try AtomicFile.write(svg, to: URL(fileURLWithPath: output))
    }
  }

  struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a hand-built network of one of the three algorithms (for comparison and tests).",
      discussion: """
        double-sided: (σ(a·xᵢ) + σ(−a·xᵢ))/a per input (2n units); pudding: 2·σ(±a·xᵢ)/a per input \
        and one linear-regime unit carrying ∓Σxᵢ (n + 1 units); convexity: α·Σⱼ σ(wⱼ·x) + c over \
        --hidden random unit directions, α and c fitted by least squares. Unused units are zero.
        """)

    @Argument(help: "double-sided, pudding or convexity.")
    var algorithm: GeneratedNetwork.Algorithm

    @Option(parsing: .unconditional, help: "n, the inputs.")
    var inputs = 16

    @Option(parsing: .unconditional, help: "H, the hidden units.")
    var hidden = 48

    @Option(help: "swish or relu.")
    var activation = GeneratedNetwork.Activation.swish

    @Option(parsing: .unconditional, help: "a, the steepness of the partners (swish tends to |x| as a grows).")
    var sharpness: Float = 20

    @Flag(help: "Pudding's negative variant, 2·Σ ReLU(−xᵢ) + Σ xᵢ (pudding only).")
    var negative = false

    @Option(parsing: .unconditional, help: "The seed of convexity's directions.")
    var seed: UInt64 = 0

    @Option(help: "The safetensors file to write.")
    var output: String

    func validate() throws {
      try Hypernet.checkInputs(inputs)
      guard (1...GeneratedNetwork.maximumHidden).contains(hidden) else {
        throw ValidationError("--hidden must lie in 1...\(GeneratedNetwork.maximumHidden), got \(hidden)")
      }
      guard sharpness >= 1e-3 && sharpness <= 1e4 else { throw ValidationError("--sharpness must lie in [0.001, 10000], got \(sharpness)") }
      guard !negative || algorithm == .pudding else { throw ValidationError("--negative selects pudding's variant; \(algorithm.rawValue) has none") }
    }

    func run() throws {
      do {
        let network = try GeneratedNetwork.handBuilt(algorithm, inputs: inputs, hidden: hidden, activation: activation, sharpness: sharpness,
                                                     sign: negative ? -1 : 1, seed: seed)
        try network.save(to: URL(fileURLWithPath: output))
      } catch let error as GeneratedNetworkError {
        throw CommandError("\(error)" + ("\(error)".contains("hidden units, more than") ? "; raise --hidden" : ""))
      }
    }
  }
}

extension GeneratedNetwork.Algorithm: @retroactive ExpressibleByArgument {}
extension GeneratedNetwork.Activation: @retroactive ExpressibleByArgument {}
