import Foundation
import Testing
import Theory
import TheoryChecks

@Suite("sann theory")
struct TheoryCommandTests {
  @Test("sizes no method handles are refused at once with the limit (they crashed, aborted on allocation or ran on); d ≥ 64 is printed as 2^d")
  func sizeLimits() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for (arguments, message) in [
      (["theory", "bound", "--monomial", "9223372036854775807"], "beyond 4096 features"),
      (["theory", "bound", "--monomial", "1000000"], "beyond 4096 features"),
      (["theory", "bound", "--binomial", "1000000000000000000,1,1"], "beyond 4096 features"),
      (["theory", "bound", "--binomial", "9223372036854775807,9223372036854775807,9223372036854775807"], "beyond 4096 features"),
      (["theory", "bound", "--polynomial", "x9223372036854775807"], "x1 … x4096"),
      (["theory", "bound", "--polynomial", "x1**2"], "a power"),
      (["theory", "reach", "--polynomial", "999999999999999 x399999999999999999"], "x1 … x4096"),
      (["theory", "reach", "--trained", "--polynomial", "x1 x4096"], "d = 4096"),
      (["theory", "catalogue", "--binomial-dimension", "1000000", "--output", directory.path], "--binomial-dimension must lie in 3...20"),
      (["theory", "catalogue", "--monomial-dimension", "1000", "--output", directory.path], "--monomial-dimension must lie in 1...20"),
    ] {
      let result = try SANNProcess.run(arguments)
      #expect(result.status != 0 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    let wide = try SANNProcess.run(["theory", "reach", "--polynomial", "x100"])
    #expect(wide.status == 0 && wide.stdout.contains("over all 2^100 subsets"), "\(wide.stdout.prefix(300)) \(wide.stderr)")
  }

