// Mutations of valid polynomials and certificates: each parses, or is refused with the typed
// error; none traps or runs on. Budget and seed: FUZZ_SECONDS, FUZZ_SEED (TestSupport/Fuzz.swift).

import Foundation
import Testing
import Theory
import TestSupport

@Suite("Fuzz: polynomial and certificate parsers")
struct TheoryParserFuzzTests {
  @Test("mutated polynomials parse or throw ParseError; what parses prints and re-parses to itself")
  func polynomials() throws {
    let seeds = ["2 x1 x2 - x2 x3 x4 + 1/2 x5", "x1 x2 + x2 x3", "-x1*x2 + 1e-5 x3 - 0.25", "3", "x12 x4096 - 7/3 x1"].map { Array($0.utf8) }
    let cases = try fuzz("polynomial", seeds: seeds) { bytes in
      let text = String(decoding: bytes, as: UTF8.self)
      do {
        let p = try PolynomialParser.parse(text)
        #expect(p.dimension <= PolynomialParser.maximumVariable)
        let again = try PolynomialParser.parse(p.description, dimension: p.dimension)
        #expect(again == p, "'\(text)' → '\(p)' → '\(again)'")
      } catch is PolynomialParser.ParseError {}
    }
    #expect(cases > 100)
  }

  @Test("mutated certificates verify to their optimum or are refused with a Failure, never trap")
  func certificates() throws {
    let proofs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Proofs")
    let seeds = try ["binomial-1-1-1-insertion.json", "binomial-2-1-2-deletion.json", "binomial-5-5-5-deletion.json", "monomial-4-deletion.json"]
      .map { [UInt8](try Data(contentsOf: proofs.appendingPathComponent($0))) }
    let directory = try makeTemporaryDirectory("certificate-fuzz")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("c.json")
    let cases = try fuzz("certificate", seeds: seeds) { bytes in
      try Data(bytes).write(to: url)
      do { _ = try CertificateVerifier.verifyFile(at: url) } catch is CertificateVerifier.Failure {}
    }
    #expect(cases > 20)
  }
}
