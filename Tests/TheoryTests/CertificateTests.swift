import Foundation
import Testing
@testable import Theory

@Suite("Certificates")
struct CertificateTests {
  static func certificate() throws -> DualCertificate {
    let program = ErrorProgram(polynomial: .binomial(2, 2, 1), kind: .deletion)
    return DualCertificate(program: program, solution: try GLPKDualSolver.solve(program))
  }

  @Test("a certificate round-trips through JSON and verifies without the solver")
  func roundTrip() throws {
    let c = try Self.certificate()
    let decoded = try DualCertificate.decode(try c.encoded())
    #expect(decoded == c)
    #expect(try CertificateVerifier.verify(decoded) == c.optimum)
  }

  @Test("any altered number is rejected, with the reason")
  func tampering() throws {
    let c = try Self.certificate()
    var alterations: [(String, DualCertificate)] = []
    var x = c
    x.optimum = c.optimum + Rational(1, 1000)
    alterations.append(("optimum", x))
    x = c
    x.alpha[0] = c.alpha[0] + Rational(1, 7)
    alterations.append(("alpha", x))
    x = c
    var signs = Array(c.lambda.signs)
    let flip = signs.firstIndex(where: { $0 == "+" })!
    signs[flip] = "-"
    x.lambda.signs = String(signs)
    alterations.append(("lambda sign", x))
    x = c
    x.polynomial = "x1 x2 x3 x4 + 2 x3 x4 x5"
    alterations.append(("polynomial", x))
    x = c
    x.point[0] = 2
    alterations.append(("point", x))
    x = c
    x.error = .insertion
    alterations.append(("error kind", x))
    x = c
    x.lambda.signs.removeLast()
    alterations.append(("truncated lambda", x))
    for (what, altered) in alterations {
      #expect(throws: CertificateVerifier.Failure.self, "altering the \(what) was accepted") { try CertificateVerifier.verify(altered) }
    }
  }

  @Test("an unreadable file is rejected with its path")
  func unreadable() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-certificate-\(UUID()).json")
    try Data("{\"hello\": 1}".utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    do {
      try CertificateVerifier.verify(fileAt: url)
      Issue.record("accepted")
    } catch let failure as CertificateVerifier.Failure {
      #expect(failure.reason.contains(url.path))
    }
  }

