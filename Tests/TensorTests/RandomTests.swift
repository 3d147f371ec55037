// RandomGenerator: reproducibility, stream independence and the distributions it promises.
//
// Statistical checks use 5 standard errors: for a correct generator a 5σ deviation of an
// asymptotically normal statistic has probability ≈ 6e-7 per check, so the suite is not flaky,
// while the distortions that matter (wrong range, wrong variance, a biased sampler) move the
// statistic by many more standard errors at these sample sizes.

import Foundation
import PropertyBased
import Testing

@testable import Tensor

private func rngDraws(_ rng: inout RandomGenerator, _ n: Int) -> [UInt64] {
  (0..<n).map { _ in rng.next() }
}

@Suite("RandomGenerator")
struct RandomGeneratorTests {
  @Test("known outputs: xoshiro256** seeded by SplitMix64 (independently computed in Python)")
  func knownAnswers() {
    // Reference: SplitMix64 (Vigna) fills s0…s3 from the seed; xoshiro256** returns
    // rotl(s1·5, 7)·9. Computed with an independent Python implementation of both papers.
    let expected: [(UInt64, [UInt64])] = [
      (0, [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0, 0x6AA5_94F1_262D_2D2C]),
      (42, [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1]),
      (UInt64.max, [0x8F55_20D5_2A7E_AD08, 0xC476_A018_CAA1_802D, 0x81DE_31C0_D260_469E, 0xBF65_8D7E_065F_3C2F]),
    ]
    for (seed, values) in expected {
      var rng = RandomGenerator(seed: seed)
      #expect(rngDraws(&rng, 4) == values, "seed \(seed)")
      #expect(rng.seed == seed)
    }
    // nextUniform uses the top 24 bits: (x >> 40)·2⁻²⁴.
    var rng = RandomGenerator(seed: 7)
    #expect((0..<3).map { _ in rng.nextUniform() } == [0.7005764245986938, 0.2787511944770813, 0.8396274447441101])
  }

  @Test("the same seed gives the same sequence; different seeds give different sequences")
  func seedDeterminism() async {
    await propertyCheck(count: 40, input: Gen.uint64(), Gen.uint64()) { s1, s2 in
      var a = RandomGenerator(seed: s1)
      var b = RandomGenerator(seed: s1)
      #expect(rngDraws(&a, 200) == rngDraws(&b, 200))
      #expect(a.nextNormal() == b.nextNormal())
      #expect(a.permutation(20) == b.permutation(20))
      if s1 != s2 {
        var c = RandomGenerator(seed: s1)
        var d = RandomGenerator(seed: s2)
        #expect(rngDraws(&c, 8) != rngDraws(&d, 8))
      }
    }
    // Adjacent small seeds, which a weak seeding would correlate, start differently.
    let firsts = Set((0..<1000).map { seed -> UInt64 in
      var r = RandomGenerator(seed: UInt64(seed))
      return r.next()
    })
    #expect(firsts.count == 1000)
  }

  @Test("stream(k) is reproducible, independent of the parent's draws, and distinct per k")
  func streams() async {
    await propertyCheck(count: 40, input: Gen.uint64(), Gen.uint64(in: 0...1000), Gen.int(in: 0...500)) { seed, k, draws in
      var parent = RandomGenerator(seed: seed)
      var before = parent.stream(k)
      _ = rngDraws(&parent, draws)
      var after = parent.stream(k)
      #expect(rngDraws(&before, 16) == rngDraws(&after, 16), "stream(\(k)) changed after \(draws) parent draws")
      // A stream from a fresh generator with the same seed is the same stream.
      var fresh = RandomGenerator(seed: seed).stream(k)
      var again = RandomGenerator(seed: seed).stream(k)
      #expect(rngDraws(&fresh, 16) == rngDraws(&again, 16))
      // Different ids, and the parent itself, give different sequences.
      var other = RandomGenerator(seed: seed).stream(k &+ 1)
      var same = RandomGenerator(seed: seed).stream(k)
      var p = RandomGenerator(seed: seed)
      let s = rngDraws(&same, 8)
      #expect(s != rngDraws(&other, 8))
      #expect(s != rngDraws(&p, 8))
    }
    // Many streams of one seed: all first outputs distinct.
    let base = RandomGenerator(seed: 2024)
    let heads = Set((0..<1000).map { k -> UInt64 in
      var s = base.stream(UInt64(k))
      return s.next()
    })
    #expect(heads.count == 1000)
  }