  @Test("verify Proofs/*.json, as Proofs/README.md documents it, verifies every certificate against its index entry; the index alone verifies them all; a certificate filed under another instance, or beside an index that does not list it, is rejected")
  func verifyCatalogue() throws {
    let proofs = SANNProcess.repositoryRoot.appendingPathComponent("Proofs")
    let files = try FileManager.default.contentsOfDirectory(atPath: proofs.path).filter { $0.hasSuffix(".json") }.sorted()
    let result = try SANNProcess.run(["theory", "verify"] + files.map { proofs.appendingPathComponent($0).path })
    #expect(result.status == 0, "\(result.stderr.prefix(500))")
    #expect(result.stdout.contains("index.json: the catalogue's index; its entries are checked against their certificates"))
    #expect(result.stdout.components(separatedBy: ": verified, OPT = ").count - 1 == files.count - 1)
    let alone = try SANNProcess.run(["theory", "verify", proofs.appendingPathComponent("index.json").path])
    #expect(alone.status == 0 && alone.stdout.components(separatedBy: ": verified, OPT = ").count - 1 == files.count - 1, "\(alone.stderr.prefix(500))")
    // A valid certificate of another instance under an entry's name, and one the index does not list.
    let copy = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: copy) }
    for file in files { try FileManager.default.copyItem(at: proofs.appendingPathComponent(file), to: copy.appendingPathComponent(file)) }
    try FileManager.default.removeItem(at: copy.appendingPathComponent("binomial-3-3-3-insertion.json"))
    try FileManager.default.copyItem(at: proofs.appendingPathComponent("binomial-1-1-1-insertion.json"), to: copy.appendingPathComponent("binomial-3-3-3-insertion.json"))
    try FileManager.default.copyItem(at: proofs.appendingPathComponent("binomial-1-1-1-insertion.json"), to: copy.appendingPathComponent("extra.json"))
    let tampered = try SANNProcess.run(["theory", "verify"] + (files + ["extra.json"]).map { copy.appendingPathComponent($0).path })
    #expect(tampered.status == 1, "\(tampered.status)")
    #expect(tampered.stderr.contains("binomial-3-3-3-insertion.json: REJECTED: proves polynomial x1 x2 + x2 x3, but its index entry records"), "\(tampered.stderr)")
    #expect(tampered.stderr.contains("extra.json: REJECTED: verifies, but the index.json beside it does not list it"), "\(tampered.stderr)")
    // The index alone: a certificate beside it that it does not list is rejected too (a
    // catalogue of two certificates, to keep it quick).
    let small = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: small) }
    let index = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: proofs.appendingPathComponent("index.json"))) as? [String: Any])
    let entries = Array(try #require(index["certificates"] as? [[String: Any]]).prefix(2))
    for entry in entries {
      let name = try #require(entry["file"] as? String)
      try FileManager.default.copyItem(at: proofs.appendingPathComponent(name), to: small.appendingPathComponent(name))
    }
    let indexURL = small.appendingPathComponent("index.json")
    try JSONSerialization.data(withJSONObject: ["format": "sannkit.proofs-index/1", "certificates": entries]).write(to: indexURL)
    let two = try SANNProcess.run(["theory", "verify", indexURL.path])
    #expect(two.status == 0, "\(two.stderr)")
    try FileManager.default.copyItem(at: proofs.appendingPathComponent("monomial-3-deletion.json"), to: small.appendingPathComponent("extra.json"))
    let aloneExtra = try SANNProcess.run(["theory", "verify", indexURL.path])
    #expect(aloneExtra.status == 1 && aloneExtra.stderr.contains("extra.json: REJECTED: the index.json beside it does not list it"), "\(aloneExtra.stderr)")
    try FileManager.default.removeItem(at: small.appendingPathComponent("extra.json"))
    // An index of another format, listing an entry twice, of an unknown method, or listing nothing.
    var bogus = entries[0]
    bogus["method"] = "bogus"
    for (changed, message) in [(["format": "something-else/9", "certificates": entries], "its format is 'something-else/9'"),
                               (["certificates": entries], "its format is missing"),
                               (["format": "sannkit.proofs-index/1", "certificates": entries + [entries[0]]], "lists \(entries[0]["file"]!) twice"),
                               (["format": "sannkit.proofs-index/1", "certificates": [bogus, entries[1]]], "records method 'bogus'"),
                               (["format": "sannkit.proofs-index/1", "certificates": [[String: Any]]()], "lists no certificates")] as [([String: Any], String)] {
      try JSONSerialization.data(withJSONObject: changed).write(to: indexURL)
      let loose = try SANNProcess.run(["theory", "verify", indexURL.path])
      #expect(loose.status == 1 && loose.stderr.contains(message), "\(message): \(loose.stderr.prefix(400))")
    }
    // A certificate over groups verifies as a group optimum, never as the feature-wise bound.
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: proofs.appendingPathComponent("binomial-2-2-2-deletion.json"))) as? [String: Any])
    object["groups"] = (1...6).map { [$0] }
    let grouped = directory.appendingPathComponent("grouped.json")
    try JSONSerialization.data(withJSONObject: object).write(to: grouped)
    let verified = try SANNProcess.run(["theory", "verify", grouped.path])
    #expect(verified.status == 0 && verified.stdout.contains("verified, group optimum (over the certificate's groups, not the feature-wise bound) = 32"),
            "\(verified.stdout) \(verified.stderr)")
  }

  @Test("a symmetric program of millions of classes says up front how long and how much memory to expect")
  func largeInstanceEstimate() throws {
    // The note comes before any solving; the run itself (about half a minute) is stopped after 3 s.
    let result = try SANNProcess.runTool("/bin/bash", ["-c", "timeout -s KILL 3 '\(SANNProcess.executable.path)' theory bound --binomial 150,150,150 2>&1 >/dev/null | head -c 300"])
    #expect(result.stdout.contains("note: 3.4 million classes of subsets: expect roughly") && result.stdout.contains("GB"), "\(result.stdout)")
  }

  @Test("bound --json prints d, error, the exact optimum and the method")
  func boundJSON() throws {
    let result = try SANNProcess.run(["theory", "bound", "--binomial", "2,2,2", "--error", "deletion", "--json"])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(object["d"] as? Int == 6)
    #expect(object["error"] as? String == "deletion")
    #expect(object["optimum"] as? String == "32")
    #expect(object["method"] as? String == "full")
    #expect(object["solver"] as? String == "exact-simplex")
  }

  @Test("every method gives the same exact optimum; --method glpk reports the full program solved by GLPK")
  func methodsAgree() throws {
    var optima: [String: String] = [:]
    for method in ["full", "glpk", "symmetric"] {
      let result = try SANNProcess.run(["theory", "bound", "--binomial", "3,2,3", "--error", "insertion", "--method", method, "--json"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
      optima[method] = object["optimum"] as? String
      #expect(object["method"] as? String == (method == "symmetric" ? "symmetric" : "full"))
      #expect(object["solver"] as? String == (method == "glpk" ? "glpk" : "exact-simplex"))
    }
    #expect(Set(optima.values).count == 1, "\(optima)")
  }

  @Test("a point with 34-digit coordinates is solved exactly (rescaled exact simplex) and its certificate verifies")
  func largeDenominators() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let certificate = directory.appendingPathComponent("c.json").path
    let result = try SANNProcess.run(["theory", "bound", "--polynomial", "2 x1 x2 - x2 x3 + 1/2 x4",
                                      "--point", "0.1000000000000000055511151231257827,0.7,-1.3,0.25", "--json", "--certificate", certificate])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(object["optimum"] as? String == "91/25")
    #expect(object["solver"] as? String == "exact-simplex-rescaled")
    let verified = try SANNProcess.run(["theory", "verify", certificate])
    #expect(verified.status == 0 && verified.stdout.contains("OPT = 91/25"), "\(verified.stdout) \(verified.stderr)")
    // A leading minus needs no `=`; an empty coordinate is an error, not dropped.
    let negative = try SANNProcess.run(["theory", "bound", "--polynomial", "-3 x1 x2 + x2", "--point", "-1/3,1", "--json"])
    #expect(negative.status == 0, "stderr: \(negative.stderr)")
    let empty = try SANNProcess.run(["theory", "bound", "--polynomial", "x1 x2 x3", "--point", "1,,1"])
    #expect(empty.status != 0 && empty.stderr.contains("coordinate 2, '', is not a rational"), "stderr: \(empty.stderr)")
  }

  @Test("verify names a pipe or device as such, and a λ code it does not know as the character it is")
  func verifyMessages() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fifo = directory.appendingPathComponent("fifo")
    #expect(mkfifo(fifo.path, 0o600) == 0)
    var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: SANNProcess.repositoryRoot
      .appendingPathComponent("Proofs/binomial-1-1-1-insertion.json"))) as? [String: Any])
    var lambda = try #require(object["lambda"] as? [String: Any])
    lambda["signs"] = "--\u{2212}++--+"
    object["lambda"] = lambda
    let minus = directory.appendingPathComponent("minus.json")
    try JSONSerialization.data(withJSONObject: object).write(to: minus)
    let result = try SANNProcess.run(["theory", "verify", fifo.path, "/dev/null", minus.path])
    #expect(result.status == 1)
    #expect(result.stderr.contains("fifo: REJECTED: is not a regular file (a device, pipe or socket)"), "\(result.stderr)")
    #expect(result.stderr.contains("/dev/null: REJECTED: is not a regular file"), "\(result.stderr)")
    #expect(result.stderr.contains("λ has the unknown code '\u{2212}' at byte 3; its codes are +, -, 0 and *"), "\(result.stderr)")
  }

  @Test("a symmetric instance at d = 90 writes a certificate that verifies")
  func symmetricCertificate() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("sym.json")
    let bound = try SANNProcess.run(["theory", "bound", "--binomial", "30,30,30", "--error", "deletion", "--certificate", file.path, "--json"])
    #expect(bound.status == 0, "stderr: \(bound.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(bound.stdout.utf8)) as? [String: Any])
    #expect(object["method"] as? String == "symmetric")
    let verify = try SANNProcess.run(["theory", "verify", file.path])
    #expect(verify.status == 0, "stderr: \(verify.stderr)")
    #expect(verify.stdout.contains("OPT = \(object["optimum"] as? String ?? "?")"))
  }

  @Test("a written certificate verifies; an altered one is rejected with a non-zero exit")
  func certificateRoundTrip() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("c.json")
    let bound = try SANNProcess.run(["theory", "bound", "--polynomial", "2 x1 x2 - x2 x3 x4 + 1/2 x5", "--certificate", file.path])
    #expect(bound.status == 0, "stderr: \(bound.stderr)")
    let ok = try SANNProcess.run(["theory", "verify", file.path])
    #expect(ok.status == 0 && ok.stdout.contains("verified"))
    var text = try String(contentsOf: file, encoding: .utf8)
    text = text.replacingOccurrences(of: "\"optimum\" : \"", with: "\"optimum\" : \"1")
    let altered = directory.appendingPathComponent("altered.json")
    try text.write(to: altered, atomically: true, encoding: .utf8)
    let bad = try SANNProcess.run(["theory", "verify", file.path, altered.path, "/nonexistent.json"])
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("altered.json: REJECTED"))
    #expect(bad.stderr.contains("/nonexistent.json: REJECTED"))
  }

  @Test("reach prints zero group error beside the feature-wise optimum")
  func reach() throws {
    let result = try SANNProcess.run(["theory", "reach", "--binomial", "2,2,2", "--error", "deletion", "--json"])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(object["group_error"] as? String == "0")
    #expect(object["feature_wise_optimum"] as? String == "32")
  }

  @Test("malformed input gets a clear message and a non-zero exit")
  func badInput() throws {
    let cases: [([String], String)] = [
      (["--polynomial", "2 x1 y2"], "unknown token 'y2'"),
      (["--polynomial", "x0 x1"], "x0"),
      (["--polynomial", "x1 x2 x1"], "appears twice"),
      (["--polynomial", " "], "empty"),
      (["--monomial", "30", "--method", "full"], "too large"),
      (["--binomial", "1,2"], "three"),
      (["--binomial", "1,1,1", "--point", "1,2"], "coordinates"),
      (["--binomial", "1,1,1", "--point", "1,1e10000,1"], "coordinate 2, '1e10000', is not a rational: write p/q, an integer, or a decimal such as 0.25 or 1e-30 (exponent within ±9999)"),
      (["--binomial", "1,1,1", "--point", "1,2,x"], "coordinate 3, 'x', is not a rational"),
      (["--binomial", "-1,2,2"], "three non-negative block sizes a,b,c, got '-1,2,2'"),
      (["--polynomial", "x1", "--monomial", "3"], "exactly one"),
    ]
    for (arguments, expected) in cases {
      let result = try SANNProcess.run(["theory", "bound"] + arguments)
      #expect(result.status != 0, "\(arguments) was accepted")
      #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
    }
  }
}

