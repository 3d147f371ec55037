/// An exact bounded dual simplex with the bound-flipping ("long-step") ratio test, for the dual
/// error program
///
///   maximise Σ_j μ_j b_j  subject to  Σ_j μ_j a_j = 0,  −m_j ≤ μ_j ≤ m_j,
///
/// with few rows (one per feature, group or block) and very many columns (2^d subsets or
/// ∏(nᵦ+1) symmetry classes). Its row duals y are the attribution; the dual objective is the
/// error E(y) = Σ_j m_j·|b_j − a_j·y|, a weighted least-absolute-deviations fit.
///
/// Exactness without slowness: with K_B⁻¹ = adj/det (integers), every reduced cost
/// d_j = b_j − a_j·y and every pivot-row entry, scaled by det and by the targets' common
/// denominator, is a 64-bit integer (overflow is ruled out by a bound before each pass); only
/// the row sums Σ_N μ_j a_j of the non-basic columns at their bounds, driven by multiplicities up
/// to 10^80, are big integers, and they are updated incrementally, column by column, as bounds
/// flip. One iteration is one integer pass over the columns.
///
/// Degeneracy: at the optimum of these programs thousands of columns have zero reduced cost
/// (the fit passes through them). A textbook ratio test stops at the first of them and pivots
/// without progress; the bound-flipping test (Fourer 1994; Koberstein 2005, §3.3) instead walks
/// along the dual ray past every breakpoint whose column can be flipped to its other bound
/// while the leaving variable stays infeasible — the weighted-median line search of LAD
/// regression — so one iteration resolves a whole tie. A lexicographic perturbation of the
/// objective (see ``solve(start:)``) rules out cycling.
///
/// A basic position holding `columns.count + r` is the artificial column e_r with bounds
/// [0, 0] (the fixed slack of row r): it lets any program start from the all-slack basis and
/// makes rank-deficient programs (duplicate groups) solvable.
struct ExactDualSimplex {
  let columns: IntegerColumns
  /// b_j·scale as integers.
  let targets: [Int64]
  let bounds: ColumnBounds
  var maximumIterations = 1_000_000
  /// Called every `progressInterval` iterations with the iteration count.
  var progress: ((Int) -> Void)? = nil
  var progressInterval = 25

  enum Failure: Error, CustomStringConvertible {
    case overflow, singular, unbounded, iterations(Int)

    var description: String {
      switch self {
      case .overflow: "a reduced cost or pivot entry does not fit in 64-bit integers (the targets or block sizes are too large)"
      case .singular: "the basis became singular"
      case .unbounded: "the ratio test found no entering column (the program is infeasible, which a dual error program never is)"
      case .iterations(let n): "no optimum within \(n) iterations"
      }
    }
  }

  /// An optimal basis and everything needed to read off the exact solution:
  /// y = yScaled/(det·scale), μ_B[p] = basicNumerators[p]/det, μ_j = ±m_j for non-basic j.
  struct Result {
    var basic: [Int]
    var isUpper: [Bool]
    var det: Int64
    var yScaled: [Int64]
    /// d_j·det·scale = b_j·det·scale − a_j·yScaled, the scaled residual of column j.
    var reduced: [Int64]
    var basicNumerators: [BigInt]
    var iterations: Int
  }

  var n: Int { columns.count }
  var rows: Int { columns.rows }