  @Test("streams are statistically independent: correlation of paired uniforms ≈ 0")
  func streamCorrelation() {
    // For independent U(0,1) pairs the sample correlation has standard error 1/√n.
    let n = 20_000
    let root = RandomGenerator(seed: 99)
    var a = root.stream(1)
    var b = root.stream(2)
    var sa = 0.0, sb = 0.0, sab = 0.0, saa = 0.0, sbb = 0.0
    for _ in 0..<n {
      let x = Double(a.nextUniform()), y = Double(b.nextUniform())
      sa += x; sb += y; sab += x * y; saa += x * x; sbb += y * y
    }
    let nd = Double(n)
    let cov = sab / nd - (sa / nd) * (sb / nd)
    let r = cov / ((saa / nd - (sa / nd) * (sa / nd)).squareRoot() * (sbb / nd - (sb / nd) * (sb / nd)).squareRoot())
    #expect(abs(r) < 5 / nd.squareRoot(), "correlation between stream(1) and stream(2): \(r)")
  }

  @Test("nextUniform lies in [0, 1) on the 2⁻²⁴ grid with mean 1/2 and variance 1/12")
  func uniform() {
    let n = 100_000
    var rng = RandomGenerator(seed: 5)
    var sum = 0.0, sumSquares = 0.0
    var low = 1.0, high = 0.0
    var outOfRange: [Float] = [], offGrid: [Float] = []
    for _ in 0..<n {
      let u = rng.nextUniform()
      if !(u >= 0 && u < 1) { outOfRange.append(u) }
      if (u * 16_777_216).rounded() != u * 16_777_216 { offGrid.append(u) }
      let d = Double(u)
      sum += d; sumSquares += d * d
      low = min(low, d); high = max(high, d)
    }
    #expect(outOfRange.isEmpty, "values outside [0, 1): \(outOfRange.prefix(5))")
    #expect(offGrid.isEmpty, "values off the 2⁻²⁴ grid: \(offGrid.prefix(5))")
    let mean = sum / Double(n)
    let variance = sumSquares / Double(n) - mean * mean
    // SE(mean) = √(1/12/n) ≈ 9.1e-4; SE(variance) = √((1/80 − 1/144)/n) ≈ 2.4e-4.
    #expect(abs(mean - 0.5) < 5 * (1.0 / 12 / Double(n)).squareRoot())
    #expect(abs(variance - 1.0 / 12) < 5 * ((1.0 / 80 - 1.0 / 144) / Double(n)).squareRoot())
    // Both ends are reached (the range is not accidentally [0, 0.5) or similar).
    #expect(low < 1e-3 && high > 1 - 1e-3)
    // nextUniformDouble too.
    for _ in 0..<1000 {
      let u = rng.nextUniformDouble()
      #expect(u >= 0 && u < 1)
    }
  }

