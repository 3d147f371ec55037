/// The symmetry of an error program: features that lie in the same terms and have the same
/// coordinate in the point can be swapped without changing any target b_S, so they form a
/// block. Every term's support is then a union of blocks. A subset S is described up to
/// symmetry by its class k = (k₁…k_B), kᵦ = |S ∩ block b|; the class holds
/// m_k = ∏ᵦ C(nᵦ, kᵦ) subsets, all with the same target.
public struct BlockStructure: Sendable {
  /// Features (0-based) of each block, blocks ordered by their first feature.
  public let blocks: [[Int]]

  public init(program: ErrorProgram) {
    var keys: [[Int]: Int] = [:]
    var blocks: [[Int]] = []
    let terms = program.polynomial.terms
    let pointKeys = program.point.map(\.description)
    var pointIndex: [String: Int] = [:]
    for i in 0..<program.dimension {
      let membership = terms.indices.filter { terms[$0].support.contains(i) }
      let p = pointIndex[pointKeys[i]] ?? { pointIndex[pointKeys[i]] = pointIndex.count; return pointIndex.count - 1 }()
      let key = membership + [-1, p]
      if let b = keys[key] {
        blocks[b].append(i)
      } else {
        keys[key] = blocks.count
        blocks.append([i])
      }
    }
    self.blocks = blocks
  }

  public var sizes: [Int] { blocks.map(\.count) }

  /// ∏ (nᵦ + 1), the number of classes.
  public var classCount: Int { sizes.reduce(1) { $0 * ($1 + 1) } }

  /// The class of index `c` (mixed radix, first block fastest).
  public func classCounts(_ c: Int) -> [Int] {
    var rest = c
    return sizes.map { n in
      defer { rest /= n + 1 }
      return rest % (n + 1)
    }
  }
}
