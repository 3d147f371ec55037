/// The verifier's check of a feature-wise certificate whose λ is given per symmetry class
/// (or per subset, the case of blocks of one feature), in exact integer arithmetic.
///
/// Blocks B₁…B_K partition the features; the polynomial's supports must be unions of blocks
/// and the point constant on each block, so every subset S in the class
/// k = (|S ∩ B₁|, …, |S ∩ B_K|) has the same target b_k, and there are m_k = ∏ C(n_b, k_b) of
/// them. Lifting λ_S = λ_k then gives, for a feature i in block b,
/// Σ_{S∋i} λ_S = (1/n_b)·Σ_k m_k λ_k k_b, and with α constant on blocks,
/// E(α) = Σ_k m_k·|b_k − Σ_b k_b α_b| and D(λ) = Σ_k m_k λ_k b_k. The check is therefore:
/// |λ_k| ≤ 1, Σ_k m_k λ_k k_b = 0 for every block, and D(λ) = E(α) = the claimed optimum.
struct ClassCertificateCheck {
  let polynomial: Polynomial
  let point: [Rational]
  let kind: ErrorKind
  /// 0-based features of each block.
  let blocks: [[Int]]

  typealias Failure = CertificateVerifier.Failure

  /// The largest number of classes a certificate may describe.
  static let maximumClasses = 30_000_000

  func classCount() throws -> Int {
    var count = 1
    for block in blocks {
      let (product, overflow) = count.multipliedReportingOverflow(by: block.count + 1)
      guard !overflow, product <= Self.maximumClasses else {
        throw Failure(reason: "the blocks describe more than \(Self.maximumClasses) classes of subsets")
      }
      count = product
    }
    return count
  }

  /// Checks the instance's symmetry; returns, for every term with a non-empty support, the
  /// blocks it covers and its value c_t·∏ x_i.
  func terms() throws -> [(blocks: [Int], value: Rational)] {
    let d = polynomial.dimension
    var blockOf = [Int](repeating: -1, count: d)
    for (b, block) in blocks.enumerated() {
      guard !block.isEmpty else { throw Failure(reason: "block \(b + 1) is empty") }
      for i in block {
        guard i >= 0 && i < d else { throw Failure(reason: "block \(b + 1) names feature \(i + 1), outside 1...\(d)") }
        guard blockOf[i] < 0 else { throw Failure(reason: "feature x\(i + 1) is in two blocks") }
        blockOf[i] = b
      }
      guard block.allSatisfy({ point[$0] == point[block[0]] }) else {
        throw Failure(reason: "the point is not constant on block \(b + 1), so its subsets are not interchangeable")
      }
    }
    if let i = blockOf.firstIndex(of: -1) { throw Failure(reason: "feature x\(i + 1) is in no block") }
    return try polynomial.terms.filter { !$0.support.isEmpty }.map { term in
      let covered = Array(Set(term.support.map { blockOf[$0] })).sorted()
      guard covered.reduce(0, { $0 + blocks[$1].count }) == term.support.count else {
        throw Failure(reason: "the term with support \(term.support.map { "x\($0 + 1)" }.joined(separator: " ")) is not a union of blocks")
      }
      return (covered, term.support.reduce(term.coefficient) { $0 * point[$1] })
    }
  }

