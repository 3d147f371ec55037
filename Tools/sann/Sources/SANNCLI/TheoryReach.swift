import ArgumentParser
import Foundation
import Tensor
import Theory

extension TheoryCommand {
  struct Reach: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check that groups reach errors no feature-wise attribution can: Theorem 2.4's construction, or with --trained, trained Sum-of-Parts models.",
      discussion: """
        Sum-of-Parts, Theorem 2.4: an m-term polynomial has a group-based attribution with m groups and zero insertion and \
        deletion error, while every feature-wise one errs by at least OPT. Without --trained, this checks the construction.

        With --trained, it trains on the polynomial — inputs on {0, 1}^d (all 2^d for d ≤ 10, else --samples N), target p(x) — \
        Sum-of-Parts on a TabResNet backbone it trains first (selector scale on, τ = the largest support over d unless \
        --tau, max(2, ⌊d/2⌋) attention heads, softmax group weights and the insertion-consistency term; --sop-param consistency=0 --sop-param \
        selection=sparsemax gives the authors' objective), a NAM and an INN, and prints, for each and for p's exact Shapley values and Theory's optimal α, the exact \
        error at --point over all 2^d subsets against p, and against the model's own outputs (model error). Scores are the \
        models' Floats taken at their exact value. --json prints every group and score, so the errors recompute from it; \
        --report DIR writes report.json and error.svg; --save-models DIR keeps the models, --models DIR reuses them.
        """)

    @OptionGroup var instance: PolynomialOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(help: "Train Sum-of-Parts, NAM and INN on the polynomial and check their attributions.")
    var trained = false

    @Option(parsing: .unconditional, help: "With --trained: train on N random inputs instead of all 2^d (needed for d > 10).")
    var samples: Int?

    @Option(parsing: .unconditional, help: "With --trained: Sum-of-Parts' τ (default: the largest support size over d).")
    var tau: Double?

    @Option(parsing: .unconditional, help: "With --trained: the seed of the models and of --samples.")
    var seed: UInt64 = 0

    @Option(name: [.customLong("nr_epochs"), .customLong("nr-epochs")], parsing: .unconditional, help: "With --trained: training epochs (default: about 12,000 optimizer steps).")
    var epochs: Int?

    @Option(name: [.customLong("hidden_size"), .customLong("hidden-size")], parsing: .unconditional, help: "With --trained: hidden units of the TabResNet trunks.")
    var hiddenSize = 64

    @Option(help: "With --trained: write report.json (both errors) and error.svg to this directory.")
    var report: String?

    @Option(name: [.customLong("save-models"), .customLong("save_models")], help: "With --trained: write the trained models (sop/, nam/, inn/) to this directory.")
    var saveModels: String?

    @Option(help: "With --trained: use the models in this directory (sop/, nam/, inn/, as --save-models writes them) instead of training.")
    var models: String?

    @Option(name: .customLong("sop-param"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("With --trained: a Sum-of-Parts hyperparameter, name=value (repeatable; see sann train --help).", valueName: "name=value"))
    var sopParameters: [String] = []

    @Option(name: .customLong("nam-param"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("With --trained: a NAM hyperparameter, name=value (repeatable).", valueName: "name=value"))
    var namParameters: [String] = []

    @Option(name: .customLong("inn-param"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("With --trained: an INN hyperparameter, name=value (repeatable).", valueName: "name=value"))
    var innParameters: [String] = []

    @Flag(help: "No training progress.")
    var quiet = false

    func validate() throws {
      if !trained {
        for (flag, given) in [("--samples", samples != nil), ("--tau", tau != nil), ("--report", report != nil), ("--save-models", saveModels != nil),
                              ("--models", models != nil), ("--nr_epochs", epochs != nil), ("--sop-param", !sopParameters.isEmpty),
                              ("--nam-param", !namParameters.isEmpty), ("--inn-param", !innParameters.isEmpty)] where given {
          throw ValidationError("\(flag) applies to --trained only")
        }
      }
      if let samples, !(16...1_000_000).contains(samples) { throw ValidationError("--samples must lie in 16...1000000, got \(samples)") }
      if let tau, !(tau > 0 && tau <= 1) { throw ValidationError("--tau must lie in (0, 1], got \(tau)") }
      if let epochs, !(1...100_000).contains(epochs) { throw ValidationError("--nr_epochs must lie in 1...100000, got \(epochs)") }
      guard (1...1024).contains(hiddenSize) else { throw ValidationError("--hidden_size must lie in 1...1024, got \(hiddenSize)") }
      if models != nil && saveModels != nil { throw ValidationError("--models reuses saved models; --save-models would write them again") }
      if models != nil && !(sopParameters + namParameters + innParameters).isEmpty {
        throw ValidationError("--models reuses saved models; --sop-param, --nam-param and --inn-param apply to training")
      }
    }

    func run() throws {
      let program = try instance.program()
      if trained { return try runTrained(program) }
      let featureWise = try instance.solve(program)
      // All 2^d subsets one by one for d ≤ 16, through the symmetry classes beyond.
      let groupError = program.dimension <= 16 ? ZeroErrorCheck.groupError(program) : SymmetricProgram(program: program).groupError()
      let groups = ZeroErrorCheck.groups(of: program).groups
      if json {
        let object: [String: Any] = [
          "d": program.dimension, "error": program.kind.rawValue, "groups": groups.count,
          "group_error": groupError.description, "feature_wise_optimum": featureWise.optimum.description, "method": featureWise.program, "solver": featureWise.solver.name,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
      } else {
        print("polynomial \(program.polynomial)")
        print("d = \(program.dimension), \(program.kind.rawValue) error over all \(program.dimension <= 20 ? "\(program.subsetCount)" : "2^\(program.dimension)") subsets:")
        print("  \(groups.count) groups (the terms' supports): error \(groupError)\(groupError.isZero ? " (zero, as the theorem states)" : "")")
        print("  best feature-wise attribution: error \(featureWise.optimum) (\(featureWise.program) program)")
      }
      if !groupError.isZero { throw ExitCode(2) }
    }
  }

  struct Catalogue: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the certificate catalogue (Proofs/): binomials with d ≤ 12, monomial deletion with d ≤ 16, equal-block binomials up to d = 300, and index.json.")

    @Option(help: "Output directory.")
    var output = "Proofs"

    @Option(parsing: .unconditional, help: "Largest d for the binomials.")
    var binomialDimension = 12

    @Option(parsing: .unconditional, help: "Largest d for the monomials.")
    var monomialDimension = 16

    @Option(help: "Block sizes n of the equal-block binomials (n,n,n) solved through the symmetric reduction.")
    var equalBlocks = "5,6,7,8,9,10,25,50,75,100"

    @Option(help: "Write only slice k of n (k/n, 1 ≤ k ≤ n): the instances whose position in the catalogue is k − 1 modulo n, with a shard index; `sann theory merge` joins the n slices into the catalogue.")
    var shard: String?

    func validate() throws {
      if let shard { _ = try Self.parseShard(shard) }
      // The full program enumerates 2^d subsets; the symmetric one (n+1)³ classes.
      let full = ErrorProgram.maximumFullDimension
      guard (3...full).contains(binomialDimension) else { throw ValidationError("--binomial-dimension must lie in 3...\(full) (the full program enumerates 2^d subsets), got \(binomialDimension)") }
      guard (1...full).contains(monomialDimension) else { throw ValidationError("--monomial-dimension must lie in 1...\(full) (the full program enumerates 2^d subsets), got \(monomialDimension)") }
      let sizes = equalBlocks.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard sizes.allSatisfy({ (1...300).contains($0 ?? 0) }) else {
        throw ValidationError("--equal-blocks needs sizes in 1...300 such as 5,10,100 (the symmetric program has (n+1)³ classes), got '\(equalBlocks)'")
      }
    }

    func run() throws {
      let parsed = equalBlocks.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard parsed.allSatisfy({ ($0 ?? 0) >= 1 }) else { throw ValidationError("--equal-blocks needs positive sizes such as 5,10,100") }
      // A size given twice is one instance (each certificate once in the index).
      var blockSizes: [Int] = []
      for n in parsed.map({ $0! }) where !blockSizes.contains(n) { blockSizes.append(n) }
      var instances: [(name: String, polynomial: Polynomial, kind: ErrorKind, symmetric: Bool)] = []
      for d in 3...binomialDimension {
        for a in 1...(d - 2) {
          for b in 1...(d - 1 - a) {
            let c = d - a - b
            for kind in ErrorKind.allCases {
              instances.append(("binomial-\(a)-\(b)-\(c)-\(kind.rawValue)", .binomial(a, b, c), kind, false))
            }
          }
        }
      }
      for d in 1...monomialDimension { instances.append(("monomial-\(d)-deletion", .monomial(degree: d), .deletion, false)) }
      let symmetricSizes = blockSizes.filter { 3 * $0 > binomialDimension }
      for n in symmetricSizes {
        for kind in ErrorKind.allCases { instances.append(("binomial-\(n)-\(n)-\(n)-\(kind.rawValue)", .binomial(n, n, n), kind, true)) }
      }
      let directory = URL(fileURLWithPath: output)
      let slice = try shard.map(Self.parseShard)
      var index: [[String: Any]] = []
      for (k, instance) in instances.enumerated() where slice.map({ k % $0.count == $0.part - 1 }) ?? true {
        let program = ErrorProgram(polynomial: instance.polynomial, kind: instance.kind)
        let certificate: DualCertificate
        if instance.symmetric {
          let symmetric = SymmetricProgram(program: program)
          certificate = DualCertificate(program: program, symmetric: try symmetric.solve(), structure: symmetric.structure)
        } else {
          certificate = DualCertificate(program: program, solution: try GLPKDualSolver.solve(program))
        }
        let file = "\(instance.name).json"
        try AtomicFile.write(try certificate.encoded(), to: directory.appendingPathComponent(file))
        var entry: [String: Any] = ["file": file, "polynomial": program.polynomial.description, "d": program.dimension,
                                    "error": instance.kind.rawValue, "optimum": certificate.optimum.description,
                                    "method": instance.symmetric ? "symmetric" : "full"]
        if slice != nil { entry[CatalogueIndex.positionKey] = k }
        index.append(entry)
        if (k + 1) % 50 == 0 || k + 1 == instances.count || instance.symmetric {
          FileHandle.standardError.write(Data("\(k + 1)/\(instances.count) certificates\n".utf8))
        }
      }
      if let slice {
        // The options as they choose the instances: sizes the full sweep covers left out.
        let catalogue = "binomial-dimension \(binomialDimension), monomial-dimension \(monomialDimension), equal-blocks "
          + (symmetricSizes.isEmpty ? "none" : symmetricSizes.map(String.init).joined(separator: ","))
        try CatalogueIndex.writeShard(index, part: slice.part, count: slice.count, total: instances.count, catalogue: catalogue, to: directory)
        print("shard \(slice.part)/\(slice.count): \(index.count) of \(instances.count) certificates and index.json written to \(directory.path)")
      } else {
        try CatalogueIndex.write(index, to: directory)
        print("\(instances.count) certificates and index.json written to \(directory.path)")
      }
    }

    /// "k/n" with 1 ≤ k ≤ n.
    static func parseShard(_ text: String) throws -> (part: Int, count: Int) {
      let parts = text.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(k) else {
        throw ValidationError("--shard must be k/n with 1 ≤ k ≤ n, such as 2/3 (the second of three slices), got '\(text)'")
      }
      return (k, n)
    }
  }
}
