import Foundation
import Testing
import Theory

/// Re-verifies every certificate under Proofs/ in exact arithmetic on every `swift test`, and
/// re-solves the small instances to check the catalogue still matches the solver.
@Suite("Proofs catalogue")
struct ProofsCatalogueTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Proofs")

  struct Entry: Decodable {
    let file: String
    let polynomial: String
    let d: Int
    let error: ErrorKind
    let optimum: Rational
    let method: String
  }

  struct Index: Decodable {
    let format: String
    let certificates: [Entry]
  }

  static func index() throws -> Index {
    try JSONDecoder().decode(Index.self, from: Data(contentsOf: directory.appendingPathComponent("index.json")))
  }

  @Test("the index lists every certificate file, and every file is listed")
  func indexComplete() throws {
    let index = try Self.index()
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".json") && $0 != "index.json" }
    #expect(Set(index.certificates.map(\.file)) == Set(files))
    #expect(index.certificates.count >= 400)
  }

  @Test("every certificate verifies exactly and proves the optimum the index states")
  func everyCertificateVerifies() async throws {
    let entries = try Self.index().certificates
    try await withThrowingTaskGroup(of: Void.self) { group in
      for chunk in stride(from: 0, to: entries.count, by: 64).map({ Array(entries[$0..<Swift.min($0 + 64, entries.count)]) }) {
        group.addTask {
          for entry in chunk {
            let certificate = try DualCertificate.decode(Data(contentsOf: Self.directory.appendingPathComponent(entry.file)))
            #expect(certificate.optimum == entry.optimum, "\(entry.file)")
            #expect(certificate.polynomial == entry.polynomial && certificate.error == entry.error && certificate.dimension == entry.d)
            #expect(try CertificateVerifier.verify(certificate) == entry.optimum, "\(entry.file)")
          }
        }
      }
      try await group.waitForAll()
    }
  }

  @Test("small instances still solve to the catalogued optimum (GLPK for the full ones, the reduction for the symmetric ones)")
  func matchesSolver() throws {
    for entry in try Self.index().certificates where entry.d <= 8 || (entry.method == "symmetric" && entry.d <= 30) {
      let program = ErrorProgram(polynomial: try PolynomialParser.parse(entry.polynomial, dimension: entry.d), kind: entry.error)
      let solved = entry.method == "symmetric" ? try SymmetricProgram(program: program).solve().optimum : try GLPKDualSolver.solve(program).optimum
      #expect(solved == entry.optimum, "\(entry.file)")
    }
  }

  @Test("the catalogue holds the equal-block binomials up to d = 300, certified through the classes")
  func equalBlocks() throws {
    let symmetric = try Self.index().certificates.filter { $0.method == "symmetric" }
    #expect(symmetric.contains { $0.file == "binomial-100-100-100-insertion.json" && $0.d == 300 })
    #expect(symmetric.contains { $0.file == "binomial-100-100-100-deletion.json" && $0.d == 300 })
    // Equal-block insertion: OPT = 2^(n+1) for n ≥ 2 (the pattern the catalogue shows).
    for entry in symmetric where entry.error == .insertion {
      let n = entry.d / 3
      #expect(entry.optimum == Rational(BigInt.power(2, n + 1)), "\(entry.file)")
    }
  }

  @Test("the catalogue shows the closed forms: monomial deletion C(d, ⌊d/2⌋) − 1, binomial (1,1,1) 2 and (2,2,2) 8 / 32")
  func closedForms() throws {
    let entries = try Self.index().certificates
    for entry in entries where entry.file.hasPrefix("monomial-") && entry.d >= 2 {
      #expect(entry.optimum == Rational(BigInt.binomial(entry.d, entry.d / 2)) - 1, "\(entry.file)")
    }
    let optimum = Dictionary(uniqueKeysWithValues: entries.map { ($0.file, $0.optimum) })
    #expect(optimum["binomial-1-1-1-insertion.json"] == 2)
    #expect(optimum["binomial-1-1-1-deletion.json"] == 2)
    #expect(optimum["binomial-2-2-2-insertion.json"] == 8)
    #expect(optimum["binomial-2-2-2-deletion.json"] == 32)
  }
}
