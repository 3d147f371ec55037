// ResidualNetworkStep, the tape-free training step of a residual network: the same bits on one
// thread and two, the tape's gradients up to float rounding (its batch sums are two partial
// sums), and the tape's outputs after steps of Adam. With BLAS.smallProductKernels on, the products go
// through libxsmm, as `sann train` runs them; that setting is process-wide, so those checks run
// in a child process (an exit test) where no other test sees it switched.

import Foundation
@testable import Tensor
import Testing

/// A residual network as TabResNet builds it (input layer, BatchNorm + GELU, blocks, head).
private struct Network {
  let input: Linear, norm: BatchNorm1d, blocks: [ResidualBlock], head: Linear
  let parameters: [Parameter]
  let step: ResidualNetworkStep
  let adam: Adam

  init(features: Int, width: Int, blocks count: Int, outputs: Int, seed: UInt64, detachesStep: Bool = true) {
    var rng = RandomGenerator(seed: seed)
    input = Linear(features, width, rng: &rng)
    norm = BatchNorm1d(width)
    blocks = (0..<count).map { _ in ResidualBlock(width: width, rng: &rng) }
    head = Linear(width, outputs, rng: &rng)
    // BN₂'s γ starts at 0 in a block; give every γ and β values of its own, so every path counts.
    for (i, bn) in ([norm] + blocks.flatMap { [$0.bn1, $0.bn2] }).enumerated() {
      var r = RandomGenerator(seed: seed &+ UInt64(i) &+ 1)
      bn.weight.value = Tensor(shape: [width], scalars: (0..<width).map { _ in 1 + 0.3 * r.nextNormal() })
      bn.bias.value = Tensor(shape: [width], scalars: (0..<width).map { _ in 0.3 * r.nextNormal() })
    }
    parameters = [input.weight, input.bias!, norm.weight, norm.bias]
      + blocks.flatMap { [$0.linear1.weight, $0.linear1.bias!, $0.bn1.weight, $0.bn1.bias, $0.linear2.weight, $0.linear2.bias!, $0.bn2.weight, $0.bn2.bias] }
      + [head.weight, head.bias!]
    step = ResidualNetworkStep(input: input, inputNorm: norm, blocks: blocks, head: head)!
    adam = Adam(parameters, learningRate: 0.01, weightDecay: 0.01)
    adam.detachesStep = detachesStep
  }

  var buffers: [Parameter] { ([norm] + blocks.flatMap { [$0.bn1, $0.bn2] }).flatMap { [$0.runningMean, $0.runningVar, $0.batchesTracked] } }

  func tapeOutput(_ x: Tensor) -> Tensor { head(blocks.reduce(norm.gelu(input(x))) { $1($0) }) }

  /// One step's gradients through the tape, or through ResidualNetworkStep; with `update`, Adam's
  /// step too (inside ResidualNetworkStep's backward pass when it is `fused`).
  func train(_ x: Tensor, _ c: Tensor, planned: Bool, update: Bool = false, fused: Bool = false) {
    adam.zeroGrad()
    var updated = false
    if planned {
      var o = step.forward(x)
      o.requiresGrad = true
      loss(o, c).backward()
      updated = step.backward(o.grad!, updating: fused ? adam : nil)
      precondition(updated == fused, "the fused update did not run")
    } else {
      loss(tapeOutput(x), c).backward()
    }
    if update && !updated { adam.step() }
  }
}

/// A loss of the head's output that weighs every output differently: Σ o·c + mean(o²).
private func loss(_ o: Tensor, _ c: Tensor) -> Tensor { (o * c).sum() + (o * o).mean() }

/// Batches of the given sizes.
private func batches(_ rows: [Int], features: Int, outputs: Int, seed: UInt64) -> [(Tensor, Tensor)] {
  var rng = RandomGenerator(seed: seed ^ 0x5EED)
  return rows.map { n in
    (Tensor(shape: [n, features], scalars: (0..<(n * features)).map { _ in 2 * rng.nextNormal() }),
     Tensor(shape: [n, outputs], scalars: (0..<(n * outputs)).map { _ in rng.nextNormal() }))
  }
}

