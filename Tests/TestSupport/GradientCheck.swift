// A reusable finite-difference gradient checker for the Tensor autodiff tape, shared by every
// test suite (TestSupport).
//
// Method. For a computation y = f(θ₁, …, θₘ) (the θ are input tensors or module parameters)
// we fix a random "upstream" tensor R of y's shape and look at the scalar objective
//
//     L(θ) = Σₖ yₖ(θ)·Rₖ.
//
// Autodiff gives ∂L/∂θ from `y.backward(R)` (which seeds the backward pass with dL/dy = R; it
// is exactly what `(y * R).sum().backward()` computes, and one test checks that equivalence).
// Every element θᵢ is then checked against the central difference
//
//     (L(θ + h·eᵢ) − L(θ − h·eᵢ)) / (θᵢ⁺ − θᵢ⁻),
//
// where θᵢ± = fl(θᵢ ± h) are the Float values actually fed to f, so the rounding of θᵢ ± h does
// not bias the step. The forward passes run inside `withoutGradient`, and L is accumulated in
// Double from the Float outputs, so summing does not add rounding error of its own: outputs
// that do not depend on θᵢ are bit-identical in both evaluations and cancel exactly.
//
// Tolerance. Everything is Float32 (unit roundoff u = 2⁻²⁴ ≈ 6e-8). The error of the central
// difference has two parts:
//
//   • truncation: (h²/6)·|∂³L/∂θᵢ³|, ≈ 1.7e-5·|L'''| for h = 1e-2. The tests keep inputs in
//     domains where |L'''| is O(1–30) (log/sqrt/division arguments ≥ 0.5–0.8, bounded exp and
//     pow arguments, normalisation layers only on batches whose per-feature standard
//     deviation is ≥ 0.5, and h = 5e-3 for the layers that stack normalisations), so this is
//     ≲ 5e-4 in absolute terms and ≲ 1e-3 relative to the gradient itself (h²/6·|f'''/f'|);
//   • rounding: every output yₖ that θᵢ influences is a Float carrying a relative error of a
//     few u, and the difference of two objectives is divided by 2h. For O(1) outputs that is
//     ~1e-5, but a scalar output that is a Float sum of N terms (a loss with reduction .sum)
//     can be off by several ulps of a large number: Σ of 125 BCE terms ≈ 200 has ulp 1.5e-5,
//     i.e. ≈ 1e-3 after dividing by 2h. So the bound has an explicit rounding allowance for
//     element i,
//
//         ρᵢ = 8u·Σ_{k: yₖ changed} max(|yₖ⁺|, |yₖ⁻|)·|Rₖ| / (θᵢ⁺ − θᵢ⁻),
//
//     a relative error of up to 8u on every output that moved (outputs that did not move are
//     bit-identical and cancel exactly, L being summed in Double). For an element-wise op on
//     O(1) values ρᵢ ≈ 5e-6·|y|, negligible; it only matters for large outputs.
//
// The acceptance bound is
//
//     |analytic − numeric| ≤ absolute + relative·max(|analytic|, |numeric|) + ρᵢ
//                          = 1e-3 + 3e-3·max(|a|, |n|) + ρᵢ          (the defaults)
//
// Measured over ~150,000 checks (GRADCHECK_SCALE=20, GRADCHECK_VERBOSE=1 prints the ratio
// |a − n|/bound of every check) the worst ratio was 0.35, i.e. a margin of about 3× over the
// worst observed error; typical checks use < 5% of the bound. The bound is tight: a missing
// factor 2, a sign error, a gradient routed to the wrong element or a broadcast axis that is
// not summed changes an element by ≥ |n| and fails as soon as |n| ≳ 1e-3, which random R makes
// certain for some element, and a gradient that is off by just 1% fails once |n| ≳ 0.15.
// `checkerAcceptsCorrectAndRejectsWrongGradients` checks the checker on wrong gradients.
//
// Kinks. relu/abs/clamp/max/sparsemax are differentiable only away from their kinks; tests
// using them draw values at least 3h from every kink (and distinct values at least 3h apart
// for max/sparsemax), so the central difference never straddles a kink (it moves one value by
// h, and sparsemax's threshold τ by at most h/|support|).

