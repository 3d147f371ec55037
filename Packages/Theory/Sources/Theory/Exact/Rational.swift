import CGMP
import Foundation

/// An exact rational number p/q (q > 0, in lowest terms), backed by GMP's `mpq_t`.
///
/// A value type over immutable shared storage; arithmetic never rounds and never overflows.
/// Printed and parsed as "p/q" or "p" (also accepts decimals such as "0.25" and "-1.5e-3" when
/// parsing), and Codable as that string so certificates keep every digit.
///
/// ```swift
/// let x = Rational(1, 3) + Rational(1, 6)   // 1/2
/// Rational("7/14") == Rational(1, 2)        // true
/// ```
public struct Rational: Sendable {
  final class Storage: @unchecked Sendable {
    // Written only while an operation creates it, immutable afterwards.
    let pointer: UnsafeMutablePointer<__mpq_struct>

    init() {
      pointer = .allocate(capacity: 1)
      __gmpq_init(pointer)
    }

    deinit {
      __gmpq_clear(pointer)
      pointer.deallocate()
    }
  }

  var storage: Storage

  init(storage: Storage) { self.storage = storage }

  /// An integer.
  public init(_ value: Int) {
    storage = Storage()
    __gmpq_set_si(storage.pointer, value, 1)
  }

  /// numerator/denominator, reduced. - Precondition: denominator ≠ 0.
  public init(_ numerator: Int, _ denominator: Int) {
    precondition(denominator != 0, "Rational: zero denominator")
    storage = Storage()
    let sign = denominator < 0 ? -1 : 1
    __gmpq_set_si(storage.pointer, sign * numerator, UInt(denominator.magnitude))
    __gmpq_canonicalize(storage.pointer)
  }

  /// An integer given as a BigInt.
  public init(_ value: BigInt) {
    storage = Storage()
    __gmpq_set_z(storage.pointer, value.storage.pointer)
  }

  /// numerator/denominator with big integers, reduced. - Precondition: denominator ≠ 0.
  public init(numerator: BigInt, denominator: BigInt) {
    precondition(!denominator.isZero, "Rational: zero denominator")
    storage = Storage()
    __gmpz_set(sann_mpq_numref(storage.pointer), numerator.storage.pointer)
    __gmpz_set(sann_mpq_denref(storage.pointer), denominator.storage.pointer)
    __gmpq_canonicalize(storage.pointer)
  }

  /// The exact value of a finite Double (every Double is a dyadic rational).
  public init?(exactly value: Double) {
    guard value.isFinite else { return nil }
    storage = Storage()
    __gmpq_set_d(storage.pointer, value)
  }

  /// The largest decimal exponent ``init(_:)`` reads (1e9999; 1e10000 is refused): beyond it
  /// the digits alone would take tens of kilobytes.
  public static let decimalExponentLimit = 9_999

  /// Parses "p/q", "p", or a decimal "1.25" / "-2.5e-3" (exponent at most
  /// ``decimalExponentLimit`` either way); nil for anything else (or q = 0).
  public init?(_ text: String) {
    let s = text.trimmingCharacters(in: .whitespaces)
    guard !s.isEmpty else { return nil }
    if let slash = s.firstIndex(of: "/") {
      guard let p = BigInt(String(s[..<slash])), let q = BigInt(String(s[s.index(after: slash)...])), !q.isZero else { return nil }
      self.init(numerator: p, denominator: q)
      return
    }
    if let p = BigInt(s) {
      self.init(p)
      return
    }
    guard let decimal = Rational.parseDecimal(s) else { return nil }
    self = decimal
  }

