import Tensor

/// The coalitions Kernel SHAP evaluates and their weights, chosen as `shap`'s KernelExplainer
/// chooses them (Lundberg & Lee 2017; shap 0.51, `explainers/_kernel.py`, `explain`):
///
/// - the Shapley kernel gives a coalition of size s among M players the weight
///   (M − 1)/(C(M, s)·s·(M − s)); the empty and full coalitions (infinite weight) are not
///   sampled but imposed as constraints by the solver;
/// - sizes s and M − s are handled as a pair; going up from s = 1, a size (pair) is enumerated
///   completely when the remaining budget, spread by kernel weight, covers all its subsets,
///   and each enumerated subset gets its exact kernel weight;
/// - the rest of the budget is sampled: a size from the remaining kernel mass, then a uniformly
///   random subset of that size, together with its complement (paired sampling); a repeated
///   coalition adds 1 to the weight of its first draw instead of costing another evaluation;
///   the sampled weights are finally rescaled to the kernel mass left over.
///
/// With a budget of 2^M − 2 (every proper non-empty coalition) everything is enumerated and the
/// least-squares solution is exactly the Shapley value.
struct KernelSHAPDesign {
  /// `count × players` bytes, 1 when the player is in the coalition.
  var masks: [UInt8] = []
  var weights: [Double] = []
  var count = 0
  let players: Int

  init(players m: Int, budget: Int, rng: inout RandomGenerator) {
    players = m
    precondition(m >= 2, "KernelSHAPDesign needs at least two players")
    precondition(budget >= 0 && budget <= KernelSHAP.maximumBudget, "KernelSHAPDesign: the budget must be in 0...KernelSHAP.maximumBudget")
    var samples = budget
    if m <= 30 { samples = min(samples, (1 << m) - 2) }
    // Memory grows with the coalitions actually drawn; only a modest first block is reserved.
    masks.reserveCapacity(min(samples, 1 << 12) * m)
    weights.reserveCapacity(min(samples, 1 << 12))

    let sizes = (m - 1 + 1) / 2  // ⌈(M − 1)/2⌉
    let pairedSizes = (m - 1) / 2  // ⌊(M − 1)/2⌋
    var kernel = (1...max(sizes, 1)).map { s in Double(m - 1) / (Double(s) * Double(m - s)) }
    for s in 0..<pairedSizes { kernel[s] *= 2 }
    let kernelTotal = kernel.reduce(0, +)
    kernel = kernel.map { $0 / kernelTotal }

    // Enumerate whole sizes while the budget covers them.
    var fullSizes = 0
    var left = Double(samples)
    var remaining = kernel
    var current = [UInt8](repeating: 0, count: m)
    for s in 1...max(sizes, 1) where sizes >= 1 {
      var subsets = binomial(m, s)
      let paired = s <= pairedSizes
      if paired { subsets *= 2 }
      guard left * remaining[s - 1] / subsets >= 1 - 1e-8 else { break }
      fullSizes += 1
      left -= subsets
      if remaining[s - 1] < 1 {
        let scale = 1 - remaining[s - 1]
        remaining = remaining.map { $0 / scale }
      }
      var w = kernel[s - 1] / binomial(m, s)
      if paired { w /= 2 }
      forEachCombination(m, s) { members in
        for i in 0..<m { current[i] = 0 }
        for i in members { current[i] = 1 }
        add(current, weight: w)
        if paired {
          for i in 0..<m { current[i] = 1 - current[i] }
          add(current, weight: w)
        }
      }
    }

    // Sample the remaining sizes.
    let fixed = count
    var samplesLeft = samples - count
    guard fullSizes != sizes, samplesLeft > 0 else { return }
    var sizeWeights = kernel
    for s in 0..<pairedSizes { sizeWeights[s] /= 2 }
    sizeWeights = Array(sizeWeights[fullSizes...])
    let sizeTotal = sizeWeights.reduce(0, +)
    var cumulative = [Double]()
    var running = 0.0
    for w in sizeWeights {
      running += w / sizeTotal
      cumulative.append(running)
    }
    var seen = [MaskKey: Int]()
    var complementOf = [Int: Int]()
    var permutation = Array(0..<m)
    var draws = 0
    while samplesLeft > 0 && draws < 4 * (samples - fixed) {
      draws += 1
      let u = rng.nextUniformDouble()
      var index = cumulative.firstIndex(where: { u < $0 }) ?? (cumulative.count - 1)
      index = min(index, cumulative.count - 1)
      let size = index + fullSizes + 1
      // A uniformly random subset of `size` players: the first `size` of a partial shuffle.
      for i in 0..<size {
        let j = i + rng.nextInt(below: m - i)
        permutation.swapAt(i, j)
      }
      for i in 0..<m { current[i] = 0 }
      for i in 0..<size { current[permutation[i]] = 1 }
      let key = MaskKey(current)
      let paired = size <= pairedSizes
      if let first = seen[key] {
        weights[first] += 1
        if samplesLeft > 0, paired, let complement = complementOf[first] { weights[complement] += 1 }
      } else {
        seen[key] = count
        let first = count
        add(current, weight: 1)
        samplesLeft -= 1
        if samplesLeft > 0 && paired {
          for i in 0..<m { current[i] = 1 - current[i] }
          complementOf[first] = count
          add(current, weight: 1)
          samplesLeft -= 1
        }
      }
    }
    let weightLeft = kernel[fullSizes...].reduce(0, +)
    let sampledTotal = weights[fixed...].reduce(0, +)
    if sampledTotal > 0 {
      for k in fixed..<count { weights[k] *= weightLeft / sampledTotal }
    }
  }

  private mutating func add(_ mask: [UInt8], weight: Double) {
    masks.append(contentsOf: mask)
    weights.append(weight)
    count += 1
  }
}

/// A coalition as a hashable bit set: the first 128 players inline (no allocation per draw),
/// the rest, if any, in an array.
private struct MaskKey: Hashable {
  var low: UInt64 = 0
  var high: UInt64 = 0
  var rest: [UInt64] = []
  init(_ mask: [UInt8]) {
    if mask.count > 128 { rest = [UInt64](repeating: 0, count: (mask.count - 128 + 63) / 64) }
    for (i, bit) in mask.enumerated() where bit != 0 {
      let b = UInt64(1) << UInt64(i & 63)
      switch i {
      case 0..<64: low |= b
      case 64..<128: high |= b
      default: rest[(i - 128) >> 6] |= b
      }
    }
  }
}
