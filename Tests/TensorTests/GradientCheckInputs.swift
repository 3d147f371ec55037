// Random inputs for the gradient checks of the Tensor ops and layers (the checker itself is
// in TestSupport/GradientCheck.swift).

import Foundation
import PropertyBased
import Tensor
import Testing
import TestSupport

// MARK: - Random inputs

/// The number of property-check iterations: `base`, times GRADCHECK_SCALE when that is set
/// (e.g. GRADCHECK_SCALE=20 for a long hunt; CI runs the base counts).
func gradCheckCount(_ base: Int) -> Int {
  let scale = ProcessInfo.processInfo.environment["GRADCHECK_SCALE"].flatMap(Int.init) ?? 1
  return base * Swift.max(scale, 1)
}

/// Property generators shared by the gradient tests.
enum GradCheckGen {
  /// Shapes of rank `rank` with extents in `extent`.
  static func shape(rank: ClosedRange<Int> = 1...3, extent: ClosedRange<Int> = 1...5)
    -> Generator<[Int], Generator<Int, Shrink.Integer<Int>>.ArrayShrink>
  {
    Gen.int(in: extent).array(of: rank)
  }

  /// A seed for `RandomGenerator`.
  static var seed: Generator<UInt64, Shrink.Integer<UInt64>> { Gen.uint64(in: 0...UInt64.max) }
}

/// Values U[low, high).
func gradCheckUniform(_ shape: [Int], _ low: Float, _ high: Float, rng: inout RandomGenerator) -> Tensor {
  Tensor.randomUniform(shape, low: low, high: high, using: &rng)
}

/// Values U[low, high) at least `margin` away from every kink (resampled until they are).
func gradCheckUniform(
  _ shape: [Int], _ low: Float, _ high: Float, awayFrom kinks: [Float], margin: Float, rng: inout RandomGenerator
) -> Tensor {
  let n = shape.reduce(1, *)
  var values = [Float](repeating: 0, count: n)
  for i in 0..<n {
    var v: Float
    repeat { v = low + (high - low) * rng.nextUniform() } while kinks.contains { Swift.abs(v - $0) < margin }
    values[i] = v
  }
  return Tensor(shape: shape, scalars: values)
}

/// Values with a random sign and magnitude U[low, high) (low > 0): away from zero.
func gradCheckMagnitude(_ shape: [Int], _ low: Float, _ high: Float, rng: inout RandomGenerator) -> Tensor {
  let n = shape.reduce(1, *)
  return Tensor(
    shape: shape,
    scalars: (0..<n).map { _ in
      let m = low + (high - low) * rng.nextUniform()
      return rng.next() & 1 == 0 ? m : -m
    })
}

/// Pairwise distinct values: a random permutation of the grid k·spacing (centred on 0) with a
/// jitter of at most spacing/4, so any two values are at least spacing/2 apart.
func gradCheckDistinct(_ shape: [Int], spacing: Float, rng: inout RandomGenerator) -> Tensor {
  let n = shape.reduce(1, *)
  let order = rng.permutation(n)
  let centre = Float(n - 1) / 2
  return Tensor(
    shape: shape,
    scalars: order.map { (Float($0) - centre) * spacing + (rng.nextUniform() - 0.5) * spacing / 2 })
}

/// A shape that broadcasts to `shape`: some leading axes dropped, some extents set to 1.
func gradCheckBroadcastPartner(of shape: [Int], rng: inout RandomGenerator) -> [Int] {
  let drop = rng.nextInt(below: shape.count + 1)
  return shape.dropFirst(drop).map { rng.nextInt(below: 2) == 0 ? 1 : $0 }
}

/// The flat offsets of every line along `axis` (one array per line), in row-major order of
/// the other axes.
func gradCheckLines(shape: [Int], axis: Int) -> [[Int]] {
  let a = axis < 0 ? axis + shape.count : axis
  let strides = shape.indices.map { shape[($0 + 1)...].reduce(1, *) }
  let outer = shape[..<a].reduce(1, *)
  let inner = shape[(a + 1)...].reduce(1, *)
  var lines: [[Int]] = []
  for o in 0..<outer {
    for i in 0..<inner {
      lines.append((0..<shape[a]).map { o * shape[a] * inner + $0 * strides[a] + i })
    }
  }
  return lines
}

/// Reference sparsemax of one line and its threshold τ (Martins & Astudillo 2016).
func gradCheckSparsemaxReference(_ z: [Float]) -> (p: [Float], tau: Float) {
  let sorted = z.map(Double.init).sorted(by: >)
  var cumulative = 0.0
  var support = 0
  var supportSum = 0.0
  for (k, v) in sorted.enumerated() {
    cumulative += v
    if 1 + Double(k + 1) * v > cumulative {
      support = k + 1
      supportSum = cumulative
    }
  }
  let tau = (supportSum - 1) / Double(support)
  return (z.map { Float(Swift.max(Double($0) - tau, 0)) }, Float(tau))
}

/// The population standard deviation of each column of a [n, c] tensor.
func gradCheckColumnStandardDeviations(_ x: Tensor) -> [Float] {
  let (n, c) = (x.shape[0], x.shape[1])
  return (0..<c).map { j in
    let column = (0..<n).map { Double(x.scalars[$0 * c + j]) }
    let mean = column.reduce(0, +) / Double(n)
    return Float((column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot())
  }
}
