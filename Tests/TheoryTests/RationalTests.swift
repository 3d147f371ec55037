import Foundation
import PropertyBased
import Testing
import Theory

@Suite("Rational and BigInt")
struct RationalTests {
  static let small = Gen.int(in: -50...50)
  static let positive = Gen.int(in: 1...50)

  @Test("field laws: associativity, commutativity, distributivity, inverses")
  func fieldLaws() async {
    await propertyCheck(count: 200, input: Self.small, Self.positive, Self.small, Self.positive, Self.small, Self.positive) { a, b, c, d, e, f in
      let x = Rational(a, b), y = Rational(c, d), z = Rational(e, f)
      #expect((x + y) + z == x + (y + z))
      #expect((x * y) * z == x * (y * z))
      #expect(x + y == y + x && x * y == y * x)
      #expect(x * (y + z) == x * y + x * z)
      #expect(x + (-x) == .zero && x - x == .zero)
      if !x.isZero { #expect(x * (Rational.one / x) == .one) }
    }
  }

  @Test("agrees with Double where Double is exact, and orders like it")
  func agreesWithDouble() async {
    await propertyCheck(count: 200, input: Self.small, Gen.int(in: 0...10), Self.small, Gen.int(in: 0...10)) { a, p, c, q in
      // a/2^p and c/2^q are exact in Double, and so are their sums and products here.
      let x = Rational(a, 1 << p), y = Rational(c, 1 << q)
      let dx = Double(a) / Double(1 << p), dy = Double(c) / Double(1 << q)
      #expect((x + y).doubleValue == dx + dy)
      #expect((x * y).doubleValue == dx * dy)
      #expect((x < y) == (dx < dy))
      #expect(Rational(exactly: dx) == x)
    }
  }

  @Test("parsing and printing round-trip, in lowest terms")
  func text() throws {
    #expect(Rational("6/-4") == nil || Rational("6/-4") == Rational(-3, 2))
    #expect(Rational("6/4")?.description == "3/2")
    #expect(Rational("-12")?.description == "-12")
    #expect(Rational("0.25") == Rational(1, 4))
    #expect(Rational("-1.5e-3") == Rational(-3, 2000))
    #expect(Rational("1/0") == nil)
    #expect(Rational("x") == nil)
    #expect(Rational("") == nil)
    let huge = try #require(Rational("123456789012345678901234567891/7"))
    #expect(huge.description == "123456789012345678901234567891/7")
    let data = try JSONEncoder().encode([huge])
    #expect(try JSONDecoder().decode([Rational].self, from: data) == [huge])
    #expect(Set([Rational(1, 2), Rational(2, 4), Rational(3, 6)]).count == 1)
  }

  @Test("BigInt: binomial coefficients and powers beyond 64 bits")
  func bigInt() {
    #expect(BigInt.binomial(10, 5) == 252)
    #expect(BigInt.binomial(300, 150).decimalDigits == 89)
    #expect(BigInt.power(10, 30).description == "1" + String(repeating: "0", count: 30))
    #expect(BigInt("-42")?.intValue == -42)
    #expect(BigInt("4x") == nil)
  }

  @Test("no growth in resident memory over a million operations (GMP memory is released)")
  func noLeak() {
    func resident() -> Int {
      let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
      return text.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
    }
    var x = Rational(1, 3)
    for _ in 0..<100_000 { x = (x * Rational(7, 5) + 1) / Rational(7, 5) - Rational(1, 1000) }
    let before = resident()
    for _ in 0..<1_000_000 { x = (x * Rational(7, 5) + 1) / Rational(7, 5) - Rational(1, 1000) }
    // Each iteration allocates four numbers of a few hundred bytes: a leak would add > 1 GB.
    #expect(resident() - before < 50_000, "resident memory grew by \(resident() - before) KiB")
  }
}