private typealias Case = (features: Int, width: Int, blocks: Int, outputs: Int, rows: [Int])

/// INN's shapes (30 features, 31 outputs) and TabResNet's, other widths and depths, batch sizes
/// from the smallest taken to odd ones, and features beyond the width.
private let cases: [Case] = [
  (30, 128, 2, 31, [64, 64, 100]), (30, 128, 2, 1, [64, 127]), (5, 64, 1, 7, [16, 65]), (200, 96, 3, 40, [128, 80]),
  (1, 160, 0, 2, [64]), (17, 48, 1, 3, [90, 23]),
]

/// Whether the step gives the same bits on one thread with Adam's own step, on two with Adam's
/// step on both cores, and on one and two with the update inside the backward pass, after the
/// case's steps: a description of the first difference, or nil.
private func threadDifference(_ c: Case, seed: UInt64) -> String? {
  let runs: [(threads: Int, fused: Bool, detaches: Bool)] = [(1, false, true), (2, false, false), (1, true, true), (2, true, false)]
  let networks = runs.map { Network(features: c.features, width: c.width, blocks: c.blocks, outputs: c.outputs, seed: seed, detachesStep: $0.detaches) }
  defer { Parallelism.threadCount = 1 }
  for (index, (x, target)) in batches(c.rows, features: c.features, outputs: c.outputs, seed: seed).enumerated() {
    for (run, network) in zip(runs, networks) {
      Parallelism.threadCount = run.threads
      network.train(x, target, planned: true, update: true, fused: run.fused)
    }
    Parallelism.threadCount = 1
    for (run, network) in zip(runs, networks).dropFirst() {
      for (i, (a, b)) in zip(networks[0].parameters + networks[0].buffers, network.parameters + network.buffers).enumerated()
      where a.value.scalars.map(\.bitPattern) != b.value.scalars.map(\.bitPattern) || a.grad?.scalars.map(\.bitPattern) != b.grad?.scalars.map(\.bitPattern) {
        return "step \(index): slot \(i) \(a.shape) differs at \(run.threads) thread(s)\(run.fused ? ", update in the backward pass" : "")"
      }
    }
  }
  return nil
}

/// The largest difference between the step's gradients and the tape's, relative to the largest
/// gradient of the network (the gradient of a bias before a BatchNorm is 0 but for rounding, so
/// each slot's own scale would be noise), and between the two networks' outputs on a new batch
/// after the case's steps of Adam, relative to the largest output.
private func tapeDifference(_ c: Case, seed: UInt64) -> (gradient: Float, output: Float) {
  let tape = Network(features: c.features, width: c.width, blocks: c.blocks, outputs: c.outputs, seed: seed)
  let planned = Network(features: c.features, width: c.width, blocks: c.blocks, outputs: c.outputs, seed: seed)
  func difference(_ a: [Float], _ b: [Float]) -> Float { a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity }
  var worst: Float = 0
  for (x, target) in batches(c.rows, features: c.features, outputs: c.outputs, seed: seed) {
    tape.train(x, target, planned: false)
    planned.train(x, target, planned: true)
    let scale = tape.parameters.map { $0.grad!.scalars.map { abs($0) }.max() ?? 0 }.max() ?? 0
    for (a, b) in zip(tape.parameters, planned.parameters) {
      worst = Swift.max(worst, difference(a.grad!.scalars, b.grad?.scalars ?? []) / scale)
    }
    tape.adam.step()
    planned.adam.step()
  }
  let (x, _) = batches([c.rows[0]], features: c.features, outputs: c.outputs, seed: seed &+ 99)[0]
  let (a, b) = (tape.tapeOutput(x).scalars, planned.tapeOutput(x).scalars)
  return (worst, difference(a, b) / Swift.max(a.map { abs($0) }.max() ?? 0, 1e-6))
}