  @Test("a key repeated in one object is refused (readers disagree on which copy counts); the same key in different objects, or inside strings, is not a repeat")
  func duplicateKeys() throws {
    let catalogue = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Proofs/binomial-2-2-2-deletion.json")
    let text = try String(contentsOf: catalogue, encoding: .utf8)
    #expect(JSONKeyCheck.firstDuplicate(in: Array(text.utf8)) == nil)
    #expect(JSONKeyCheck.firstDuplicate(in: Array(#"{"a": {"b": 1}, "c": {"b": 2}, "d": [{"b": 1}, {"b": 2}], "e": "\"a\": {"}"#.utf8)) == nil)
    #expect(JSONKeyCheck.firstDuplicate(in: Array(#"{"a": 1, "b": {"x": "}", "x": 2}}"#.utf8))?.key == "x")
    #expect(JSONKeyCheck.firstDuplicate(in: Array(#"{"a\"b": 1, "a\"b": 2}"#.utf8))?.key == #"a\"b"#)
    // The catalogue certificate with a second "optimum" (Foundation would read the first).
    let doubled = text.replacingOccurrences(of: "{", with: "{\"optimum\": \"0\", ", options: [], range: text.range(of: "{"))
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("doubled-\(UUID()).json")
    try Data(doubled.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    do {
      try CertificateVerifier.verify(fileAt: url)
      Issue.record("accepted")
    } catch let failure as CertificateVerifier.Failure {
      #expect(failure.reason.contains("repeats the key \"optimum\""), "\(failure)")
    }
  }

  @Test("blocks that do not partition the features (an index of Int.min overflowed) are a Failure, not a trap")
  func badBlocks() throws {
    let catalogue = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Proofs/binomial-5-5-5-deletion.json")
    let good = try DualCertificate.decode(Data(contentsOf: catalogue))
    #expect(try CertificateVerifier.verify(good) == good.optimum)
    for blocks in [[[Int.min]], [[0, 1, 2, 3, 4], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]], [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14]],
                   [[1, 2, 3, 4, 5, 6], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]], [[1, 2, 3, 4, 5], [], [6, 7, 8, 9, 10, 11, 12, 13, 14, 15]]] {
      var altered = good
      altered.blocks = blocks
      #expect(throws: CertificateVerifier.Failure.self, "\(blocks)") { try CertificateVerifier.verify(altered) }
    }
  }

  @Test("a certificate file over 16 MB is refused before it is read (a padded one took a minute and 1.7 GB)")
  func oversized() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("padded-\(UUID()).json")
    defer { try? FileManager.default.removeItem(at: url) }
    try Data(repeating: 0x20, count: CertificateVerifier.maximumFileSize + 1).write(to: url)
    do {
      try CertificateVerifier.verify(fileAt: url)
      Issue.record("accepted")
    } catch let failure as CertificateVerifier.Failure {
      // The size check's own message: the file was refused before it was read or decoded.
      #expect(failure.reason.contains("more than the \(CertificateVerifier.maximumFileSize) a certificate may have"))
    }
  }

  @Test("groups equal to the terms give zero error, feature-wise attributions do not",
        arguments: ["x1 x2 + x2 x3", "2 x1 x2 - x2 x3 x4 + 1/2 x5 + 3", "x1 x2 x3 x4 x5 x6", "x1 - x2 + 3 x1 x3"])
  func reachability(text: String) throws {
    let p = try PolynomialParser.parse(text)
    for kind in ErrorKind.allCases {
      let program = ErrorProgram(polynomial: p, kind: kind)
      #expect(ZeroErrorCheck.groupError(program) == .zero)
    }
    // A random feature-wise attribution is not exact on the non-linear ones.
    if p.terms.contains(where: { $0.support.count > 1 }) {
      let program = ErrorProgram(polynomial: p, kind: .insertion)
      #expect(program.error(scores: Array(repeating: Rational(1, 3), count: p.dimension)) > .zero)
    }
  }

  @Test("malformed polynomials are rejected with a reason")
  func parserErrors() {
    #expect(throws: PolynomialParser.ParseError.empty) { try PolynomialParser.parse("  ") }
    #expect(throws: PolynomialParser.ParseError.zeroVariable(position: 0)) { try PolynomialParser.parse("x0 x1") }
    #expect(throws: PolynomialParser.ParseError.repeatedVariable("x1", position: 5)) { try PolynomialParser.parse("2 x1 x1") }
    #expect(throws: PolynomialParser.ParseError.self) { try PolynomialParser.parse("2 y1") }
    #expect(throws: PolynomialParser.ParseError.self) { try PolynomialParser.parse("x1 +") }
    #expect((try? PolynomialParser.parse("2*x1*x2 - 1/2 x3"))?.description == "2 x1 x2 - 1/2 x3")
    // Nothing is read as something else.
    for (text, message) in [
      ("x1**2", "a power '**2'"), ("x1^2", "a power '^2'"), ("x1.5", "'x1.5' at character 1"), ("2 x3y", "'x3y'"),
      ("0x10 x1", "hexadecimal"), ("x9223372036854775807", "variables are numbered x1 … x4096"), ("x4097", "x1 … x4096"),
      ("x1 *", "a '*' at character 4 lacks a factor"), ("x1 * * x2", "a '*' at character 4 lacks a factor"), ("x", "a variable is x followed by a whole number"),
    ] {
      do {
        let p = try PolynomialParser.parse(text)
        Issue.record("'\(text)' parsed as \(p)")
      } catch let error as PolynomialParser.ParseError {
        #expect("\(error)".contains(message), "'\(text)': \(error)")
      } catch {
        Issue.record("'\(text)': \(error)")
      }
    }
    #expect((try? PolynomialParser.parse("1e-5 x1 + 2.5E+1 x2 x3"))?.description == "1/100000 x1 + 25 x2 x3")
    // An exponent of Int.min trapped in abs (found by the fuzz suite).
    #expect(throws: PolynomialParser.ParseError.self) { try PolynomialParser.parse("1e-9223372036854775808 x1") }
    #expect(Rational("1e-9223372036854775808") == nil && Rational("2e9999") != nil)
    #expect((try? PolynomialParser.parse("x4096"))?.dimension == 4096)
    #expect((try? PolynomialParser.parse("-x1+x2*x3"))?.description == "-x1 + x2 x3")
    // The typeset minus sign is a minus.
    #expect((try? PolynomialParser.parse("\u{2212}x1 + x2 \u{2212} 1/2 x3"))?.description == "-x1 + x2 - 1/2 x3")
  }
}