  /// Runs the dual simplex from `start` (row count basic positions; entries ≥ n are
  /// artificial) to an optimal basis.
  ///
  /// Degeneracy is removed by a lexicographic perturbation of the objective, b_j + ε·p_j with
  /// fixed pseudo-random integers p_j and ε infinitesimal: every reduced cost is a pair
  /// (d_j, d_j^ε) compared lexicographically, so ties between breakpoints (and steps of length
  /// zero in ε) do not occur, the dual objective strictly decreases and the method cannot
  /// cycle. A basis optimal for the perturbed program has d_j of the right sign or zero for
  /// every column, so it is optimal for the original one; ``verify(_:scale:)`` checks that with
  /// the original targets alone.
  func solve(start: [Int]) throws -> Result {
    precondition(start.count == rows)
    var basic = start
    var isBasic = [Bool](repeating: false, count: n)
    for j in basic where j < n { isBasic[j] = true }
    var isUpper = [Bool](repeating: false, count: n)
    var reduced = [Int64](repeating: 0, count: n)
    var perturbed = [Int64](repeating: 0, count: n)
    var rowSums = [BigInt](repeating: 0, count: rows)
    var initialized = false
    let targetMaximum = targets.lazy.map { $0.magnitude }.max() ?? 0
    let perturbation = Self.perturbation(count: n)

    for iteration in 0..<maximumIterations {
      if let progress, iteration > 0, iteration % progressInterval == 0 { progress(iteration) }
      let (adj, det) = try inverse(basic)
      // y·det·scale = b_Bᵀ·adj, and its ε part.
      var yScaled = [Int64](repeating: 0, count: rows)
      var yPerturbed = [Int64](repeating: 0, count: rows)
      for c in 0..<rows {
        var s: Int64 = 0
        var e: Int64 = 0
        for r in 0..<rows where basic[r] < n {
          s = try add(s, try mul(targets[basic[r]], adj[r][c]))
          e = try add(e, try mul(perturbation[basic[r]], adj[r][c]))
        }
        yScaled[c] = s
        yPerturbed[c] = e
      }
      // Every |d_j·det| ≤ max|b|·det + Σ_c max(a_c)·|y_c|: check once, then wrap-free arithmetic.
      var reducedBound = Double(Swift.max(targetMaximum, Self.perturbationMaximum)) * Double(det)
      for c in 0..<rows {
        reducedBound += Double(columns.rowMaxima[c]) * Double(Swift.max(yScaled[c].magnitude, yPerturbed[c].magnitude))
      }
      guard reducedBound < 4e18 else { throw Failure.overflow }

      // Reduced costs; non-basic columns go to (or stay at) the bound their sign asks for.
      try columns.entries.withUnsafeBufferPointer { a in
        try targets.withUnsafeBufferPointer { t in
          try perturbation.withUnsafeBufferPointer { q in
            let B = rows
            for j in 0..<n {
              var v = t[j] &* det
              var e = q[j] &* det
              let base = j &* B
              for c in 0..<B {
                let k = Int64(a[base &+ c])
                v = v &- k &* yScaled[c]
                e = e &- k &* yPerturbed[c]
              }
              reduced[j] = v
              perturbed[j] = e
              guard initialized, !isBasic[j] else { continue }
              let positive = v > 0 || (v == 0 && e > 0)
              let negative = v < 0 || (v == 0 && e < 0)
              if positive && !isUpper[j] {
                isUpper[j] = true
                try addColumn(j, times: 2, to: &rowSums)
              } else if negative && isUpper[j] {
                isUpper[j] = false
                try addColumn(j, times: -2, to: &rowSums)
              }
            }
          }
        }
      }
      if !initialized {
        for j in 0..<n where !isBasic[j] { isUpper[j] = reduced[j] > 0 || (reduced[j] == 0 && perturbed[j] > 0) }
        rowSums = initialRowSums(isBasic: isBasic, isUpper: isUpper)
        initialized = true
      }

      // μ_B = −adj·rowSums/det; the most infeasible basic variable leaves.
      var numerators = [BigInt](repeating: 0, count: rows)
      for p in 0..<rows {
        for r in 0..<rows where adj[p][r] != 0 { numerators[p].add(rowSums[r], times: -Int(adj[p][r])) }
      }
      var leaving: (position: Int, above: Bool, excess: BigInt)? = nil
      for p in 0..<rows {
        var limit = BigInt(0)
        if basic[p] < n { limit.add(bounds[basic[p]], times: Int(det)) }
        let excess: BigInt
        let above: Bool
        if numerators[p] > limit {
          excess = numerators[p] - limit
          above = true
        } else if numerators[p] < -limit {
          excess = -limit - numerators[p]
          above = false
        } else {
          continue
        }
        if let current = leaving, excess <= current.excess { continue }
        leaving = (p, above, excess)
      }
      guard let (p, above, excess) = leaving else {
        for j in basic where j < n { isUpper[j] = false }
        return Result(basic: basic, isUpper: isUpper, det: det, yScaled: yScaled, reduced: reduced, basicNumerators: numerators, iterations: iteration)
      }

      // Pivot row α_j·det = adj[p]·a_j and the breakpoints of the dual ray.
      var rowBound = 0.0
      for c in 0..<rows { rowBound += Double(columns.rowMaxima[c]) * Double(adj[p][c].magnitude) }
      guard rowBound < 4e18 else { throw Failure.overflow }
      let pivotRow = adj[p]
      var candidates: [Breakpoint] = []
      columns.entries.withUnsafeBufferPointer { a in
        let B = rows
        for j in 0..<n where !isBasic[j] {
          var alpha: Int64 = 0
          let base = j &* B
          for c in 0..<B { alpha = alpha &+ Int64(a[base &+ c]) &* pivotRow[c] }
          if alpha == 0 { continue }
          // Above its upper bound, μ_p decreases when a lower column (α > 0) rises or an upper
          // column (α < 0) falls; below its lower bound, the opposite.
          let eligible = above ? (alpha > 0) != isUpper[j] : (alpha > 0) == isUpper[j]
          guard eligible else { continue }
          // |d_j| in the lexicographic sense: the pair with the sign that makes it positive.
          let flip = reduced[j] < 0 || (reduced[j] == 0 && perturbed[j] < 0)
          candidates.append(Breakpoint(
            column: Int32(j), reduced: reduced[j].magnitude, perturbed: flip ? -perturbed[j] : perturbed[j], pivot: alpha.magnitude))
        }
      }
      guard !candidates.isEmpty else { throw Failure.unbounded }

      // Long step: flip breakpoints in order while the leaving variable stays infeasible.
      var heap = BreakpointHeap(candidates)
      var remaining = excess
      var entering = -1
      var flipped: [Int] = []
      while let next = heap.popMinimum() {
        let j = Int(next.column)
        var flipCost = BigInt(0)
        flipCost.add(bounds[j], times: 2 * Int(next.pivot))
        if remaining > flipCost {
          remaining = remaining - flipCost
          flipped.append(j)
        } else {
          entering = j
          break
        }
      }
      guard entering >= 0 else { throw Failure.unbounded }
      for j in flipped {
        isUpper[j].toggle()
        try addColumn(j, times: isUpper[j] ? 2 : -2, to: &rowSums)
      }
      let leavingColumn = basic[p]
      if leavingColumn < n {
        isBasic[leavingColumn] = false
        isUpper[leavingColumn] = above
        try addColumn(leavingColumn, times: above ? 1 : -1, to: &rowSums)
      }
      try addColumn(entering, times: isUpper[entering] ? -1 : 1, to: &rowSums)
      isBasic[entering] = true
      basic[p] = entering
    }
    throw Failure.iterations(maximumIterations)
  }

