/// A cooperative game over the features of one row: v(S) for coalitions S ⊆ [d].
///
/// Shapley-value explainers only need v. The default is the interventional (marginal) value
/// function over a background set (``InterventionalValueFunction``); a caller can supply
/// another, such as exact conditional expectations E[f(X) | X_S = x_S] for Gaussian data.
///
/// Coalitions are passed as masks, one byte per feature (`masks[k·d + i] != 0` ⇔ i ∈ S_k),
/// so one call can ask for thousands of coalitions and the implementation can batch them.
public protocol CoalitionValueFunction {
  var features: Int { get }
  var outputs: Int { get }
  /// v(S_k) for each of the `count` masks of the row `x` (`features` values): `count × outputs`
  /// values, row-major.
  func values(of x: [Float], masks: [UInt8], count: Int) throws -> [Double]
}

/// A value function given by a closure.
public struct ClosureValueFunction: CoalitionValueFunction {
  public let features: Int
  public let outputs: Int
  private let body: ([Float], [UInt8], Int) throws -> [Double]

  public init(features: Int, outputs: Int, _ body: @escaping (_ x: [Float], _ masks: [UInt8], _ count: Int) throws -> [Double]) {
    self.features = features
    self.outputs = outputs
    self.body = body
  }

  public func values(of x: [Float], masks: [UInt8], count: Int) throws -> [Double] {
    let v = try body(x, masks, count)
    guard v.count == count * outputs else { throw AttributionError.badModelOutput(expected: count * outputs, got: v.count) }
    return v
  }
}

/// The interventional value function of Janzing et al. (2020) and of `shap`'s KernelExplainer:
///
///   v(S) = (1/B) Σ_{b=1..B} f(x_S, b_¬S)
///
/// where (x_S, b_¬S) takes feature i from x when i ∈ S and from background row b otherwise.
/// v([d]) = f(x) and v(∅) = E_background f. All B rows of many coalitions are written into one
/// buffer and evaluated with one `evaluate` call per chunk of at most `rowsPerCall` rows.
public struct InterventionalValueFunction: CoalitionValueFunction {
  public let model: any ExplainableModel
  /// Background rows, row-major, `features` values each.
  public let background: [Float]
  public let backgroundCount: Int
  /// The largest number of rows handed to the model at once (bounds memory).
  public var rowsPerCall: Int

  public init(model: any ExplainableModel, background: [Float], rowsPerCall: Int = 1 << 16) throws {
    self.model = model
    self.background = background
    self.backgroundCount = try RowInput.background(background, features: model.features)
    self.rowsPerCall = max(rowsPerCall, 1)
  }

  public var features: Int { model.features }
  public var outputs: Int { model.outputs }

  /// E_background f: the value of the empty coalition, `outputs` values.
  public func backgroundMean() throws -> [Double] {
    let out = try RowInput.evaluate(model, background, count: backgroundCount, what: "E f(background), the background rows")
    return Self.meanOverBackground(out, groups: 1, backgroundCount: backgroundCount, outputs: outputs)
  }

  public func values(of x: [Float], masks: [UInt8], count: Int) throws -> [Double] {
    let d = features
    let c = outputs
    guard x.count == d else { throw AttributionError.wrongWidth(expected: d, got: x.count) }
    guard masks.count == count * d else {
      throw AttributionError.invalidArgument("values(of:masks:count:): \(masks.count) mask bytes for \(count) coalitions of \(d) features")
    }
    let b = backgroundCount
    let perCall = max(1, min(rowsPerCall / b, count))
    // One input and one output buffer for every chunk: no allocation per coalition or per call.
    var rows = [Float](unsafeUninitializedCapacity: perCall * b * d) { _, initialized in initialized = perCall * b * d }
    var out = [Float](unsafeUninitializedCapacity: perCall * b * c) { _, initialized in initialized = perCall * b * c }
    var result = [Double](repeating: 0, count: count * c)
    var start = 0
    while start < count {
      let n = min(perCall, count - start)
      Self.fill(&rows, x: x, background: background, backgroundCount: b, masks: masks, from: start, count: n, features: d)
      try rows.withUnsafeBufferPointer { input in
        try out.withUnsafeMutableBufferPointer { output in
          try model.evaluate(UnsafeBufferPointer(rebasing: input[..<(n * b * d)]), count: n * b,
                             into: UnsafeMutableBufferPointer(rebasing: output[..<(n * b * c)]))
        }
      }
      result.withUnsafeMutableBufferPointer { means in
        out.withUnsafeBufferPointer { y in
          Self.meanOverBackground(y, groups: n, backgroundCount: b, outputs: c,
                                  into: UnsafeMutableBufferPointer(rebasing: means[(start * c)..<((start + n) * c)]))
        }
      }
      start += n
    }
    return result
  }