import Foundation
import PropertyBased
import Tensor
import Testing

// MARK: - Tolerance

/// Step and acceptance bound of a gradient check (see the file header for the argument).
public struct GradCheckTolerance: Sendable {
  /// The finite-difference step h.
  public var step: Float = 1e-2
  /// Relative part of the bound.
  public var relative: Double = 3e-3
  /// Absolute part of the bound.
  public var absolute: Double = 1e-3

  /// Relative rounding error (in units of u = 2⁻²⁴) allowed on every output a perturbation moves.
  public var roundingUnits: Double = 8

  public init(step: Float = 1e-2, relative: Double = 3e-3, absolute: Double = 1e-3, roundingUnits: Double = 8) {
    self.step = step
    self.relative = relative
    self.absolute = absolute
    self.roundingUnits = roundingUnits
  }

  public static let standard = GradCheckTolerance()
  /// h = 5e-3 for deep stacks of normalisations, whose third derivatives grow like 1/σ³:
  /// truncation shrinks 4×, rounding (accounted for by ρ) doubles.
  public static let fine = GradCheckTolerance(step: 5e-3)

  /// The acceptance bound for one element, given its rounding allowance.
  public func bound(analytic: Double, numeric: Double, rounding: Double = 0) -> Double {
    absolute + relative * Swift.max(Swift.abs(analytic), Swift.abs(numeric)) + rounding
  }
}

// MARK: - Comparison

/// One element whose analytic gradient disagrees with the finite difference.
public struct GradCheckMismatch: CustomStringConvertible, Sendable {
  public let slot: String
  public let shape: [Int]
  public let index: Int
  public let analytic: Double
  public let numeric: Double
  public let bound: Double

  public var description: String {
    "\(slot)\(gradCheckMultiIndex(index, shape: shape)): analytic \(analytic), numeric \(numeric), "
      + "|diff| \(Swift.abs(analytic - numeric)) > \(bound)"
  }
}

/// The elements where `analytic` and `numeric` disagree beyond the tolerance, and the largest
/// ratio |a − n| / bound seen (≤ 1 means everything passed).
public func gradCheckCompare(
  slot: String, shape: [Int], analytic: [Float], numeric: [Double], rounding: [Double]? = nil,
  tolerance: GradCheckTolerance
) -> (mismatches: [GradCheckMismatch], worstRatio: Double) {
  precondition(analytic.count == numeric.count)
  var mismatches: [GradCheckMismatch] = []
  var worst = 0.0
  for i in 0..<analytic.count {
    let a = Double(analytic[i])
    let n = numeric[i]
    let bound = tolerance.bound(analytic: a, numeric: n, rounding: rounding?[i] ?? 0)
    let ratio = a.isFinite && n.isFinite ? Swift.abs(a - n) / bound : .infinity
    worst = Swift.max(worst, ratio)
    if !(ratio <= 1) {
      mismatches.append(GradCheckMismatch(slot: slot, shape: shape, index: i, analytic: a, numeric: n, bound: bound))
    }
  }
  return (mismatches, worst)
}

/// "[i, j, k]" for a flat row-major offset.
public func gradCheckMultiIndex(_ flat: Int, shape: [Int]) -> String {
  var rest = flat
  var index = [Int](repeating: 0, count: shape.count)
  for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
    index[axis] = rest % shape[axis]
    rest /= shape[axis]
  }
  return "[" + index.map(String.init).joined(separator: ", ") + "]"
}

// MARK: - Slots

/// Something the checker perturbs and reads a gradient from: an input tensor or a parameter.
public struct GradCheckSlot {
  public let name: String
  /// The current values, without autodiff history.
  public let read: () -> Tensor
  /// Replaces the values with a fresh leaf that requires a gradient (its `grad` is empty).
  public let write: (Tensor) -> Void
  /// The gradient accumulated by the last `backward()`, if any reached this slot.
  public let gradient: () -> Tensor?

