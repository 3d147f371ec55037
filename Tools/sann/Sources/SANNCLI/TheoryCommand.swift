import ArgumentParser
import Foundation
import Tensor
import Theory

/// `sann theory`: exact insertion/deletion-error optima of feature-wise explanations.
struct TheoryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "theory",
    abstract: "Exact lower bounds on the explanation error of feature-wise attributions, with certificates.",
    subcommands: [Bound.self, Reach.self, Verify.self, Catalogue.self, Merge.self]
  )
}

/// The instance options shared by the theory commands.
struct PolynomialOptions: ParsableArguments {
  @Option(parsing: .unconditional, help: "A multilinear polynomial, e.g. \"2 x1 x2 - x2 x3 x4 + 1/2 x5\" (may start with a minus sign).")
  var polynomial: String?

  @Option(parsing: .unconditional, help: "The seed's binomial ∏(S1∪S2) + ∏(S2∪S3) with block sizes a,b,c.")
  var binomial: String?

  @Option(parsing: .unconditional, help: "The monomial x1⋯xd.")
  var monomial: Int?

  @Option(help: "insertion or deletion.")
  var error: ErrorKind = .insertion

  @Option(parsing: .unconditional, help: "The input point, comma-separated rationals such as 1,-1/3,0.25,1e-30 (default all ones).")
  var point: String?

  @Option(help: "full (all 2^d subsets, d ≤ 20, exact simplex), glpk (the full program through GLPK and glp_exact), symmetric (classes of interchangeable features), or auto.")
  var method: SolveMethod = .auto

  /// Solves `program` with the chosen method (the policy is the library's), reporting long
  /// exact solves' iteration counts on stderr at most every two seconds.
  func solve(_ program: ErrorProgram) throws -> ErrorSolution {
    // A symmetric program of millions of classes runs for minutes in gigabytes: said up front,
    // from README's measurements (d = 300, 1.03 million classes: 6.8 s, 250 MB; d = 900, 27.3
    // million: 317 s, 7.7 GB; memory about 280 bytes a class).
    if try program.resolvedMethod(method) == .symmetric {
      let classes = Double(BlockStructure(program: program).classCount)
      if classes >= 3e6 {
        FileHandle.standardError.write(Data(String(format: "note: %.1f million classes of subsets: expect roughly %.0f s and %.1f GB (README, Performance)\n",
                                                   classes / 1e6, 6.8 * Foundation.pow(classes / 1.03e6, 1.17), classes * 280 / 1e9).utf8))
      }
    }
    let start = Date()
    var lastReport = start
    return try program.solve(method: method) { iterations in
      let now = Date()
      guard now.timeIntervalSince(lastReport) >= 2 else { return }
      lastReport = now
      FileHandle.standardError.write(Data(String(format: "  exact dual simplex: %d iterations, %.0f s\n", iterations, now.timeIntervalSince(start)).utf8))
    }
  }

  func program() throws -> ErrorProgram {
    let given = [polynomial != nil, binomial != nil, monomial != nil].filter { $0 }.count
    guard given == 1 else { throw ValidationError("give exactly one of --polynomial, --binomial a,b,c or --monomial d") }
    let p: Polynomial
    if let polynomial {
      do {
        p = try PolynomialParser.parse(polynomial)
      } catch {
        throw ValidationError("--polynomial: \(error)")
      }
    } else if let binomial {
      let sizes = binomial.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard sizes.count == 3, sizes.allSatisfy({ ($0 ?? -1) >= 0 }) else {
        throw ValidationError("--binomial needs three non-negative block sizes a,b,c, got '\(binomial)'")
      }
      // Each size alone first, so the sum cannot overflow.
      let limit = PolynomialParser.maximumVariable
      guard sizes.allSatisfy({ $0! <= limit }), sizes.reduce(0, { $0 + $1! }) <= limit else {
        throw ValidationError("--binomial \(binomial) has d = a + b + c beyond \(limit) features, more than any method handles; use smaller blocks")
      }
      p = .binomial(sizes[0]!, sizes[1]!, sizes[2]!)
    } else {
      guard let monomial, monomial >= 1 else { throw ValidationError("--monomial needs a degree ≥ 1") }
      guard monomial <= PolynomialParser.maximumVariable else {
        throw ValidationError("--monomial \(monomial): d beyond \(PolynomialParser.maximumVariable) features, more than any method handles")
      }
      p = .monomial(degree: monomial)
    }
    var x: [Rational]? = nil
    if let point {
      let texts = point.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
      let values = texts.map { Rational($0) }
      if let bad = values.firstIndex(where: { $0 == nil }) {
        throw ValidationError("--point: coordinate \(bad + 1), '\(texts[bad])', is not a rational: write p/q, an integer, or a decimal "
          + "such as 0.25 or 1e-30 (exponent within ±\(Rational.decimalExponentLimit)), separated by commas")
      }
      guard values.count == p.dimension else { throw ValidationError("--point has \(values.count) coordinates but the polynomial has d = \(p.dimension)") }
      x = values.map { $0! }
    }
    return ErrorProgram(polynomial: p, point: x, kind: error)
  }
}

extension ErrorKind: @retroactive ExpressibleByArgument {}
extension SolveMethod: @retroactive ExpressibleByArgument {}

