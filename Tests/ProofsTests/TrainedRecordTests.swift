import Foundation
import Models
import Testing
import Theory
import TheoryChecks

/// Proofs/trained/: Sum-of-Parts, NAM and INN trained on the binomials (2,2,2) and (3,3,3)
/// (`sann theory reach --trained --binomial a,b,c --seed 0 --save-models …/models --report …`),
/// and the report of their check. Every `swift test` recomputes each error exactly from the
/// committed models and compares it with the record, as the certificates are re-verified
/// (the errors are exact for the models' Floats; the Floats match the record's bit for bit in a
/// release build, and to Float rounding in a debug one).
@Suite("Proofs: trained models against the bounds")
struct TrainedRecordTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Proofs/trained")

  static let instances = ["binomial-2-2-2": Polynomial.binomial(2, 2, 2), "binomial-3-3-3": Polynomial.binomial(3, 3, 3)]

  static func record(_ name: String) throws -> [ReachabilityReport] {
    try JSONDecoder().decode([ReachabilityReport].self, from: Data(contentsOf: directory.appendingPathComponent("\(name)/report.json")))
  }

  @Test("the recorded errors recompute exactly from the recorded groups and scores alone", arguments: instances.keys.sorted())
  func recordRechecks(_ name: String) throws {
    let reports = try Self.record(name)
    #expect(reports.map(\.error) == [.insertion, .deletion])
    for report in reports {
      #expect(try report.recheck().isEmpty, "\(name) \(report.error)")
      #expect(report.polynomial == Self.instances[name]!.description)
      // Feature-wise attributions cannot go below OPT; the optimal one is at it.
      for method in report.methods where method.kind == "feature-wise" { #expect(method.error >= report.optimum, "\(name) \(method.name)") }
      #expect(report.method("optimal-feature-wise")?.error == report.optimum)
      #expect(report.zeroErrorConstruction.isZero)
    }
  }

  /// Whether two exact values are the same up to Float rounding: equal in a release build, the
  /// build that wrote the record; within 1e-5 relative in a debug build, whose unoptimised
  /// kernels round some sums differently in the last bit.
  /// `scale`: how many rounded terms the value sums (an error sums |b_S − a_S·c| over 2^d
  /// subsets, so a score's last-bit difference reaches it up to 2^d times).
  static func agree(_ a: Rational, _ b: Rational, scale: Double = 1) -> Bool {
    #if DEBUG
    return ((a - b).magnitude.doubleValue) <= 1e-5 * (scale + b.magnitude.doubleValue)
    #else
    return a == b
    #endif
  }

  @Test("the committed models give the recorded scores and errors again (exactly, in a release build)", arguments: instances.keys.sorted())
  func modelsReproduceRecord(_ name: String) throws {
    let models = try TrainedModels.names.map { model in
      (model, try ModelFile.load(from: Self.directory.appendingPathComponent("\(name)/models/\(model)/model.safetensors")).ensemble.model)
    }
    let p = try #require(Self.instances[name])
    for recorded in try Self.record(name) {
      let again = try ReachabilityCheck.evaluate(p, point: recorded.point, kind: recorded.error, models: models)
      #expect(again.methods.map(\.name) == recorded.methods.map(\.name) && again.optimum == recorded.optimum)
      for (a, b) in zip(again.methods, recorded.methods) {
        let context = "\(name) \(recorded.error) \(a.name)"
        #expect(a.groups == b.groups, "\(context): the groups differ from the record")
        #expect(a.scores.count == b.scores.count && zip(a.scores, b.scores).allSatisfy { Self.agree($0, $1) }, "\(context): \(a.scores) vs \(b.scores)")
        let subsets = Double(1 << recorded.point.count)
        #expect(Self.agree(a.error, b.error, scale: subsets), "\(context): error \(a.error) vs recorded \(b.error)")
        if let e = a.modelError, let r = b.modelError { #expect(Self.agree(e, r, scale: subsets), "\(context): model error \(e) vs recorded \(r)") }
        #expect((a.modelError == nil) == (b.modelError == nil))
        // Whichever side of OPT the record puts the method on, the models do too.
        #expect((a.error < again.optimum) == (b.error < recorded.optimum), "\(context)")
      }
    }
  }

  @Test("the trained Sum-of-Parts goes below the feature-wise bound on both binomials, insertion and deletion")
  func sumOfPartsBelowBound() throws {
    for name in Self.instances.keys.sorted() {
      for report in try Self.record(name) {
        let sop = try #require(report.method("sop"))
        #expect(sop.kind == "group" && sop.error < report.optimum, "\(name) \(report.error): \(sop.error) ≥ OPT \(report.optimum)")
      }
    }
  }
}