  static let perturbationMaximum: UInt64 = 1 << 20

  /// The ε coefficients p_j: fixed pseudo-random non-zero integers in ±[1, 2^20] (SplitMix64 of
  /// j), so the same program is always solved along the same path.
  static func perturbation(count: Int) -> [Int64] {
    (0..<count).map { j in
      var z = UInt64(j) &+ 0x9E37_79B9_7F4A_7C15
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      z ^= z >> 31
      let magnitude = Int64(z % perturbationMaximum) + 1
      return z & (1 << 40) == 0 ? magnitude : -magnitude
    }
  }

  /// rowSums += times·m_j·a_j.
  @inline(__always)
  private func addColumn(_ j: Int, times: Int, to rowSums: inout [BigInt]) throws {
    let m = bounds[j]
    for r in 0..<rows {
      let a = columns[column: j, row: r]
      if a != 0 { rowSums[r].add(m, times: times * a) }
    }
  }

  /// Σ_{j non-basic} ±m_j·a_j from scratch.
  func initialRowSums(isBasic: [Bool], isUpper: [Bool]) -> [BigInt] {
    var sums = [BigInt](repeating: 0, count: rows)
    switch bounds {
    case .uniform(let m):
      // Integer counts first, one big multiplication per row.
      var counts = [Int](repeating: 0, count: rows)
      for j in 0..<n where !isBasic[j] {
        let s = isUpper[j] ? 1 : -1
        for r in 0..<rows { counts[r] += s * columns[column: j, row: r] }
      }
      for r in 0..<rows { sums[r].add(m, times: counts[r]) }
    case .perColumn(let m):
      for j in 0..<n where !isBasic[j] {
        let s = isUpper[j] ? 1 : -1
        for r in 0..<rows {
          let a = columns[column: j, row: r]
          if a != 0 { sums[r].add(m[j], times: s * a) }
        }
      }
    }
    return sums
  }