extension TheoryCommand {
  struct Bound: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "OPT = min over feature-wise attributions α of Σ_S |b_S − Σ_{i∈S} α_i|, exactly.",
      discussion: """
        Solves the dual linear program exactly — an exact dual simplex in integer and GMP \
        arithmetic by default, or GLPK followed by glp_exact with --method glpk — and verifies \
        the optimum in exact rational arithmetic before reporting it. Polynomials whose supports \
        are unions of blocks of interchangeable features are reduced by symmetry (d in the \
        hundreds). --certificate writes the proof (λ, α, OPT) as JSON; `sann theory verify` \
        re-checks it with GMP alone.
        """)

    @OptionGroup var instance: PolynomialOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Write the certificate to this file.")
    var certificate: String?

    func run() throws {
      let program = try instance.program()
      let start = Date()
      let solution = try instance.solve(program)
      let seconds = Date().timeIntervalSince(start)
      if let certificate {
        try AtomicFile.write(try solution.certificate().encoded(), to: URL(fileURLWithPath: certificate))
      }
      if json {
        let object: [String: Any] = [
          "d": program.dimension, "error": program.kind.rawValue, "optimum": solution.optimum.description, "method": solution.program, "solver": solution.solver.name,
          "polynomial": program.polynomial.description, "alpha": solution.alpha.map(\.description), "seconds": seconds,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
      } else {
        print("polynomial \(program.polynomial)")
        print("d = \(program.dimension), \(program.kind.rawValue) error, feature-wise OPT = \(solution.optimum)"
          + (solution.optimum.isInteger ? "" : String(format: " ≈ %.6g", solution.optimum.doubleValue)))
        print("optimal α = (\(solution.alpha.map(\.description).joined(separator: ", ")))")
        print(String(format: "exact, verified (\(solution.program) program, \(solution.solver)); %.3f s", seconds) + (certificate.map { "; certificate \($0)" } ?? ""))
      }
    }
  }

  struct Verify: ParsableCommand {
    /// A catalogue index's format and entries, or nil when `file` is not one (a JSON object with
    /// a list of certificates and no polynomial of its own).
    static func index(_ file: String) -> (format: String?, entries: [[String: Any]])? {
      guard let data = FileManager.default.contents(atPath: file),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["polynomial"] == nil,
            let entries = object["certificates"] as? [[String: Any]] else { return nil }
      return (object["format"] as? String, entries)
    }

    static let configuration = CommandConfiguration(
      abstract: "Re-check certificates in exact arithmetic (no LP solver); exit 0 only if all hold.")

    @Argument(help: "Certificate files, and a catalogue's index.json (whose certificates are then checked against its entries, and verified even when not given).")
    var files: [String]

    func validate() throws {
      guard !files.isEmpty else { throw ValidationError("give at least one certificate file") }
    }

    func run() throws {
      var failures = 0
      func reject(_ file: String, _ reason: String) {
        failures += 1
        FileHandle.standardError.write(Data("\(file): REJECTED: \(reason)\n".utf8))
      }
      // Given with its certificates (`verify Proofs/*.json`) or alone, the catalogue's index is
      // checked too: each entry's file is there, verifies, and proves the instance and optimum
      // the entry records; a certificate beside the index that it does not list is reported.
      var listed: [String: [String: Any]] = [:]
      var indexDirectories: Set<String> = [], indexFiles: Set<String> = []
      let given = Set(files.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
      for file in files {
        guard let (format, entries) = Self.index(file) else { continue }
        indexFiles.insert(file)
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL
        indexDirectories.insert(directory.path)
        if format != CatalogueIndex.format && format != CatalogueIndex.shardFormat {
          reject(file, "its format is \(format.map { "'\($0)'" } ?? "missing"), not \(CatalogueIndex.format) (or a slice's \(CatalogueIndex.shardFormat)); "
            + "write it with `sann theory catalogue`")
        }
        if entries.isEmpty { reject(file, "lists no certificates, so nothing would be checked") }
        var names: Set<String> = []
        for entry in entries {
          guard let name = entry["file"] as? String, !name.isEmpty, !name.contains("/") else {
            reject(file, "an entry without a valid file name")
            continue
          }
          guard names.insert(name).inserted else {
            reject(file, "lists \(name) twice")
            continue
          }
          if let method = entry["method"], !["full", "symmetric"].contains("\(method)") {
            reject(file, "the entry of \(name) records method '\(method)', neither full nor symmetric")
          }
          listed[directory.appendingPathComponent(name).path] = entry
          if !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            reject(file, "lists \(name), which is not in \(directory.path)")
          }
        }
        // Certificates beside the index that it does not list, given or not.
        let beside = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
          .filter { $0.hasSuffix(".json") && $0 != "index.json" && !names.contains($0) }.sorted()
        for name in beside where !given.contains(directory.appendingPathComponent(name).path) {
          reject(directory.appendingPathComponent(name).path, "the index.json beside it does not list it (a certificate left over from another catalogue?)")
        }
      }
      // The index's certificates that were not given are verified as well.
      let unlisted = listed.keys.filter { !given.contains($0) && FileManager.default.fileExists(atPath: $0) }.sorted()
      for file in files + unlisted {
        if indexFiles.contains(file) {
          print("\(file): the catalogue's index; its entries are checked against their certificates")
          continue
        }
        let url = URL(fileURLWithPath: file).standardizedFileURL
        if let problem = FileProblem.beforeReading(url.path) {
          reject(file, "\(problem)")
          continue
        }
        do {
          let (optimum, groups) = try CertificateVerifier.verifyFile(at: url)
          if let entry = listed[url.path] {
            if let mismatch = CatalogueIndex.mismatch(url, entry: entry, optimum: optimum) {
              reject(file, mismatch)
              continue
            }
          } else if indexDirectories.contains(url.deletingLastPathComponent().path) {
            reject(file, "verifies, but the index.json beside it does not list it (a certificate left over from another catalogue?)")
            continue
          }
          print(groups ? "\(file): verified, group optimum (over the certificate's groups, not the feature-wise bound) = \(optimum)"
                       : "\(file): verified, OPT = \(optimum)")
        } catch {
          reject(file, "\(error)")
        }
      }
      if failures > 0 { throw ExitCode(1) }
    }
  }
}
