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
    let out = try RowInput.evaluate(model, background, count: backgroundCount)
    return Self.meanOverBackground(out, groups: 1, backgroundCount: backgroundCount, outputs: outputs)
  }

  public func values(of x: [Float], masks: [UInt8], count: Int) throws -> [Double] {
    let d = features
    guard x.count == d else { throw AttributionError.wrongWidth(expected: d, got: x.count) }
    guard masks.count == count * d else {
      throw AttributionError.invalidArgument("values(of:masks:count:): \(masks.count) mask bytes for \(count) coalitions of \(d) features")
    }
    let b = backgroundCount
    let perCall = max(1, rowsPerCall / b)
    var result = [Double]()
    result.reserveCapacity(count * outputs)
    var buffer = [Float](repeating: 0, count: min(perCall, count) * b * d)
    var start = 0
    while start < count {
      let n = min(perCall, count - start)
      if buffer.count != n * b * d { buffer = [Float](repeating: 0, count: n * b * d) }
      Self.fill(&buffer, x: x, background: background, backgroundCount: b, masks: masks, from: start, count: n, features: d)
      let out = try RowInput.evaluate(model, buffer, count: n * b)
      result.append(contentsOf: Self.meanOverBackground(out, groups: n, backgroundCount: b, outputs: outputs))
      start += n
    }
    return result
  }

  /// Writes, for masks `from ..< from + count`, the B rows (x_S, b_¬S) of each mask.
  static func fill(_ buffer: inout [Float], x: [Float], background: [Float], backgroundCount b: Int,
                   masks: [UInt8], from: Int, count: Int, features d: Int) {
    var kept = [Int](repeating: 0, count: d)
    buffer.withUnsafeMutableBufferPointer { out in
      background.withUnsafeBufferPointer { bg in
        x.withUnsafeBufferPointer { xv in
          masks.withUnsafeBufferPointer { m in
            for k in 0..<count {
              var keptCount = 0
              let mask = m.baseAddress! + (from + k) * d
              for i in 0..<d where mask[i] != 0 {
                kept[keptCount] = i
                keptCount += 1
              }
              let block = out.baseAddress! + k * b * d
              block.update(from: bg.baseAddress!, count: b * d)
              if keptCount == 0 { continue }
              for r in 0..<b {
                let row = block + r * d
                for t in 0..<keptCount { row[kept[t]] = xv[kept[t]] }
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
      for g in 0..<groups {
        for r in 0..<b {
          let row = y.baseAddress! + (g * b + r) * c
          for o in 0..<c { means[g * c + o] += Double(row[o]) }
        }
      }
    }
    let scale = 1 / Double(b)
    for k in means.indices { means[k] *= scale }
    return means
  }
}