  private static func parseDecimal(_ s: String) -> Rational? {
    var mantissa = s
    var exponent = 0
    if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      // The range first: abs(Int.min) traps (1e-9223372036854775808, found by the fuzzer).
      guard let x = Int(s[s.index(after: e)...]), x >= -decimalExponentLimit && x <= decimalExponentLimit else { return nil }
      exponent = x
      mantissa = String(s[..<e])
    }
    let negative = mantissa.hasPrefix("-")
    if negative || mantissa.hasPrefix("+") { mantissa.removeFirst() }
    let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
          parts.contains(where: { !$0.isEmpty }) else { return nil }
    let digits = parts.joined()
    let fraction = parts.count == 2 ? parts[1].count : 0
    guard let integer = BigInt((negative ? "-" : "") + (digits.isEmpty ? "0" : digits)) else { return nil }
    let shift = exponent - fraction
    let power = BigInt.power(10, Swift.abs(shift))
    return shift >= 0 ? Rational(integer * power) : Rational(numerator: integer, denominator: power)
  }

  // MARK: Parts

  public var numerator: BigInt {
    let result = BigInt()
    __gmpz_set(result.storage.pointer, sann_mpq_numref(storage.pointer))
    return result
  }

  public var denominator: BigInt {
    let result = BigInt()
    __gmpz_set(result.storage.pointer, sann_mpq_denref(storage.pointer))
    return result
  }

  /// −1, 0 or 1.
  public var sign: Int { Int(sann_mpq_sgn(storage.pointer)) }
  public var isZero: Bool { sign == 0 }
  public var isInteger: Bool { __gmpz_cmp_ui(sann_mpq_denref(storage.pointer), 1) == 0 }

  /// The nearest Double (GMP truncates; fine for display and for seeding a float solver).
  public var doubleValue: Double { __gmpq_get_d(storage.pointer) }

  public static let zero = Rational(0)
  public static let one = Rational(1)

  // MARK: Arithmetic

  @inline(__always)
  static func binary(_ a: Rational, _ b: Rational, _ op: (UnsafeMutablePointer<__mpq_struct>, UnsafePointer<__mpq_struct>, UnsafePointer<__mpq_struct>) -> Void) -> Rational {
    let result = Storage()
    op(result.pointer, a.storage.pointer, b.storage.pointer)
    return Rational(storage: result)
  }

  public static func + (a: Rational, b: Rational) -> Rational { binary(a, b) { __gmpq_add($0, $1, $2) } }
  public static func - (a: Rational, b: Rational) -> Rational { binary(a, b) { __gmpq_sub($0, $1, $2) } }
  public static func * (a: Rational, b: Rational) -> Rational { binary(a, b) { __gmpq_mul($0, $1, $2) } }

  /// - Precondition: b ≠ 0.
  public static func / (a: Rational, b: Rational) -> Rational {
    precondition(!b.isZero, "Rational: division by zero")
    return binary(a, b) { __gmpq_div($0, $1, $2) }
  }

  public static prefix func - (a: Rational) -> Rational {
    let result = Storage()
    __gmpq_neg(result.pointer, a.storage.pointer)
    return Rational(storage: result)
  }

  public var magnitude: Rational {
    let result = Storage()
    __gmpq_abs(result.pointer, storage.pointer)
    return Rational(storage: result)
  }

  public static func += (a: inout Rational, b: Rational) { a = a + b }
  public static func -= (a: inout Rational, b: Rational) { a = a - b }
  public static func *= (a: inout Rational, b: Rational) { a = a * b }
}

extension Rational: Comparable, Hashable {
  public static func == (a: Rational, b: Rational) -> Bool { __gmpq_equal(a.storage.pointer, b.storage.pointer) != 0 }
  public static func < (a: Rational, b: Rational) -> Bool { __gmpq_cmp(a.storage.pointer, b.storage.pointer) < 0 }
  public func hash(into hasher: inout Hasher) {
    // Canonical form (lowest terms, positive denominator) makes equal values hash equally.
    hasher.combine(description)
  }
}

extension Rational: CustomStringConvertible, ExpressibleByIntegerLiteral, Codable {
  /// "p/q", or "p" for an integer.
  public var description: String {
    guard let raw = __gmpq_get_str(nil, 10, storage.pointer) else { return "?" }
    defer { sann_gmp_free_string(raw) }
    return String(cString: raw)
  }

  public init(integerLiteral value: Int) { self.init(value) }

  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let value = Rational(text) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a rational number (expected p/q)"))
    }
    self = value
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
