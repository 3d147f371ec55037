import Foundation
import PropertyBased
import Testing
@testable import Theory

@Suite("Symmetric certificates")
struct SymmetricCertificateTests {
  static func certificate(_ p: Polynomial, point: [Rational]? = nil, kind: ErrorKind) throws -> DualCertificate {
    let program = ErrorProgram(polynomial: p, point: point, kind: kind)
    let symmetric = SymmetricProgram(program: program)
    return DualCertificate(program: program, symmetric: try symmetric.solve(), structure: symmetric.structure)
  }

  @Test("λ per class round-trips through JSON and verifies with GMP alone (d = 90, both errors)")
  func roundTrip() throws {
    for kind in ErrorKind.allCases {
      let c = try Self.certificate(.binomial(30, 30, 30), kind: kind)
      #expect(c.blocks?.count == 3)
      let decoded = try DualCertificate.decode(try c.encoded())
      #expect(decoded == c)
      #expect(try CertificateVerifier.verify(decoded) == c.optimum)
    }
  }

  @Test("the class certificate proves the same optimum as the full program's (d = 9, non-unit point)")
  func agreesWithFull() throws {
    let p = try PolynomialParser.parse("x1 x2 x3 + 2 x3 x4 x5 x6 - 1/2 x7 x8 x9")
    let point = [Rational(2), 2, 2, Rational(1, 3), Rational(1, 3), Rational(1, 3), 1, 1, 5]
    for kind in ErrorKind.allCases {
      let c = try Self.certificate(p, point: point, kind: kind)
      let full = try ExactSimplexSolver.solve(ErrorProgram(polynomial: p, point: point, kind: kind))
      #expect(try CertificateVerifier.verify(c) == full.optimum)
    }
  }

  @Test("any altered instance or number is rejected, with the reason")
  func tampering() throws {
    let c = try Self.certificate(.binomial(6, 5, 4), kind: .deletion)
    var alterations: [(String, DualCertificate)] = []
    var x = c
    x.optimum = c.optimum + Rational(1, 1000)
    alterations.append(("optimum", x))
    x = c
    x.alpha[0] = c.alpha[0] + Rational(1, 7)
    alterations.append(("α of one feature (no longer constant on its block)", x))
    x = c
    for i in 0..<6 { x.alpha[i] = c.alpha[i] + Rational(1, 7) }
    alterations.append(("α of a whole block", x))
    x = c
    var codes = Array(try LambdaCodes.decode(c.lambda.signs, limit: 1 << 20).get())
    // Not the empty set's class: its λ is free (it has no features and b_∅ = 0).
    let flip = codes.lastIndex(of: UInt8(ascii: "+"))!
    #expect(flip > 0)
    codes[flip] = UInt8(ascii: "-")
    x.lambda.signs = LambdaCodes.encode(codes)
    alterations.append(("λ of one class", x))
    x = c
    x.lambda.signs = LambdaCodes.encode(codes.dropLast())
    alterations.append(("truncated λ", x))
    x = c
    x.blocks = [Array(1...11), Array(12...15)]
    alterations.append(("blocks (S1 and S2 merged)", x))
    x = c
    x.blocks = [Array(1...6), Array(7...11), Array(12...14)]
    alterations.append(("blocks (a feature left out)", x))
    x = c
    x.point[0] = 2
    alterations.append(("point (not constant on a block)", x))
    x = c
    x.polynomial = "x1 x2 x3 x4 x5 x6 x7 x8 x9 x10 x11 + 2 x7 x8 x9 x10 x11 x12 x13 x14 x15"
    alterations.append(("polynomial", x))
    x = c
    x.error = .insertion
    alterations.append(("error kind", x))
    x = c
    x.lambda.signs = "+[0]" + c.lambda.signs
    alterations.append(("malformed repeat count", x))
    x = c
    x.lambda.signs = "*" + String(c.lambda.signs.dropFirst())
    x.lambda.values["0"] = Rational(3, 2)
    alterations.append(("a λ outside [−1, 1]", x))
    for (what, altered) in alterations {
      #expect(throws: CertificateVerifier.Failure.self, "altering the \(what) was accepted") {
        try CertificateVerifier.verify(altered)
        Issue.record("altering the \(what) was accepted")
      }
    }
  }

  @Test("λ codes round-trip through the run-length text, including runs of zeros and long runs")
  func codesRoundTrip() async {
    let alphabet: [UInt8] = [UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0"), UInt8(ascii: "*")]
    await propertyCheck(count: 200, input: Gen.int(in: 0...3).array(of: 0...60), Gen.int(in: 1...40)) { symbols, stretch in
      // Stretch some symbols into runs so both the plain and the bracketed form occur.
      var codes: [UInt8] = []
      for (k, s) in symbols.enumerated() { codes += Array(repeating: alphabet[s], count: k % 3 == 0 ? stretch : 1) }
      let text = LambdaCodes.encode(codes)
      #expect((try? LambdaCodes.decode(text, limit: codes.count).get()) == codes, "\(text)")
    }
  }
}