  /// Verifies λ (one code per class, '*' values by class index) and α; returns D(λ) = E(α).
  func verify(codes: [UInt8], values: [String: Rational], alpha: [Rational]) throws -> Rational {
    let terms = try terms()
    let count = try classCount()
    guard codes.count == count else { throw Failure(reason: "λ has \(codes.count) entries for \(count) classes") }
    // α must be constant on blocks (else the class sums do not give E(α)).
    var blockAlpha: [Rational] = []
    for (b, block) in blocks.enumerated() {
      guard block.allSatisfy({ alpha[$0] == alpha[block[0]] }) else {
        throw Failure(reason: "α is not constant on block \(b + 1)")
      }
      blockAlpha.append(alpha[block[0]])
    }
    // Common denominators: α_b = A_b/Dα, term values v_t = V_t/Dv; all scaled to integers.
    let alphaDenominator = blockAlpha.reduce(BigInt(1)) { BigInt.lcm($0, $1.denominator) }
    let valueDenominator = terms.reduce(BigInt(1)) { BigInt.lcm($0, $1.value.denominator) }
    let scaledAlpha = blockAlpha.map { ($0 * Rational(alphaDenominator)).numerator }
    let scaledValues = terms.map { ($0.value * Rational(valueDenominator)).numerator }
    let sizes = blocks.map(\.count)
    let binomials = sizes.map { n in (0...n).map { BigInt.binomial(n, $0) } }
    // Per class: b_k·Dv = Σ_t V_t·[t counts], residual·Dv·Dα = b_k·Dv·Dα − Dv·Σ_b k_b A_b.
    var primal = BigInt(0)  // Σ m_k |residual|, scaled by Dv·Dα
    var dual = BigInt(0)  // Σ m_k λ_k b_k over ±1 classes, scaled by Dv
    var rows = [BigInt](repeating: 0, count: blocks.count)  // Σ m_k λ_k k_b over ±1 classes
    var starredDual = Rational.zero
    var starredRows = [Rational](repeating: .zero, count: blocks.count)
    var starred = 0
    var k = [Int](repeating: 0, count: blocks.count)
    var selectionCache: [UInt64: BigInt] = [:]
    for c in 0..<count {
      if c > 0 {
        // Mixed-radix increment, first block fastest.
        var b = 0
        while k[b] == sizes[b] {
          k[b] = 0
          b += 1
        }
        k[b] += 1
      }
      var selection: UInt64 = 0
      for (t, term) in terms.enumerated() {
        let counts = kind == .insertion ? term.blocks.allSatisfy { k[$0] == sizes[$0] } : term.blocks.contains { k[$0] > 0 }
        if counts { selection |= 1 << UInt64(t % 64) }
      }
      let target: BigInt
      if terms.count <= 64, let known = selectionCache[selection] {
        target = known
      } else {
        var sum = BigInt(0)
        for (t, term) in terms.enumerated() {
          let counts = kind == .insertion ? term.blocks.allSatisfy { k[$0] == sizes[$0] } : term.blocks.contains { k[$0] > 0 }
          if counts { sum = sum + scaledValues[t] }
        }
        if terms.count <= 64 { selectionCache[selection] = sum }
        target = sum
      }
      var m = BigInt(1)
      for b in 0..<blocks.count where k[b] > 0 && k[b] < sizes[b] { m = m * binomials[b][k[b]] }
      var explained = BigInt(0)
      for b in 0..<blocks.count where k[b] > 0 { explained.add(scaledAlpha[b], times: k[b]) }
      let residual = target * alphaDenominator - valueDenominator * explained
      if !residual.isZero { primal = primal + m * (residual.sign < 0 ? -residual : residual) }
      switch codes[c] {
      case UInt8(ascii: "+"), UInt8(ascii: "-"):
        let sign = codes[c] == UInt8(ascii: "+") ? 1 : -1
        if !target.isZero { dual = dual + (sign > 0 ? m * target : -(m * target)) }
        for b in 0..<blocks.count where k[b] > 0 { rows[b].add(m, times: sign * k[b]) }
      case UInt8(ascii: "*"):
        guard let lambda = values["\(c)"] else { throw Failure(reason: "λ for class \(k) is marked '*' but has no value") }
        guard lambda <= .one && lambda >= -Rational.one else { throw Failure(reason: "λ for class \(k) is \(lambda), outside [−1, 1]") }
        starred += 1
        let weight = Rational(m) * lambda
        starredDual += weight * Rational(numerator: target, denominator: valueDenominator)
        for b in 0..<blocks.count where k[b] > 0 { starredRows[b] += weight * Rational(k[b]) }
      default:
        break  // '0'
      }
    }
    guard starred == values.count else { throw Failure(reason: "λ lists values for classes not marked '*'") }
    for b in 0..<blocks.count where Rational(rows[b]) + starredRows[b] != .zero {
      throw Failure(reason: "the dual constraint of block \(b + 1) sums to \(Rational(rows[b]) + starredRows[b]), not 0")
    }
    let d = Rational(numerator: dual, denominator: valueDenominator) + starredDual
    let e = Rational(numerator: primal, denominator: valueDenominator * alphaDenominator)
    guard d == e else { throw Failure(reason: "D(λ) = \(d) but E(α) = \(e)") }
    return d
  }
}