  public init(name: String, read: @escaping () -> Tensor, write: @escaping (Tensor) -> Void, gradient: @escaping () -> Tensor?) {
    self.name = name
    self.read = read
    self.write = write
    self.gradient = gradient
  }

  /// A module parameter (`Parameter.value` is replaced; its `didSet` makes it a leaf).
  public static func parameter(_ name: String, _ p: Parameter) -> GradCheckSlot {
    GradCheckSlot(
      name: name,
      read: { p.value.detached() },
      write: { p.value = $0.detached() },
      gradient: { p.grad })
  }
}

/// Input tensors the forward closure reads; slots point into it.
public final class GradCheckInputs {
  public var tensors: [Tensor]
  public init(_ tensors: [Tensor]) { self.tensors = tensors }

  public func slot(_ i: Int, name: String? = nil) -> GradCheckSlot {
    GradCheckSlot(
      name: name ?? "input \(i)",
      read: { [unowned self] in self.tensors[i].detached() },
      write: { [unowned self] t in
        var leaf = t.detached()
        leaf.requiresGrad = true
        self.tensors[i] = leaf
      },
      gradient: { [unowned self] in self.tensors[i].grad })
  }
}

/// What a check found.
public struct GradCheckReport {
  public var worstRatio = 0.0
  public var mismatches: [GradCheckMismatch] = []
  public var analytic: [Tensor?] = []
  public var numeric: [[Double]] = []
  /// The rounding allowance ρ of every element (see the header).
  public var rounding: [[Double]] = []
  public var passed: Bool { mismatches.isEmpty }
}

/// A fixed random upstream gradient R ~ U[−1, 1) of the output's shape.
public func gradCheckUpstream(_ shape: [Int], seed: UInt64) -> Tensor {
  var rng = RandomGenerator(seed: seed ^ 0x5EED_0F_0B_1EC7)
  return Tensor.randomUniform(shape, low: -1, high: 1, using: &rng)
}

/// L = Σ y·R in Double.
private func gradCheckObjective(_ y: Tensor, _ r: Tensor) -> Double {
  var total = 0.0
  for (a, b) in zip(y.scalars, r.scalars) { total += Double(a) * Double(b) }
  return total
}

private let gradCheckVerbose = ProcessInfo.processInfo.environment["GRADCHECK_VERBOSE"] != nil