  /// K_B⁻¹ as an integer matrix over a positive common denominator.
  func inverse(_ basic: [Int]) throws -> ([[Int64]], Int64) {
    let k = rows
    var a = (0..<k).map { r in
      basic.map { j in Rational(j < n ? columns[column: j, row: r] : (j - n == r ? 1 : 0)) }
        + (0..<k).map { $0 == r ? Rational.one : .zero }
    }
    for col in 0..<k {
      guard let pivot = (col..<k).first(where: { !a[$0][col].isZero }) else { throw Failure.singular }
      a.swapAt(pivot, col)
      let p = a[col][col]
      if p != .one { a[col] = a[col].map { $0 / p } }
      for r in 0..<k where r != col && !a[r][col].isZero {
        let f = a[r][col]
        for c in col..<(2 * k) where !a[col][c].isZero { a[r][c] -= f * a[col][c] }
      }
    }
    var denominator = BigInt(1)
    for r in 0..<k { for c in k..<(2 * k) { denominator = BigInt.lcm(denominator, a[r][c].denominator) } }
    guard let det = denominator.intValue else { throw Failure.overflow }
    let scale = Rational(denominator)
    let adj = try (0..<k).map { r in
      try (k..<(2 * k)).map { c -> Int64 in
        guard let x = (a[r][c] * scale).numerator.intValue else { throw Failure.overflow }
        return Int64(x)
      }
    }
    return (adj, Int64(det))
  }

  @inline(__always) private func mul(_ a: Int64, _ b: Int64) throws -> Int64 {
    let (v, o) = a.multipliedReportingOverflow(by: b)
    if o { throw Failure.overflow }
    return v
  }

  @inline(__always) private func add(_ a: Int64, _ b: Int64) throws -> Int64 {
    let (v, o) = a.addingReportingOverflow(b)
    if o { throw Failure.overflow }
    return v
  }
}

/// A breakpoint of the dual ray: column j's reduced cost (d_j, d_j^ε), made lexicographically
/// positive, reaches zero at step (d_j, d_j^ε)/|α_j|.
struct Breakpoint {
  var column: Int32
  var reduced: UInt64
  var perturbed: Int64
  var pivot: UInt64

  /// Exact lexicographic order by step length; ties (only possible between columns with equal
  /// perturbation ratios) by column index.
  @inline(__always)
  static func precedes(_ x: Breakpoint, _ y: Breakpoint) -> Bool {
    let lhs = x.reduced.multipliedFullWidth(by: y.pivot)
    let rhs = y.reduced.multipliedFullWidth(by: x.pivot)
    if lhs.high != rhs.high { return lhs.high < rhs.high }
    if lhs.low != rhs.low { return lhs.low < rhs.low }
    let l = x.perturbed.multipliedFullWidth(by: Int64(bitPattern: y.pivot))
    let r = y.perturbed.multipliedFullWidth(by: Int64(bitPattern: x.pivot))
    if l.high != r.high { return l.high < r.high }
    if l.low != r.low { return l.low < r.low }
    return x.column < y.column
  }
}

/// A binary min-heap of breakpoints: building it is linear, and the ratio test pops only the
/// few it passes.
struct BreakpointHeap {
  private var items: [Breakpoint]

  init(_ items: [Breakpoint]) {
    self.items = items
    if items.count > 1 {
      for i in stride(from: items.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }
  }

  mutating func popMinimum() -> Breakpoint? {
    guard let first = items.first else { return nil }
    let last = items.removeLast()
    if !items.isEmpty {
      items[0] = last
      siftDown(0)
    }
    return first
  }

  private mutating func siftDown(_ start: Int) {
    var i = start
    let count = items.count
    while true {
      let l = 2 * i + 1
      if l >= count { return }
      var smallest = l
      let r = l + 1
      if r < count && Breakpoint.precedes(items[r], items[l]) { smallest = r }
      if Breakpoint.precedes(items[smallest], items[i]) {
        items.swapAt(smallest, i)
        i = smallest
      } else {
        return
      }
    }
  }
}