@Suite("sann theory reach --trained")
struct TheoryReachTrainedCommandTests {
  @Test("bad input gets a clear message and a non-zero exit before any training")
  func badInput() throws {
    let cases: [([String], String)] = [
      (["--monomial", "17"], "pass --samples N"),
      (["--monomial", "12"], "pass --samples N"),
      (["--monomial", "21", "--samples", "100"], "done up to d = 20"),
      (["--polynomial", "x1^2 x2"], "multilinear"),
      (["--polynomial", "x1 x2 x1"], "multilinear"),
      (["--binomial", "2,2,2", "--point", "1,1"], "2 coordinates but the polynomial has d = 6"),
      (["--binomial", "2,2,2", "--samples", "3"], "--samples must lie in 16...1000000"),
      (["--binomial", "2,2,2", "--tau", "0"], "--tau must lie in (0, 1]"),
      (["--binomial", "2,2,2", "--sop-param", "groupz=3"], "sop has no hyperparameter 'groupz'"),
      (["--binomial", "2,2,2", "--sop-param", "tau"], "is not name=value"),
      (["--binomial", "2,2,2", "--models", "/nonexistent"], "/nonexistent/sop/model.safetensors does not exist"),
      (["--polynomial", "3"], "the polynomial has no variables"),
      (["--polynomial", "1e40 x1 x2"], "the coefficient 10000000000000000000000000000000000000000 is beyond what the models learn"),
      (["--polynomial", "1e20 x1 x2"], "p's value on training input 4, 1e+20, is beyond what the models learn"),
      (["--binomial", "0,0,0"], "the polynomial has no variables"),
      (["--binomial", "1,1,1", "--point", "1e40,1,1"], "coordinate 1 of --point"),
    ]
    for (arguments, expected) in cases {
      let result = try SANNProcess.run(["theory", "reach", "--trained", "--quiet"] + arguments)
      #expect(result.status != 0, "\(arguments) was accepted")
      #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
    }
    let untrained = try SANNProcess.run(["theory", "reach", "--binomial", "2,2,2", "--samples", "100"])
    #expect(untrained.status != 0 && untrained.stderr.contains("--samples applies to --trained only"), "\(untrained.stderr)")
  }

