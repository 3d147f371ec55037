// Mutations of the bundled CSV and ARFF files' first lines: each parses into a table, or is
// refused with DatasetError; none traps. Budget and seed: FUZZ_SECONDS, FUZZ_SEED.

import Foundation
import Models
import Testing
import TestSupport

@Suite("Fuzz: CSV and ARFF readers")
struct DataFuzzTests {
  static func head(_ file: String, lines: Int) throws -> [UInt8] {
    let url = try #require(DatasetLocator.bundledDirectory).appendingPathComponent(file)
    let text = try String(contentsOf: url, encoding: .utf8)
    return Array(text.split(separator: "\n", omittingEmptySubsequences: false).prefix(lines).joined(separator: "\n").utf8)
  }

  @Test("mutated CSV and ARFF text reads as a table or throws DatasetError; what reads prepares or throws DatasetError")
  func readers() throws {
    let csv = [try Self.head("61-iris.csv", lines: 25), try Self.head("187-wine.csv", lines: 12)]
    let arff = [try Self.head("31-credit-g.arff", lines: 60)]
    for (name, seeds, parse) in [
      ("csv", csv, { (text: String) throws -> DataTable in try CSVReader.parse(text, source: "f.csv") }),
      ("arff", arff, { (text: String) throws -> DataTable in try ARFFReader.parse(text, source: "f.arff") }),
    ] {
      let cases = try fuzz(name, seeds: seeds) { bytes in
        do {
          let table = try parse(String(decoding: bytes, as: UTF8.self))
          _ = try? PreparedDataset.prepare(table, name: "f", target: nil, regression: false, testFraction: 0.25, seed: 0)
        } catch is DatasetError {}
      }
      #expect(cases > 20, "\(name)")
    }
  }
}
