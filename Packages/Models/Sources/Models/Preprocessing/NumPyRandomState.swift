/// The draws of NumPy's legacy `numpy.random.RandomState(seed)` that scikit-learn's splitters
/// use, reproduced bit for bit: the Mersenne Twister MT19937 (Matsumoto & Nishimura 1998)
/// seeded by `init_genrand(seed)`, bounded integers by masked rejection sampling, and
/// `permutation`/`choice(replace=False)` by NumPy's Fisher–Yates shuffle.
///
/// With it, a split by `seed` here is the split `train_test_split(..., random_state=seed)`
/// makes in Python, so results can be compared with scikit-learn pipelines row for row.
struct NumPyRandomState {
  private var state = [UInt32](repeating: 0, count: 624)
  private var position = 624

  /// `RandomState(seed)` for a seed in 0...2³²−1.
  init(seed: UInt32) {
    state[0] = seed
    for i in 1..<624 {
      state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
    }
  }

  /// The next 32 random bits (`genrand_int32`).
  mutating func nextUInt32() -> UInt32 {
    if position >= 624 { twist() }
    var y = state[position]
    position += 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C_5680
    y ^= (y << 15) & 0xEFC6_0000
    y ^= y >> 18
    return y
  }

  private mutating func twist() {
    for i in 0..<624 {
      let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
      state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
    }
    position = 0
  }

  /// A uniform integer in 0...max: draw 32 bits masked to the smallest all-ones mask ≥ max,
  /// reject values above max (NumPy's `random_interval`). Only max < 2³² is needed here.
  mutating func interval(_ max: Int) -> Int {
    if max == 0 { return 0 }
    precondition(max > 0 && max <= Int(UInt32.max))
    var mask = UInt32(max)
    mask |= mask >> 1
    mask |= mask >> 2
    mask |= mask >> 4
    mask |= mask >> 8
    mask |= mask >> 16
    while true {
      let value = nextUInt32() & mask
      if Int(value) <= max { return Int(value) }
    }
  }

  /// `RandomState.shuffle` of a one-dimensional array: for i = n−1 down to 1, swap element i
  /// with element `interval(i)`.
  mutating func shuffle<T>(_ values: inout [T]) {
    guard values.count > 1 else { return }
    for i in stride(from: values.count - 1, through: 1, by: -1) {
      values.swapAt(i, interval(i))
    }
  }

  /// `RandomState.permutation(n)`.
  mutating func permutation(_ n: Int) -> [Int] {
    var values = Array(0..<n)
    shuffle(&values)
    return values
  }

  /// `RandomState.permutation(array)`: a shuffled copy.
  mutating func permutation<T>(_ values: [T]) -> [T] {
    var copy = values
    shuffle(&copy)
    return copy
  }

  /// `RandomState.choice(values, size, replace=False)` without weights: the first `size`
  /// entries of a permutation.
  mutating func choiceWithoutReplacement<T>(_ values: [T], size: Int) -> [T] {
    permutation(values.count).prefix(size).map { values[$0] }
  }
}