  @Test("a point so far from the cube that a trained model's output overflows Float is an error naming the model, not a crash")
  func overflowingPoint() throws {
    let result = try SANNProcess.run(["theory", "reach", "--trained", "--binomial", "1,1,1", "--point", "1e20,1,1", "--nr_epochs", "1",
                                      "--hidden_size", "8", "--quiet"])
    #expect(result.status == 1 && result.stderr.contains("give a point nearer the cube"), "\(result.status): \(result.stderr)")
  }

  @Test("a short run trains, saves and reloads the models, and its report recomputes; the reloaded models give the same report")
  func trainSaveReload() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let models = directory.appendingPathComponent("models").path
    let first = try SANNProcess.run(["theory", "reach", "--trained", "--binomial", "1,1,1", "--nr_epochs", "20", "--hidden_size", "16",
                                     "--quiet", "--json", "--save-models", models])
    #expect(first.status == 0, "stderr: \(first.stderr)")
    let report = try JSONDecoder().decode(ReachabilityReport.self, from: Data(first.stdout.utf8))
    #expect(report.methods.map(\.name) == ["sop", "nam", "inn", "shapley", "optimal-feature-wise"])
    #expect(report.optimum == Rational(2) && report.zeroErrorConstruction.isZero)
    #expect(try report.recheck().isEmpty)
    for name in ["nam", "inn", "shapley", "optimal-feature-wise"] { #expect(report.method(name)!.error >= report.optimum, "\(name)") }
    let again = try SANNProcess.run(["theory", "reach", "--trained", "--binomial", "1,1,1", "--models", models, "--json",
                                     "--report", directory.appendingPathComponent("report").path])
    #expect(again.status == 0, "stderr: \(again.stderr)")
    #expect(try JSONDecoder().decode(ReachabilityReport.self, from: Data(again.stdout.utf8)) == report)
    let written = try JSONDecoder().decode([ReachabilityReport].self, from: Data(contentsOf: directory.appendingPathComponent("report/report.json")))
    #expect(written.map(\.error) == [.insertion, .deletion] && written[0] == report)
    let svg = try String(contentsOf: directory.appendingPathComponent("report/error.svg"), encoding: .utf8)
    #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
    #expect(svg.contains("OPT = 2"))
  }
}