  /// Writes, for masks `from ..< from + count`, the B rows (x_S, b_¬S) of each mask into
  /// `buffer` (at least count·B·d values), each value written once.
  ///
  /// A value is picked by its bits, `(x & keep) | (b & ~keep)` with keep all ones for i ∈ S,
  /// so the rows are exact copies of x's and the background's values. The pattern (keep and
  /// x & keep) is laid out for a tile of several rows, so one flat loop over a tile's values
  /// vectorises however small d is.
  static func fill(_ buffer: inout [Float], x: [Float], background: [Float], backgroundCount b: Int,
                   masks: [UInt8], from: Int, count: Int, features d: Int) {
    precondition(buffer.count >= count * b * d && masks.count >= (from + count) * d && x.count == d && background.count == b * d,
      "InterventionalValueFunction.fill: buffer, masks, x or background too small")
    let tileRows = max(1, min(b, 256 / max(d, 1)))
    let tile = tileRows * d
    var keep = [UInt32](repeating: 0, count: tile)
    var kept = [UInt32](repeating: 0, count: tile)
    buffer.withUnsafeMutableBytes { outBytes in
      background.withUnsafeBytes { bgBytes in
        x.withUnsafeBytes { xBytes in
          masks.withUnsafeBufferPointer { m in
            keep.withUnsafeMutableBufferPointer { keep in
              kept.withUnsafeMutableBufferPointer { kept in
                let out = outBytes.baseAddress!.assumingMemoryBound(to: UInt32.self)
                let bg = bgBytes.baseAddress!.assumingMemoryBound(to: UInt32.self)
                let xv = xBytes.baseAddress!.assumingMemoryBound(to: UInt32.self)
                let (keep, kept) = (keep.baseAddress!, kept.baseAddress!)
                for k in 0..<count {
                  let mask = m.baseAddress! + (from + k) * d
                  let block = out + k * b * d
                  var members = 0
                  for i in 0..<d where mask[i] != 0 { members += 1 }
                  if members == 0 {
                    block.update(from: bg, count: b * d)
                    continue
                  }
                  for i in 0..<d {
                    let all: UInt32 = mask[i] != 0 ? ~0 : 0
                    keep[i] = all
                    kept[i] = xv[i] & all
                  }
                  for t in 1..<tileRows {
                    (keep + t * d).update(from: keep, count: d)
                    (kept + t * d).update(from: kept, count: d)
                  }
                  var start = 0
                  while start < b * d {
                    let n = min(tile, b * d - start)
                    let (target, source) = (block + start, bg + start)
                    for j in 0..<n { target[j] = kept[j] | (source[j] & ~keep[j]) }
                    start += n
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// Means over consecutive blocks of `backgroundCount` rows, in Double.
  static func meanOverBackground(_ out: [Float], groups: Int, backgroundCount b: Int, outputs c: Int) -> [Double] {
    var means = [Double](repeating: 0, count: groups * c)
    out.withUnsafeBufferPointer { y in
      means.withUnsafeMutableBufferPointer { m in meanOverBackground(y, groups: groups, backgroundCount: b, outputs: c, into: m) }
    }
    return means
  }

  /// Writes the means over consecutive blocks of `backgroundCount` rows of `out` (`outputs`
  /// values a row), in Double, into `means` (`groups × outputs` values).
  static func meanOverBackground(_ out: UnsafeBufferPointer<Float>, groups: Int, backgroundCount b: Int, outputs c: Int,
                                 into means: UnsafeMutableBufferPointer<Double>) {
    let scale = 1 / Double(b)
    for g in 0..<groups {
      for o in 0..<c {
        // Four partial sums, so the additions do not wait on each other.
        var (t0, t1, t2, t3) = (0.0, 0.0, 0.0, 0.0)
        let block = out.baseAddress! + g * b * c + o
        var r = 0
        while r + 4 <= b {
          t0 += Double(block[r * c])
          t1 += Double(block[(r + 1) * c])
          t2 += Double(block[(r + 2) * c])
          t3 += Double(block[(r + 3) * c])
          r += 4
        }
        while r < b {
          t0 += Double(block[r * c])
          r += 1
        }
        means[g * c + o] = ((t0 + t1) + (t2 + t3)) * scale
      }
    }
  }
}