  @Test("nextNormal has mean 0, variance 1 and the normal's shape over 100k draws")
  func normal() {
    let n = 100_000
    var rng = RandomGenerator(seed: 123)
    var sum = 0.0, sumSquares = 0.0, withinOne = 0, beyondThree = 0, nonFinite = 0
    for _ in 0..<n {
      let z = rng.nextNormal()
      if !z.isFinite { nonFinite += 1 }
      let d = Double(z)
      sum += d; sumSquares += d * d
      if abs(d) < 1 { withinOne += 1 }
      if abs(d) > 3 { beyondThree += 1 }
    }
    #expect(nonFinite == 0)
    let nd = Double(n)
    let mean = sum / nd
    let variance = sumSquares / nd - mean * mean
    // SE(mean) = 1/√n ≈ 3.2e-3; SE(sample variance) = √(2/n) ≈ 4.5e-3 for a normal.
    #expect(abs(mean) < 5 / nd.squareRoot(), "mean \(mean)")
    #expect(abs(variance - 1) < 5 * (2 / nd).squareRoot(), "variance \(variance)")
    // P(|Z| < 1) = 0.682689, P(|Z| > 3) = 0.0026998; binomial standard errors √(p(1−p)/n).
    let p1 = 0.6826894921370859, p3 = 0.0026997960632601866
    #expect(abs(Double(withinOne) / nd - p1) < 5 * (p1 * (1 - p1) / nd).squareRoot(), "P(|Z|<1) = \(Double(withinOne) / nd)")
    #expect(abs(Double(beyondThree) / nd - p3) < 5 * (p3 * (1 - p3) / nd).squareRoot(), "P(|Z|>3) = \(Double(beyondThree) / nd)")
  }

  @Test("dropoutMask: one uniform draw per value in order, 0 below p and 1/(1−p) otherwise, leaving the generator where the draws do; zeros at rate p")
  func dropoutMask() async {
    await propertyCheck(count: 50, input: Gen.int(in: 0...5_000), Gen.float(in: 0...0.95), Gen.uint64()) { count, p, seed in
      var masked = RandomGenerator(seed: seed)
      var drawn = masked
      let mask = masked.dropoutMask(count: count, probability: p)
      let expected = (0..<count).map { _ in drawn.nextUniform() < p ? 0 : 1 / (1 - p) }
      #expect(mask.map(\.bitPattern) == expected.map(\.bitPattern))
      #expect(masked.next() == drawn.next())
    }
    // The kernel compares the draw's top 24 bits u with ⌈p·2²⁴⌉: probabilities on the grid
    // k·2⁻²⁴ (where u·2⁻²⁴ < p turns), one float either side of them, and the ends 0 and 1.
    let gridProbability = zip(Gen.int(in: 0...(1 << 24)), Gen.int(in: -1...1)).map { k, side -> Float in
      let p = Float(k) / 16_777_216
      return side < 0 ? p.nextDown : side > 0 ? p.nextUp : p
    }
    await propertyCheck(count: 100, input: Gen.int(in: 0...3_000), gridProbability, Gen.uint64()) { count, p, seed in
      var masked = RandomGenerator(seed: seed)
      var drawn = masked
      let mask = masked.dropoutMask(count: count, probability: p)
      let expected = (0..<count).map { _ in drawn.nextUniform() < p ? 0 : 1 / (1 - p) }
      #expect(mask.map(\.bitPattern) == expected.map(\.bitPattern), "p = \(p)")
      #expect(masked.next() == drawn.next())
    }
    // Around a known draw u: it survives p = u·2⁻²⁴ and the float below, and is dropped from
    // the float above on (u·2⁻²⁴ < p), where ⌈p·2²⁴⌉ = u + 1.
    for seed: UInt64 in [1, 2, 3, 4_096, 8_388_608] {
      var probe = RandomGenerator(seed: seed)
      let u = probe.next() >> 40
      let onPoint = Float(u) / 16_777_216
      for (p, dropped) in [(onPoint.nextDown, false), (onPoint, false), (onPoint.nextUp, true), (Float(u + 1) / 16_777_216, true)] where p >= 0 {
        var rng = RandomGenerator(seed: seed)
        #expect((rng.dropoutMask(count: 1, probability: p)[0] == 0) == dropped, "u = \(u), p = \(p)")
      }
    }
    var rng = RandomGenerator(seed: 7)
    let n = 100_000, p: Float = 0.3
    let zeros = Double(rng.dropoutMask(count: n, probability: p).filter { $0 == 0 }.count)
    let standardError = (Double(n) * 0.3 * 0.7).squareRoot()
    #expect(abs(zeros - Double(n) * 0.3) < 5 * standardError)
  }