/// A slice index's format, as `sann theory catalogue --shard` writes it.
private enum CatalogueShardFormat { static let value = "sannkit.proofs-shard/1" }

@Suite("sann theory catalogue --shard and merge")
struct TheoryShardTests {
  static let range = ["--binomial-dimension", "5", "--monomial-dimension", "4", "--equal-blocks", "2"]

  static func files(_ directory: URL) throws -> [String: Data] {
    Dictionary(uniqueKeysWithValues: try FileManager.default.contentsOfDirectory(atPath: directory.path).map {
      ($0, try Data(contentsOf: directory.appendingPathComponent($0)))
    })
  }

  @Test("slices 1/3, 2/3, 3/3 merged (in any order) give the unsharded catalogue byte for byte; bad slices and merges write nothing")
  func shardAndMerge() throws {
    let root = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let whole = root.appendingPathComponent("whole")
    #expect(try SANNProcess.run(["theory", "catalogue"] + Self.range + ["--output", whole.path]).status == 0)
    var slices: [URL] = []
    for k in 1...3 {
      let slice = root.appendingPathComponent("slice\(k)")
      let result = try SANNProcess.run(["theory", "catalogue"] + Self.range + ["--shard", "\(k)/3", "--output", slice.path])
      #expect(result.status == 0, "\(result.stderr)")
      slices.append(slice)
    }
    let sizes = try slices.map { try FileManager.default.contentsOfDirectory(atPath: $0.path).count - 1 }
    let expected = try Self.files(whole)
    #expect(sizes.reduce(0, +) == expected.count - 1 && sizes.allSatisfy { $0 > 0 })
    let merged = root.appendingPathComponent("merged")
    let result = try SANNProcess.run(["theory", "merge", slices[2].path, slices[0].path, slices[1].path, "--output", merged.path])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try Self.files(merged) == expected)
    // Merged again into a folder that holds a stray certificate: it stays, and is named.
    let stray = merged.appendingPathComponent("stray-deletion.json")
    try FileManager.default.copyItem(at: SANNProcess.repositoryRoot.appendingPathComponent("Proofs/binomial-1-1-1-deletion.json"), to: stray)
    let again = try SANNProcess.run(["theory", "merge", slices[0].path, slices[1].path, slices[2].path, "--output", merged.path])
    #expect(again.status == 0 && again.stderr.contains("also holds 1 certificate file the new index does not list (stray-deletion.json)"), "\(again.stderr)")
    #expect(FileManager.default.fileExists(atPath: stray.path))
    try FileManager.default.removeItem(at: stray)

