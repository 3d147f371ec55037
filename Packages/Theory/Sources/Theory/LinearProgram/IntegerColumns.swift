/// The constraint matrix of a dual error program, column by column: column j holds the small
/// non-negative integers a_j ∈ ℕ^rows (a_S for a subset in the full program, the block counts k
/// for a symmetry class), stored flat and column-major so a pass over all columns reads memory
/// in order.
///
/// Complexity: `rows × count` entries of two bytes (40 MB for the full program at d = 20).
struct IntegerColumns: Sendable {
  let rows: Int
  let count: Int
  private(set) var entries: [UInt16]
  /// The largest entry of each row, for overflow bounds.
  private(set) var rowMaxima: [Int]

  init(rows: Int, count: Int) {
    self.rows = rows
    self.count = count
    entries = [UInt16](repeating: 0, count: rows * count)
    rowMaxima = [Int](repeating: 0, count: rows)
  }

  /// Builds the columns from `fill(j, &column)`, which writes column j's entries.
  init(rows: Int, count: Int, fill: (Int, inout [Int]) -> Void) throws {
    self.init(rows: rows, count: count)
    var column = [Int](repeating: 0, count: rows)
    for j in 0..<count {
      for r in 0..<rows { column[r] = 0 }
      fill(j, &column)
      for r in 0..<rows {
        let v = column[r]
        guard v >= 0 && v <= Int(UInt16.max) else {
          throw TheoryError.solverFailed("constraint entry \(v) in column \(j) is outside 0...\(UInt16.max)")
        }
        entries[j * rows + r] = UInt16(v)
        if v > rowMaxima[r] { rowMaxima[r] = v }
      }
    }
  }

  @inline(__always) subscript(column j: Int, row r: Int) -> Int { Int(entries[j * rows + r]) }

  func column(_ j: Int) -> [Int] { (0..<rows).map { self[column: j, row: $0] } }
}

/// The box −m_j ≤ μ_j ≤ m_j of every column: one bound for all (the full program, m = 1) or
/// one per column (symmetry classes, m_k = ∏ C(nᵦ, kᵦ), up to 10^80 and beyond).
enum ColumnBounds: Sendable {
  case uniform(BigInt)
  case perColumn([BigInt])

  @inline(__always) subscript(j: Int) -> BigInt {
    switch self {
    case .uniform(let m): m
    case .perColumn(let m): m[j]
    }
  }

  /// m_j as a Double (saturating), for the floating-point starting point.
  func approximate(_ j: Int) -> Double {
    self[j].doubleValue
  }
}