  @Test("nextInt(below:) stays in range and is uniform")
  func integers() {
    var rng = RandomGenerator(seed: 17)
    var counts = [Int](repeating: 0, count: 7)
    let n = 70_000
    for _ in 0..<n {
      let i = rng.nextInt(below: 7)
      guard i >= 0 && i < 7 else {
        Issue.record("nextInt(below: 7) returned \(i)")
        return
      }
      counts[i] += 1
    }
    // Each count ~ Binomial(n, 1/7): SE = √(n·(1/7)(6/7)) ≈ 92.6.
    let se = (Double(n) / 7 * 6 / 7).squareRoot()
    for c in counts { #expect(abs(Double(c) - Double(n) / 7) < 5 * se, "counts \(counts)") }
    #expect(rng.nextInt(below: 1) == 0)
  }

  @Test("permutation(n) is a permutation of 0..<n, deterministic, and uniform over orders")
  func permutations() async {
    await propertyCheck(count: 50, input: Gen.int(in: 0...60), Gen.uint64()) { n, seed in
      var rng = RandomGenerator(seed: seed)
      let p = rng.permutation(n)
      #expect(p.count == n)
      #expect(p.sorted() == Array(0..<n))
      var again = RandomGenerator(seed: seed)
      #expect(again.permutation(n) == p)
    }
    // All 6 orders of 3 elements, each with probability 1/6: SE = √(n·(1/6)(5/6)).
    var rng = RandomGenerator(seed: 8)
    var counts: [[Int]: Int] = [:]
    let n = 60_000
    for _ in 0..<n { counts[rng.permutation(3), default: 0] += 1 }
    #expect(counts.count == 6)
    let se = (Double(n) / 6 * 5 / 6).squareRoot()
    for (order, c) in counts { #expect(abs(Double(c) - Double(n) / 6) < 5 * se, "order \(order): \(c)") }
  }

  @Test("Tensor.randomNormal / randomUniform are deterministic in the seed and use the generator's draws in order")
  func tensorInitialisers() {
    var a = RandomGenerator(seed: 31)
    var b = RandomGenerator(seed: 31)
    let x = Tensor.randomNormal([3, 4, 5], mean: 2, standardDeviation: 0.5, using: &a)
    let y = Tensor.randomNormal([3, 4, 5], mean: 2, standardDeviation: 0.5, using: &b)
    #expect(x.shape == [3, 4, 5])
    #expect(x == y)
    // The generators advanced identically.
    #expect(a.next() == b.next())
    // Row-major order of the draws: value i is mean + std·(i-th nextNormal).
    var c = RandomGenerator(seed: 31)
    let manual = (0..<60).map { _ in 2 + 0.5 * c.nextNormal() }
    #expect(x.scalars == manual)
    var d = RandomGenerator(seed: 32)
    #expect(Tensor.randomNormal([3, 4, 5], mean: 2, standardDeviation: 0.5, using: &d) != x)
    // Uniform draws respect [low, high).
    var e = RandomGenerator(seed: 1)
    let u = Tensor.randomUniform([10_000], low: -3, high: -1, using: &e)
    #expect(u.scalars.allSatisfy { $0 >= -3 && $0 < -1 })
    #expect(u.scalars.min()! < -2.99 && u.scalars.max()! > -1.01)
    // Rank 0 and empty shapes.
    var f = RandomGenerator(seed: 2)
    #expect(Tensor.randomNormal([], using: &f).shape == [])
    #expect(Tensor.randomNormal([0, 3], using: &f).count == 0)
  }
}
