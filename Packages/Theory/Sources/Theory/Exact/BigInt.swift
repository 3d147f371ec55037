import CGMP
import Foundation

/// An arbitrary-precision integer backed by GMP's `mpz_t`: a value type (copy-on-write through
/// immutable storage), parsed and printed in base 10, Codable as a string.
public struct BigInt: Sendable {
  final class Storage: @unchecked Sendable {
    // Written only while being created by this module, immutable afterwards.
    let pointer: UnsafeMutablePointer<__mpz_struct>
    init() {
      pointer = .allocate(capacity: 1)
      __gmpz_init(pointer)
    }
    deinit {
      __gmpz_clear(pointer)
      pointer.deallocate()
    }
  }

  private(set) var storage: Storage

  init() { storage = Storage() }

  public init(_ value: Int) {
    storage = Storage()
    __gmpz_set_si(storage.pointer, value)
  }

  /// Parses an optional sign followed by decimal digits.
  public init?(_ text: String) {
    let s = text.trimmingCharacters(in: .whitespaces)
    let digits = s.hasPrefix("-") || s.hasPrefix("+") ? s.dropFirst() : Substring(s)
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    storage = Storage()
    let normalized = s.hasPrefix("+") ? String(digits) : s
    guard __gmpz_set_str(storage.pointer, normalized, 10) == 0 else { return nil }
  }

  public var isZero: Bool { sann_mpz_sgn(storage.pointer) == 0 }
  public var sign: Int { Int(sann_mpz_sgn(storage.pointer)) }

  /// The value as an Int, if it fits.
  public var intValue: Int? {
    guard __gmpz_fits_slong_p(storage.pointer) != 0 else { return nil }
    return __gmpz_get_si(storage.pointer)
  }

  /// The nearest Double toward zero (GMP's mpz_get_d; +∞ beyond Double's range).
  public var doubleValue: Double { __gmpz_get_d(storage.pointer) }

  /// The number of binary digits of |self| (0 has one): ⌊log₂|self|⌋ + 1 for self ≠ 0.
  public var binaryDigits: Int { Int(__gmpz_sizeinbase(storage.pointer, 2)) }

  /// The number of decimal digits of |self| (0 has one).
  public var decimalDigits: Int { description.filter(\.isNumber).count }

  /// base^exponent.
  public static func power(_ base: Int, _ exponent: Int) -> BigInt {
    precondition(base >= 0 && exponent >= 0)
    let result = BigInt()
    __gmpz_ui_pow_ui(result.storage.pointer, UInt(base), UInt(exponent))
    return result
  }

  /// The binomial coefficient C(n, k).
  public static func binomial(_ n: Int, _ k: Int) -> BigInt {
    precondition(n >= 0 && k >= 0)
    let result = BigInt()
    __gmpz_bin_uiui(result.storage.pointer, UInt(n), UInt(k))
    return result
  }

  static func binary(_ a: BigInt, _ b: BigInt, _ op: (UnsafeMutablePointer<__mpz_struct>, UnsafePointer<__mpz_struct>, UnsafePointer<__mpz_struct>) -> Void) -> BigInt {
    let result = BigInt()
    op(result.storage.pointer, a.storage.pointer, b.storage.pointer)
    return result
  }

  public static func + (a: BigInt, b: BigInt) -> BigInt { binary(a, b) { __gmpz_add($0, $1, $2) } }
  public static func - (a: BigInt, b: BigInt) -> BigInt { binary(a, b) { __gmpz_sub($0, $1, $2) } }
  public static func * (a: BigInt, b: BigInt) -> BigInt { binary(a, b) { __gmpz_mul($0, $1, $2) } }
  /// The greatest common divisor (non-negative).
  public static func gcd(_ a: BigInt, _ b: BigInt) -> BigInt { binary(a, b) { __gmpz_gcd($0, $1, $2) } }

  /// The least common multiple (non-negative).
  public static func lcm(_ a: BigInt, _ b: BigInt) -> BigInt { binary(a, b) { __gmpz_lcm($0, $1, $2) } }

  /// Truncated division and remainder (GMP's tdiv). - Precondition: b ≠ 0.
  public static func / (a: BigInt, b: BigInt) -> BigInt {
    precondition(!b.isZero, "BigInt: division by zero")
    return binary(a, b) { __gmpz_tdiv_q($0, $1, $2) }
  }

  public static func % (a: BigInt, b: BigInt) -> BigInt {
    precondition(!b.isZero, "BigInt: division by zero")
    return binary(a, b) { __gmpz_tdiv_r($0, $1, $2) }
  }

  public static prefix func - (a: BigInt) -> BigInt {
    let result = BigInt()
    __gmpz_neg(result.storage.pointer, a.storage.pointer)
    return result
  }

  /// self += a·k in place (GMP's addmul/submul), without allocating when self is unshared:
  /// the accumulation step of the exact simplex's row sums.
  public mutating func add(_ a: BigInt, times k: Int) {
    makeUnique()
    if k >= 0 {
      __gmpz_addmul_ui(storage.pointer, a.storage.pointer, UInt(k))
    } else {
      __gmpz_submul_ui(storage.pointer, a.storage.pointer, k.magnitude)
    }
  }

  /// self += k in place.
  public mutating func add(_ k: Int) {
    makeUnique()
    if k >= 0 { __gmpz_add_ui(storage.pointer, storage.pointer, UInt(k)) } else { __gmpz_sub_ui(storage.pointer, storage.pointer, k.magnitude) }
  }

  private mutating func makeUnique() {
    if !isKnownUniquelyReferenced(&storage) {
      let copy = Storage()
      __gmpz_set(copy.pointer, storage.pointer)
      storage = copy
    }
  }
}

extension BigInt: Comparable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral, Codable {
  public static func == (a: BigInt, b: BigInt) -> Bool { __gmpz_cmp(a.storage.pointer, b.storage.pointer) == 0 }
  public static func < (a: BigInt, b: BigInt) -> Bool { __gmpz_cmp(a.storage.pointer, b.storage.pointer) < 0 }
  public func hash(into hasher: inout Hasher) { hasher.combine(description) }

  public var description: String {
    guard let raw = __gmpz_get_str(nil, 10, storage.pointer) else { return "?" }
    defer { sann_gmp_free_string(raw) }
    return String(cString: raw)
  }

  public init(integerLiteral value: Int) { self.init(value) }

  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let value = BigInt(text) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an integer"))
    }
    self = value
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