@Suite("Tape-free training step of a residual network")
struct ResidualNetworkStepTests {
  @Test("the same bits on 1 and 2 threads, with Adam's step after the pass or inside it, with OpenBLAS's products", arguments: cases.indices)
  func sameBitsOnTwoThreads(index: Int) {
    #expect(threadDifference(cases[index], seed: UInt64(7 + index)) == nil)
  }

  @Test("the tape's gradients up to float rounding, and the tape's outputs after steps of Adam", arguments: cases.indices)
  func closeToTape(index: Int) {
    let (gradient, output) = tapeDifference(cases[index], seed: UInt64(11 + index))
    // Sums over the batch in two parts: a few ulp of the largest gradient. Adam moves a weight
    // by about the learning rate whatever its gradient's size, so where a gradient is rounding
    // noise (a bias before a BatchNorm, which the BatchNorm cancels) the weights part; the
    // outputs do not.
    #expect(gradient <= 1e-5, "\(cases[index]): gradients differ by \(gradient) of the largest")
    #expect(output <= 1e-3, "\(cases[index]): outputs differ by \(output) of the largest")
  }

  @Test("with libxsmm's products (as sann train runs): the same bits on 1 and 2 threads, with the update inside the pass or not, and close to the tape")
  func libxsmmProducts() async {
    await #expect(processExitsWith: .success) {
      BLAS.threadCount = 1
      BLAS.smallProductKernels = true
      var failed = false
      for (i, c) in cases.enumerated() {
        if let difference = threadDifference(c, seed: UInt64(7 + i)) {
          print("\(c): \(difference)")
          failed = true
        }
        let (gradient, output) = tapeDifference(c, seed: UInt64(11 + i))
        if !(gradient <= 1e-5 && output <= 1e-3) {
          print("\(c): differs from the tape by \(gradient) (gradients), \(output) (outputs)")
          failed = true
        }
      }
      if failed { exit(1) }
    }
  }

  @Test("takes the update into the pass only for an optimizer that updates each of its parameters once")
  func fusedUpdateNeedsEveryParameterOnce() {
    let network = Network(features: 6, width: 32, blocks: 1, outputs: 2, seed: 4)
    let (x, c) = batches([32], features: 6, outputs: 2, seed: 4)[0]
    let others = [Adam(Array(network.parameters.dropLast())), Adam(network.parameters + [network.head.bias!])]
    for adam in others {
      let before = network.parameters.map(\.value.scalars)
      var o = network.step.forward(x)
      o.requiresGrad = true
      loss(o, c).backward()
      #expect(!network.step.backward(o.grad!, updating: adam))
      // Nothing moved, and the gradients are there for adam.step().
      #expect(network.parameters.map(\.value.scalars) == before)
      #expect(network.parameters.allSatisfy { $0.grad != nil })
      network.adam.zeroGrad()
    }
    network.train(x, c, planned: true, update: true, fused: true)
    #expect(network.parameters.allSatisfy { $0.grad != nil })
  }

  @Test("built for networks without dropout and with a bias in every layer; takes batches of 16 rows or more")
  func refusesOtherNetworks() {
    var rng = RandomGenerator(seed: 1)
    func step(width: Int, dropout: Float = 0, headBias: Bool = true) -> ResidualNetworkStep? {
      ResidualNetworkStep(input: Linear(10, width, rng: &rng), inputNorm: BatchNorm1d(width),
                          blocks: [ResidualBlock(width: width, dropout: dropout, rng: &rng)], head: Linear(width, 3, bias: headBias, rng: &rng))
    }
    #expect(step(width: 128) != nil)
    #expect(step(width: 7) != nil)
    #expect(step(width: 128, dropout: 0.1) == nil)
    #expect(step(width: 128, headBias: false) == nil)
    #expect(ResidualNetworkStep(input: Linear(10, 64, rng: &rng), inputNorm: BatchNorm1d(32), blocks: [], head: Linear(64, 1, rng: &rng)) == nil)
    #expect(step(width: 128)!.accepts(rows: 16))
    #expect(!step(width: 128)!.accepts(rows: 15))
  }
}

