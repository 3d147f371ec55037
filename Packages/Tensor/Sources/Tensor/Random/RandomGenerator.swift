import CTensorKernels
import Foundation

/// A seeded pseudo-random generator: xoshiro256** (Blackman & Vigna 2018) with its state
/// filled by SplitMix64 from a 64-bit seed.
///
/// The same seed gives the same sequence on every machine and run. ``stream(_:)`` derives
/// generators whose sequences are independent of each other and of the parent, so a data
/// loader, dropout and initialisation can each take their own stream from one user seed and
/// adding draws to one never shifts another.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// var dropoutRNG = rng.stream(1)
/// let u = rng.nextUniform()   // in [0, 1)
/// ```
public struct RandomGenerator: RandomNumberGenerator, Sendable {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64
  /// The seed this generator was created from.
  public let seed: UInt64

  public init(seed: UInt64) {
    self.seed = seed
    var sm = seed
    s0 = splitMix64(&sm)
    s1 = splitMix64(&sm)
    s2 = splitMix64(&sm)
    s3 = splitMix64(&sm)
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  /// An independent generator identified by `id`, derived from this generator's seed (not
  /// its current position), so `stream(k)` is the same whenever it is asked for.
  public func stream(_ id: UInt64) -> RandomGenerator {
    var mix = seed ^ 0x9E37_79B9_7F4A_7C15
    let a = splitMix64(&mix)
    var key = a ^ (id &* 0xD1B5_4A32_D192_ED03)
    return RandomGenerator(seed: splitMix64(&key))
  }

  /// Uniform in [0, 1) with 24 random bits (every Float in the grid k·2⁻²⁴).
  public mutating func nextUniform() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// An inverted-dropout mask of `count` values: each is 0 with probability `probability`
  /// (a uniform draw below it) and 1/(1 − probability) otherwise, drawn in order. One call
  /// rather than a draw per value through a class's stored generator, which Swift checks for
  /// exclusive access at every draw (44 % of a NAM training run).
  ///
  /// The draws run in C without a branch (`sann_dropout_mask`): `nextUniform() < p` is
  /// u·2⁻²⁴ < p for the draw's top 24 bits u, which is u < ⌈p·2²⁴⌉ (both sides exact), so the
  /// mask is the same, value for value. Compiled from Swift the comparison was a branch that a
  /// random draw mispredicts about min(p, 1 − p) of the time: 37 % of a NAM run.
  public mutating func dropoutMask(count: Int, probability: Float) -> [Float] {
    let keep = 1 / (1 - probability)
    // u < p·2²⁴ for every u < 2²⁴ when p ≥ 1 (threshold 2²⁴), for none when p ≤ 0 or p is NaN.
    let scaled = probability * 16_777_216
    let threshold: UInt64 = scaled > 0 ? UInt64(Swift.min(scaled, 16_777_216).rounded(.up)) : 0
    return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 4) { state in
      (state[0], state[1], state[2], state[3]) = (s0, s1, s2, s3)  // UInt64: trivial, no initialisation needed
      let mask = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 { sann_dropout_mask(state.baseAddress!, buffer.baseAddress!, count, threshold, keep) }
        initialized = count
      }
      (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
      return mask
    }
  }

  /// Uniform in [0, 1) with 53 random bits.
  public mutating func nextUniformDouble() -> Double {
    Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
  }

  /// A standard normal draw (Box–Muller in double precision).
  public mutating func nextNormal() -> Float {
    let u1 = 1 - nextUniformDouble()  // in (0, 1]
    let u2 = nextUniformDouble()
    return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
  }

  /// A uniformly random integer in 0..<upperBound (unbiased, Lemire's method via the standard library).
  public mutating func nextInt(below upperBound: Int) -> Int {
    Int.random(in: 0..<upperBound, using: &self)
  }

  /// A uniformly random permutation of 0..<count (Fisher–Yates).
  public mutating func permutation(_ count: Int) -> [Int] {
    var p = Array(0..<count)
    if count > 1 {
      for i in stride(from: count - 1, to: 0, by: -1) {
        p.swapAt(i, nextInt(below: i + 1))
      }
    }
    return p
  }
}

@inline(__always)
private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

@inline(__always)
private func splitMix64(_ state: inout UInt64) -> UInt64 {
  state &+= 0x9E37_79B9_7F4A_7C15
  var z = state
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}