    // A block size given twice is one instance, listed once.
    let repeated = root.appendingPathComponent("repeated")
    #expect(try SANNProcess.run(["theory", "catalogue", "--binomial-dimension", "4", "--monomial-dimension", "2", "--equal-blocks", "2,2",
                                 "--output", repeated.path]).status == 0)
    let repeatedIndex = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: repeated.appendingPathComponent("index.json"))) as? [String: Any])
    let names = try #require(repeatedIndex["certificates"] as? [[String: Any]]).compactMap { $0["file"] as? String }
    #expect(names.count == Set(names).count && names.contains("binomial-2-2-2-deletion.json"), "\(names)")

    for shard in ["0/3", "4/3", "3", "a/b", "1/0"] {
      let bad = try SANNProcess.run(["theory", "catalogue"] + Self.range + ["--shard", shard, "--output", root.appendingPathComponent("bad").path])
      #expect(bad.status != 0 && bad.stderr.contains("--shard must be k/n"), "\(shard): \(bad.stderr)")
    }
    let missing = try SANNProcess.run(["theory", "merge", slices[0].path, slices[1].path, "--output", root.appendingPathComponent("bad").path])
    #expect(missing.status != 0 && missing.stderr.contains("slice 3/3 missing"), "\(missing.stderr)")
    let twice = try SANNProcess.run(["theory", "merge", slices[0].path, slices[0].path, slices[1].path, "--output", root.appendingPathComponent("bad").path])
    #expect(twice.status != 0 && twice.stderr.contains("given twice"), "\(twice.stderr)")
    let notSlice = try SANNProcess.run(["theory", "merge", whole.path, "--output", root.appendingPathComponent("bad").path])
    #expect(notSlice.status != 0 && notSlice.stderr.contains("not a slice's index"), "\(notSlice.stderr)")
    // A slice of a catalogue of other options, with as many instances: another catalogue.
    let foreign = root.appendingPathComponent("foreign")
    let other = ["--binomial-dimension", "5", "--monomial-dimension", "4", "--equal-blocks", "3"]
    #expect(try SANNProcess.run(["theory", "catalogue"] + other + ["--shard", "3/3", "--output", foreign.path]).status == 0)
    let mixed = try SANNProcess.run(["theory", "merge", slices[0].path, slices[1].path, foreign.path, "--output", root.appendingPathComponent("bad").path])
    #expect(mixed.status != 0 && mixed.stderr.contains("is slice 3/3 of the catalogue 'binomial-dimension 5, monomial-dimension 4, equal-blocks 3'")
            && mixed.stderr.contains("not slices of one catalogue"), "\(mixed.stderr)")
    // Merging into one of the slices would replace its index.
    let into = try SANNProcess.run(["theory", "merge"] + slices.map(\.path) + ["--output", slices[0].path])
    #expect(into.status != 0 && into.stderr.contains("is the slice"), "\(into.stderr)")
    let sliceIndex = try JSONSerialization.jsonObject(with: Data(contentsOf: slices[0].appendingPathComponent("index.json"))) as? [String: Any]
    #expect(sliceIndex?["format"] as? String == CatalogueShardFormat.value)
    // A valid certificate of another instance with the same optimum, under an entry's name.
    let swapped = try #require(try FileManager.default.contentsOfDirectory(atPath: slices[0].path).first { $0 != "index.json" })
    let swappedURL = slices[0].appendingPathComponent(swapped)
    let original = try Data(contentsOf: swappedURL)
    let fields = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
    let proofs = SANNProcess.repositoryRoot.appendingPathComponent("Proofs")
    let impostor = try #require(try FileManager.default.contentsOfDirectory(atPath: proofs.path).filter { $0.hasSuffix(".json") && $0 != "index.json" }.sorted()
      .map { proofs.appendingPathComponent($0) }.first { url in
        let other = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return other?["optimum"] as? String == fields["optimum"] as? String && other?["polynomial"] as? String != fields["polynomial"] as? String
      })
    try Data(contentsOf: impostor).write(to: swappedURL)
    let misfiled = try SANNProcess.run(["theory", "merge"] + slices.map(\.path) + ["--output", root.appendingPathComponent("bad").path])
    #expect(misfiled.status != 0 && misfiled.stderr.contains("\(swapped) proves polynomial"), "\(misfiled.stderr)")
    try original.write(to: swappedURL)
    // A certificate altered after its slice was written: merge rejects it.
    let victim = try #require(try FileManager.default.contentsOfDirectory(atPath: slices[1].path).first { $0 != "index.json" })
    let url = slices[1].appendingPathComponent(victim)
    let text = try String(contentsOf: url, encoding: .utf8)
    try text.replacingOccurrences(of: "\"optimum\" : \"", with: "\"optimum\" : \"1").write(to: url, atomically: true, encoding: .utf8)
    let tampered = try SANNProcess.run(["theory", "merge"] + slices.map(\.path) + ["--output", root.appendingPathComponent("bad").path])
    #expect(tampered.status != 0 && tampered.stderr.contains(victim), "\(tampered.stderr)")
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("bad").path))
  }
}
