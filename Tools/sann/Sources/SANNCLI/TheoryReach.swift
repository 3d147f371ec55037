import ArgumentParser
import Foundation
import Tensor
import Theory

extension TheoryCommand {
  struct Reach: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check that groups equal to the polynomial's terms explain every subset exactly, beside the feature-wise OPT.",
      discussion: "Sum-of-Parts, Theorem 2.4: an m-term polynomial has a group-based attribution with m groups and zero insertion and deletion error.")

    @OptionGroup var instance: PolynomialOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
      let program = try instance.program()
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
        print("d = \(program.dimension), \(program.kind.rawValue) error over all \(program.subsetCount) subsets:")
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

    @Option(help: "Largest d for the binomials.")
    var binomialDimension = 12

    @Option(help: "Largest d for the monomials.")
    var monomialDimension = 16

    @Option(help: "Block sizes n of the equal-block binomials (n,n,n) solved through the symmetric reduction.")
    var equalBlocks = "5,6,7,8,9,10,25,50,75,100"

    func run() throws {
      let blockSizes = equalBlocks.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard blockSizes.allSatisfy({ ($0 ?? 0) >= 1 }) else { throw ValidationError("--equal-blocks needs positive sizes such as 5,10,100") }
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
      for n in blockSizes.map({ $0! }) where 3 * n > binomialDimension {
        for kind in ErrorKind.allCases { instances.append(("binomial-\(n)-\(n)-\(n)-\(kind.rawValue)", .binomial(n, n, n), kind, true)) }
      }
      let directory = URL(fileURLWithPath: output)
      var index: [[String: Any]] = []
      for (k, instance) in instances.enumerated() {
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
        index.append(["file": file, "polynomial": program.polynomial.description, "d": program.dimension,
                      "error": instance.kind.rawValue, "optimum": certificate.optimum.description,
                      "method": instance.symmetric ? "symmetric" : "full"])
        if (k + 1) % 50 == 0 || k + 1 == instances.count || instance.symmetric {
          FileHandle.standardError.write(Data("\(k + 1)/\(instances.count) certificates\n".utf8))
        }
      }
      let data = try JSONSerialization.data(withJSONObject: ["format": "sannkit.proofs-index/1", "certificates": index],
                                            options: [.prettyPrinted, .sortedKeys])
      try AtomicFile.write(data, to: directory.appendingPathComponent("index.json"))
      print("\(instances.count) certificates and index.json written to \(directory.path)")
    }
  }
}