/// Checks the gradients of `forward()` with respect to every slot against central
/// differences, recording an issue (with the worst elements) for each slot that disagrees.
@discardableResult
public func gradCheckSlots(
  _ slots: [GradCheckSlot], seed: UInt64, tolerance: GradCheckTolerance = .standard,
  label: String = "", recordIssues: Bool = true,
  sourceLocation: SourceLocation = #_sourceLocation, forward: () -> Tensor
) -> GradCheckReport {
  var report = GradCheckReport()
  // Analytic gradients: fresh leaves, one backward pass seeded with R.
  for slot in slots { slot.write(slot.read()) }
  let y = forward()
  if !y.requiresGrad {
    if recordIssues {
      Issue.record("\(label): the output \(y.shape) does not require a gradient", sourceLocation: sourceLocation)
    }
    report.mismatches.append(GradCheckMismatch(slot: "output", shape: y.shape, index: 0, analytic: .nan, numeric: .nan, bound: 0))
    return report
  }
  let r = gradCheckUpstream(y.shape, seed: seed)
  y.backward(r)
  report.analytic = slots.map { $0.gradient() }

  // Numeric gradients.
  let h = tolerance.step
  withoutGradient {
    for slot in slots {
      let base = slot.read()
      var numeric = [Double](repeating: 0, count: base.count)
      var rounding = [Double](repeating: 0, count: base.count)
      for i in 0..<base.count {
        var plus = base.scalars
        var minus = base.scalars
        plus[i] += h
        minus[i] -= h
        slot.write(Tensor(shape: base.shape, scalars: plus))
        let yPlus = forward()
        slot.write(Tensor(shape: base.shape, scalars: minus))
        let yMinus = forward()
        precondition(yPlus.shape == y.shape && yMinus.shape == y.shape, "gradCheck: output shape changed under perturbation")
        let step = Double(plus[i]) - Double(minus[i])
        numeric[i] = (gradCheckObjective(yPlus, r) - gradCheckObjective(yMinus, r)) / step
        var moved = 0.0
        for k in 0..<r.count where yPlus.scalars[k] != yMinus.scalars[k] {
          moved += Double(Swift.max(Swift.abs(yPlus.scalars[k]), Swift.abs(yMinus.scalars[k]))) * Double(Swift.abs(r.scalars[k]))
        }
        rounding[i] = tolerance.roundingUnits * Double(Float.ulpOfOne) / 2 * moved / step
      }
      slot.write(base)
      report.numeric.append(numeric)
      report.rounding.append(rounding)
    }
  }

  // Comparison.
  for (k, slot) in slots.enumerated() {
    let base = slot.read()
    let analytic = report.analytic[k]
    var values = [Float](repeating: 0, count: base.count)
    var note = ""
    if let analytic {
      if analytic.shape != base.shape || analytic.count != base.count {
        if recordIssues {
          Issue.record(
            "\(label): gradient of \(slot.name) has shape \(analytic.shape) (\(analytic.count) values), the values have shape \(base.shape)",
            sourceLocation: sourceLocation)
        }
        report.mismatches.append(GradCheckMismatch(slot: slot.name, shape: base.shape, index: 0, analytic: .nan, numeric: .nan, bound: 0))
        continue
      }
      values = analytic.scalars
    } else {
      note = " (no gradient reached this slot; compared as zeros)"
    }
    let (mismatches, worst) = gradCheckCompare(
      slot: slot.name, shape: base.shape, analytic: values, numeric: report.numeric[k], rounding: report.rounding[k],
      tolerance: tolerance)
    report.worstRatio = Swift.max(report.worstRatio, worst)
    report.mismatches += mismatches
    if recordIssues && !mismatches.isEmpty {
      let shown = mismatches.sorted { Swift.abs($0.analytic - $0.numeric) > Swift.abs($1.analytic - $1.numeric) }.prefix(4)
      Issue.record(
        """
        \(label): gradient of \(slot.name) \(base.shape) disagrees with central differences at \
        \(mismatches.count) of \(base.count) elements\(note) (output \(y.shape), seed \(seed)):
        \(shown.map { "  " + $0.description }.joined(separator: "\n"))
        """,
        sourceLocation: sourceLocation)
    }
  }
  if gradCheckVerbose {
    print("gradCheck \(label): worst |a-n|/bound = \(report.worstRatio)")
  }
  return report
}

/// Checks the gradients of `f(inputs)` with respect to the inputs listed in `wrt` (all by
/// default). Inputs not in `wrt` are passed as constants.
@discardableResult
public func gradCheck(
  _ inputs: [Tensor], wrt: [Int]? = nil, parameters: [(String, Parameter)] = [], seed: UInt64,
  tolerance: GradCheckTolerance = .standard, label: String = "", recordIssues: Bool = true,
  sourceLocation: SourceLocation = #_sourceLocation, _ f: @escaping ([Tensor]) -> Tensor
) -> GradCheckReport {
  let box = GradCheckInputs(inputs.map { $0.detached() })
  let slots = (wrt ?? Array(inputs.indices)).map { box.slot($0) }
    + parameters.map { GradCheckSlot.parameter($0.0, $0.1) }
  return gradCheckSlots(
    slots, seed: seed, tolerance: tolerance, label: label, recordIssues: recordIssues,
    sourceLocation: sourceLocation
  ) { f(box.tensors) }
}

