import Foundation

/// A machine-checkable proof of OPT = min E for one error program: the instance (polynomial,
/// point, error kind, groups), a dual-feasible λ and a primal attribution α with
/// D(λ) = E(α) = `optimum`. Weak duality makes that equality a proof that both are optimal;
/// ``CertificateVerifier`` re-checks it from scratch in exact arithmetic, without any LP solver.
///
/// JSON, with every number an exact rational string. λ has 2^d entries (index = bit mask of
/// the subset, bit i ⇔ feature x_{i+1}), stored compactly: `lambda.signs` has one code per
/// subset — `+` for 1, `-` for −1, `0` for 0, `*` for a value listed in `lambda.values` under
/// the subset's index — and a code may be followed by a repeat count ("+[37]" is 37 times `+`).
///
/// A symmetric certificate (from ``SymmetricProgram``) also lists `blocks`, the features
/// (1-based) of each block of interchangeable features, and gives λ per class instead of per
/// subset: class k = (k₁…k_K) has index Σ_b k_b·∏_{c<b}(n_c+1) (first block fastest), and
/// λ_S = λ_{class(S)} for every subset. That keeps d = 300 certificates to a few kilobytes.
public struct DualCertificate: Codable, Sendable, Equatable {
  public static let formatName = "sannkit.sann-error-certificate/1"

  public struct Lambda: Codable, Sendable, Equatable {
    public var signs: String
    public var values: [String: Rational]
  }

  public var format: String
  public var polynomial: String
  public var dimension: Int
  public var point: [Rational]
  public var error: ErrorKind
  /// Groups as 1-based features; absent for a feature-wise attribution.
  public var groups: [[Int]]?
  /// Blocks of interchangeable features (1-based) when λ is given per symmetry class.
  public var blocks: [[Int]]?
  public var optimum: Rational
  public var alpha: [Rational]
  public var lambda: Lambda

  public init(program: ErrorProgram, solution: DualSolution) {
    format = Self.formatName
    polynomial = program.polynomial.description
    dimension = program.dimension
    point = program.point
    error = program.kind
    let singletons = program.groups == (0..<program.dimension).map { [$0] }
    groups = singletons ? nil : program.groups.map { $0.map { $0 + 1 } }
    optimum = solution.optimum
    alpha = solution.alpha
    lambda = Self.encode(solution.lambda)
  }

  /// A certificate for the symmetric program: λ per class, α per feature (constant on blocks).
  public init(program: ErrorProgram, symmetric solution: SymmetricProgram.Solution, structure: BlockStructure) {
    format = Self.formatName
    polynomial = program.polynomial.description
    dimension = program.dimension
    point = program.point
    error = program.kind
    groups = nil
    blocks = structure.blocks.map { $0.map { $0 + 1 } }
    optimum = solution.optimum
    alpha = solution.alpha
    lambda = Self.encode(solution.lambda)
  }

  static func encode(_ values: [Rational]) -> Lambda {
    var listed: [String: Rational] = [:]
    let codes = values.enumerated().lazy.map { (s, l) -> UInt8 in
      if l == .one { return UInt8(ascii: "+") }
      if l == -Rational.one { return UInt8(ascii: "-") }
      if l.isZero { return UInt8(ascii: "0") }
      listed["\(s)"] = l
      return UInt8(ascii: "*")
    }
    let signs = LambdaCodes.encode(codes)
    return Lambda(signs: signs, values: listed)
  }

  /// The JSON text (sorted keys).
  public func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    return try encoder.encode(self)
  }

  public static func decode(_ data: Data) throws -> DualCertificate {
    try JSONDecoder().decode(DualCertificate.self, from: data)
  }
}
