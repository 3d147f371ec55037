import CSmallGEMM
import CTensorKernels

/// The forward and backward pass of a training step of a residual network, without the tape:
///
///   input Linear → BatchNorm + GELU → ResidualBlocks (no dropout) → head Linear
///
/// (TabResNet's trunk and its head, or INN's hypernetwork). The batch is cut into two blocks of
/// rows, and each block goes through every layer on its own core, end to end: only the batch
/// statistics cross between the cores (each core sums its rows; both then combine the two
/// partial results the same way), and the parameter gradients, which each core computes from
/// its rows and ``backward(_:)`` adds up at the end. So no activation moves between the cores.
/// On one thread the two blocks run one after the other with the same arithmetic, so the values
/// do not depend on ``Parallelism/threadCount``. They differ from the tape's in the last bits
/// (sums over the batch taken as two partial sums), well within float rounding (the tests bound
/// the difference).
///
/// ``forward(_:)`` returns the head's output; the caller differentiates its loss with respect
/// to it (on the tape: it is small) and passes that gradient to ``backward(_:)``, which adds
/// every parameter's gradient to its ``Parameter/grad`` as `backward()` would. Buffers are kept
/// from step to step. Pair it with an ``Adam`` whose ``Adam/detachesStep`` is false, so the
/// helper thread is free when the next step starts.
public final class ResidualNetworkStep {
  public let input: Linear
  public let inputNorm: BatchNorm1d
  public let blocks: [ResidualBlock]
  public let head: Linear
  let width: Int
  /// The trunk's layers in order: a Linear and the BatchNorm + GELU after it, and whether the
  /// layer adds the output of layer `index − 2` before GELU (a block's second layer).
  private let layers: [(linear: Linear, norm: BatchNorm1d, residual: Bool)]
  private var buffers: Buffers?

  /// The smallest batch taken: each block of rows then holds at least 8.
  public static let minimumRows = 16

  /// Nil unless every layer has a bias, the blocks have no dropout and the sizes agree.
  public init?(input: Linear, inputNorm: BatchNorm1d, blocks: [ResidualBlock], head: Linear) {
    let width = input.outFeatures
    var layers: [(linear: Linear, norm: BatchNorm1d, residual: Bool)] = [(input, inputNorm, false)]
    for block in blocks {
      guard block.dropout.probability == 0 else { return nil }
      layers.append((block.linear1, block.bn1, false))
      layers.append((block.linear2, block.bn2, true))
    }
    guard layers.allSatisfy({ $0.linear.bias != nil && $0.linear.outFeatures == width && $0.norm.features == width }),
          layers.dropFirst().allSatisfy({ $0.linear.inFeatures == width }),
          head.bias != nil, head.inFeatures == width, input.inFeatures >= 1 else { return nil }
    self.input = input
    self.inputNorm = inputNorm
    self.blocks = blocks
    self.head = head
    self.width = width
    self.layers = layers
  }

  /// The weights it computes gradients for: every layer's weight and bias, and every
  /// BatchNorm's γ and β.
  public var parameters: [Parameter] {
    layers.flatMap { [$0.linear.weight, $0.linear.bias!, $0.norm.weight, $0.norm.bias] } + [head.weight, head.bias!]
  }

  /// Whether a batch of `rows` rows goes through this pass (at least ``minimumRows``).
  public func accepts(rows: Int) -> Bool { rows >= Self.minimumRows }

  /// The head's output [rows, outputs] for a batch x [rows, features], in training mode: the
  /// batch statistics normalise, and each BatchNorm's running statistics move as in the tape's
  /// forward pass. Keeps what ``backward(_:)`` needs.
  public func forward(_ x: Tensor) -> Tensor {
    let rows = x.shape[0], features = input.inFeatures, outputs = head.outFeatures
    precondition(x.rank == 2 && x.shape[1] == features, "ResidualNetworkStep: input must be [n, \(features)], got \(x.shape)")
    precondition(accepts(rows: rows), "ResidualNetworkStep: a batch needs at least \(Self.minimumRows) rows, got \(rows)")
    if (buffers?.capacity ?? 0) < rows {
      buffers = Buffers(capacity: rows, width: width, layers: layers.count, features: features, outputs: outputs)
    }
    let b = buffers!
    b.rows = rows
    b.input = x.scalars
    b.usesTransposes = BLAS.smallProductKernels
    b.hasForward = true
    let width = self.width, count = layers.count
    let parts = rowParts(rows)
    // The parameters' arrays stay alive, and unchanged, while their addresses are used.
    let weights = layers.map { $0.linear.weight.value.scalars } + [head.weight.value.scalars]
    let biases = layers.map { $0.linear.bias!.value.scalars } + [head.bias!.value.scalars]
    let gammas = layers.map { $0.norm.weight.value.scalars }, betas = layers.map { $0.norm.bias.value.scalars }
    let epsilons = layers.map(\.norm.epsilon)
    let residual = layers.map(\.residual)
    var headOutput = [Float](repeating: 0, count: rows * outputs)
    withAddresses(weights) { w in
      withAddresses(biases) { bias in
        withAddresses(gammas) { gamma in
          withAddresses(betas) { beta in
            b.input.withUnsafeBufferPointer { firstInput in
              headOutput.withUnsafeMutableBufferPointer { headOut in
                // Every weight matrix transposed for libxsmm's kernels, each core half of its rows.
                if b.usesTransposes {
                  runTwoParts { part in
                    for layer in 0...count {
                      let (outs, ins) = layer < count ? (width, layer == 0 ? features : width) : (outputs, width)
                      let cut = outs / 2
                      let rows = part == 0 ? 0..<cut : cut..<outs
                      sann_transpose(w[layer] + rows.lowerBound * ins, rows.count, ins, ins, b.transposed(layer) + rows.lowerBound,
                                     outs + 16)
                    }
                  }
                }
                // Stage s: layer s − 1's normalisation and GELU (its statistics combined from
                // both blocks), then layer s's product and its block's statistics; the last
                // stage ends with the head.
                for stage in 0...count {
                  runTwoParts { part in
                    let r = parts[part]
                    guard !r.isEmpty else { return }
                    let first = r.lowerBound, n = r.count
                    if stage > 0 {
                      let layer = stage - 1
                      let stats = b.combined(layer, part: part)
                      combineStatistics(b.partial(layer, part: 0), b.partial(layer, part: 1), parts[0].count, parts[1].count,
                                        width: width, epsilon: epsilons[layer], into: stats)
                      let offset = first * width
                      sann_batch_norm_gelu_rows(b.z(layer) + offset, residual[layer] ? UnsafePointer(b.output(layer - 2) + offset) : nil,
                                                n, width, stats, stats + 2 * width, gamma[layer], beta[layer],
                                                b.xhat(layer) + offset, b.cdf(layer) + offset, b.output(layer) + offset)
                    }
                    if stage < count {
                      let inputs = stage == 0 ? features : width
                      let source = stage == 0 ? firstInput.baseAddress! + first * features : UnsafePointer(b.output(stage - 1) + first * width)
                      affine(source, rows: n, inputs: inputs, weight: w[stage], transposed: b.transposedIfUsed(stage), bias: bias[stage],
                             outputs: width, into: b.z(stage) + first * width)
                      // This block's mean and biased variance (the third row is scratch).
                      let partial = b.partial(stage, part: part)
                      partial.initialize(repeating: 0, count: 2 * width)
                      sann_batch_norm_statistics(b.z(stage) + first * width, n, width, epsilons[stage], partial, partial + width,
                                                 partial + 2 * width)
                    } else {
                      affine(b.output(count - 1) + first * width, rows: n, inputs: width, weight: w[count],
                             transposed: b.transposedIfUsed(count), bias: bias[count], outputs: outputs,
                             into: headOut.baseAddress! + first * outputs)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    for (index, layer) in layers.enumerated() {
      let stats = b.combined(index, part: 0)
      layer.norm.updateRunningStatistics(mean: Tensor(unchecked: [width], Array(UnsafeBufferPointer(start: stats, count: width))),
                                         variance: Tensor(unchecked: [width], Array(UnsafeBufferPointer(start: stats + width, count: width))),
                                         rows: rows)
    }
    return Tensor(unchecked: [rows, outputs], headOutput)
  }

  /// Adds the gradients of every parameter (the head's and the trunk's) to their
  /// ``Parameter/grad``, given ∂loss/∂(head output) for the batch of the last ``forward(_:)``.
  ///
  /// With an `optimizer` that updates every one of ``parameters`` (once each), it also takes
  /// that optimizer's step for them, as ``Adam/step()`` would with these gradients: each layer's
  /// update runs inside the pass, on both cores, as soon as nothing reads the layer's values any
  /// more, while its gradients are still in the cores' caches. Returns whether it did (then do
  /// not call `optimizer.step()` for this batch); without an optimizer, or when it cannot (a
  /// parameter the optimizer does not update, or updates twice), false.
  @discardableResult
  public func backward(_ gradient: Tensor, updating optimizer: Adam? = nil) -> Bool {
    guard let b = buffers, b.hasForward else { preconditionFailure("ResidualNetworkStep.backward before forward") }
    let rows = b.rows, width = self.width, outputs = head.outFeatures, count = layers.count, features = input.inFeatures
    precondition(gradient.shape == [rows, outputs], "ResidualNetworkStep.backward: gradient must be [\(rows), \(outputs)], got \(gradient.shape)")
    b.hasForward = false
    let parts = rowParts(rows)
    let all = parameters
    // The update's values are the ones read here: no other reference to their arrays is taken.
    let updates = optimizer.flatMap { $0.preparedUpdates(for: all) }
    var kept: [[Float]] = []
    /// The values of parameter `k` of ``parameters``.
    func values(_ k: Int) -> UnsafePointer<Float> {
      if let updates { return UnsafePointer(updates[k].value) }
      let array = all[k].value.scalars
      kept.append(array)
      return array.withUnsafeBufferPointer { $0.baseAddress! }
    }
    let w = (0...count).map { values(4 * $0) }
    let gamma = (0..<count).map { values(4 * $0 + 2) }, beta = (0..<count).map { values(4 * $0 + 3) }
    /// Part `part`'s half of the update of layer `stage` (the head's at `count`), from the summed
    /// weight and bias gradients and, for a BatchNorm, the part's copy of its sums.
    func update(_ stage: Int, part: Int) {
      guard let updates else { return }
      let first = 4 * stage
      let grads: [UnsafePointer<Float>] = [UnsafePointer(sumAddresses[2 * stage]), UnsafePointer(sumAddresses[2 * stage + 1])]
        + (stage < count ? [UnsafePointer(b.combinedSums(stage, part: part) + width), UnsafePointer(b.combinedSums(stage, part: part))] : [])
      for (k, g) in grads.enumerated() {
        let n = updates[first + k].count, half = n / 2
        updates[first + k].apply(gradient: g, range: part == 0 ? 0..<half : half..<n)
      }
    }
    let residual = layers.map(\.residual)
    let inputsOf = layers.map(\.linear.inFeatures) + [width]
    let total = Float(rows)
    // The gradients of each layer's weight and bias (the head's last), the two blocks' parts
    // added up by both cores, each half the values, one stage after they are computed.
    var sums: [[Float]] = (0...count).flatMap { stage -> [[Float]] in
      let outs = stage < count ? width : outputs
      // Written whole by addParts: not zero-filled first.
      return [makeArray(count: outs * inputsOf[stage]) { _ in }, makeArray(count: outs) { _ in }]
    }
    let sumAddresses = sums.indices.map { i in sums[i].withUnsafeMutableBufferPointer { $0.baseAddress! } }
    func addParts(_ stage: Int, part: Int) {
      let outs = stage < count ? width : outputs
      for (index, (a, b, n)) in [(b.weightGradient(stage, part: 0), b.weightGradient(stage, part: 1), outs * inputsOf[stage]),
                                 (b.biasGradient(stage, part: 0), b.biasGradient(stage, part: 1), outs)].enumerated() {
        let half = n / 2, (start, length) = part == 0 ? (0, half) : (half, n - half)
        sann_add(a + start, b + start, sumAddresses[2 * stage + index] + start, length)
      }
    }
    withExtendedLifetime(kept) {
      b.input.withUnsafeBufferPointer { firstInput in
        gradient.scalars.withUnsafeBufferPointer { headGradient in
          // Stage s (from the top): layer s's linear backward for the block (∂W and ∂b from
          // its rows, and its rows of ∂x), then layer s − 1's GELU backward and the block's
          // sums for its BatchNorm; the head first. Stage s also finishes layer s's
          // BatchNorm: its dz from both blocks' sums.
          for stage in stride(from: count, through: 0, by: -1) {
            runTwoParts { part in
              if stage < count {
                addParts(stage + 1, part: part)
                update(stage + 1, part: part)
              }
              let r = parts[part]
              guard !r.isEmpty else { return }
              let first = r.lowerBound, n = r.count
              let inputs = inputsOf[stage]
              let (dz, outputsHere): (UnsafePointer<Float>, Int)
              if stage == count {
                dz = headGradient.baseAddress! + first * outputs
                outputsHere = outputs
              } else {
                // Layer `stage`'s BatchNorm: both blocks' sums, then this block's dz.
                let sums = b.combinedSums(stage, part: part)
                let stats = b.combined(stage, part: part)
                let (p0, p1) = (b.partialSums(stage, part: 0), b.partialSums(stage, part: 1))
                for j in 0..<(2 * width) { sums[j] = p0[j] + p1[j] }
                let scale = b.scale(part)
                for j in 0..<width { scale[j] = gamma[stage][j] * stats[2 * width + j] / total }
                let offset = first * width
                let du = residual[stage] ? b.residualGradient(stage) : b.dz
                sann_batch_norm_dx_rows(du + offset, b.xhat(stage) + offset, n, width, rows, scale, sums, sums + width,
                                        b.dz + offset)
                dz = UnsafePointer(b.dz + offset)
                outputsHere = width
              }
              // ∂W and ∂b from this block's rows.
              let source = stage == 0 ? firstInput.baseAddress! + first * features : UnsafePointer(b.output(stage - 1) + first * width)
              product(dz, source, transposeA: true, transposeB: false, m: outputsHere, n: inputs, k: n,
                      into: b.weightGradient(stage, part: part))
              sann_column_sums(dz, n, outputsHere, outputsHere, b.biasGradient(stage, part: part))
              guard stage > 0 else { return }
              // This block's rows of ∂(layer stage − 1's output): dz·W, plus the residual's.
              let below = stage - 1, offset = first * width
              let g = b.gradient + offset
              product(dz, w[stage], transposeA: false, transposeB: false, m: n, n: width, k: outputsHere, into: g)
              if below + 2 < count, residual[below + 2] {
                sann_add(b.residualGradient(below + 2) + offset, g, g, n * width)
              }
              // Layer stage − 1's GELU backward and this block's BatchNorm sums.
              let sums = b.partialSums(below, part: part)
              sums.initialize(repeating: 0, count: 2 * width)
              let du = residual[below] ? b.residualGradient(below) : b.dz
              sann_batch_norm_gelu_backward_rows(g, b.xhat(below) + offset, b.cdf(below) + offset,
                                                 residual[below] ? UnsafePointer(b.output(below - 2) + offset) : nil, n, width,
                                                 gamma[below], beta[below], du + offset, sums, sums + width)
            }
          }
        }
      }
    }
    runTwoParts { part in
      addParts(0, part: part)
      update(0, part: part)
    }
    var gradients: [(Parameter, [Float])] = []
    for stage in 0...count {
      let (weight, bias) = stage < count ? (layers[stage].linear.weight, layers[stage].linear.bias!) : (head.weight, head.bias!)
      gradients.append((weight, sums[2 * stage]))
      gradients.append((bias, sums[2 * stage + 1]))
      if stage < count {
        let normSums = b.combinedSums(stage, part: 0)
        gradients.append((layers[stage].norm.weight, Array(UnsafeBufferPointer(start: normSums + width, count: width))))
        gradients.append((layers[stage].norm.bias, Array(UnsafeBufferPointer(start: normSums, count: width))))
      }
    }
    sums = []
    for (parameter, values) in gradients {
      let g = Tensor(unchecked: parameter.shape, values)
      parameter.grad = parameter.grad.map { $0 + g } ?? g
    }
    return updates != nil
  }

  /// The two blocks of rows: the first holding the larger half, cut on a multiple of 8.
  private func rowParts(_ rows: Int) -> [Range<Int>] {
    let cut = splitPoint(rows)
    return [0..<cut, cut..<rows]
  }
}

/// y = x·Wᵀ + b for `rows` rows: through libxsmm from Wᵀ (rows `outputs + 16` apart) when it is
/// given and libxsmm has a kernel, else OpenBLAS with y prefilled by b.
private func affine(_ x: UnsafePointer<Float>, rows: Int, inputs: Int, weight: UnsafePointer<Float>,
                    transposed: UnsafePointer<Float>?, bias: UnsafePointer<Float>, outputs: Int, into y: UnsafeMutablePointer<Float>) {
  if let transposed, rows * inputs * outputs <= smallProductLimit,
     sann_small_sgemm_nn_columns(Int32(rows), Int32(outputs), Int32(inputs), x, transposed, Int32(outputs + 16), y, Int32(outputs)) != 0 {
    sann_bias_add_strided(y, bias, rows, outputs, outputs)
    return
  }
  for r in 0..<rows { (y + r * outputs).update(from: bias, count: outputs) }
  sgemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs, x, weight, beta: 1, y)
}

/// Mean, biased variance and 1/√(variance + ε) of the whole batch from two blocks' means and
/// biased variances (each [2·width]: means, then variances) of `n0` and `n1` rows, by Chan et
/// al.'s pairwise formula: M₂ = M₂⁰ + M₂¹ + δ²·n₀n₁/n with δ the difference of the means.
private func combineStatistics(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n0: Int, _ n1: Int, width: Int,
                               epsilon: Float, into out: UnsafeMutablePointer<Float>) {
  let (f0, f1) = (Float(n0), Float(n1)), n = Float(n0 + n1)
  let weight = f0 * f1 / n
  for j in 0..<width {
    let (m0, m1) = (a[j], b[j])
    let mean = (m0 * f0 + m1 * f1) / n
    let delta = m1 - m0
    let m2 = a[width + j] * f0 + b[width + j] * f1 + delta * delta * weight
    let variance = m2 / n
    out[j] = mean
    out[width + j] = variance
    out[2 * width + j] = 1 / (variance + epsilon).squareRoot()
  }
}

/// The activations of a step and its gradients in flight, for batches of up to `capacity` rows.
private final class Buffers {
  let capacity: Int, width: Int, layers: Int, features: Int, outputs: Int
  var rows = 0
  var hasForward = false
  /// The batch of the last forward pass.
  var input: [Float] = []
  /// Per layer: x̂, Φ, the output, the product before normalisation and the residual's gradient
  /// (capacity × width each).
  private let planes: UnsafeMutablePointer<Float>
  /// Per layer and block: mean and variance of the block, then of the batch and 1/σ (each core
  /// its own copy); the block's BatchNorm sums, and both blocks'.
  private let stats: UnsafeMutablePointer<Float>
  /// Per layer and block: ∂W and ∂b from the block's rows (the head's after the trunk's).
  private let parameterGradients: UnsafeMutablePointer<Float>
  private var gradientOffsets: [(weight: Int, bias: Int)] = []
  /// dz and ∂(output) of the layer at hand (capacity × width each).
  let dz: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>
  /// Each weight matrix transposed (inputs × (outputs + 16)), when libxsmm computes the products.
  private let transposes: UnsafeMutablePointer<Float>
  private var transposeOffsets: [Int] = []
  /// Whether the forward products go through libxsmm (``BLAS/smallProductKernels``, read at
  /// each forward pass), from the transposed weights.
  var usesTransposes = false

  private static let planesPerLayer = 5, statsPerLayerPart = 10

  init(capacity: Int, width: Int, layers: Int, features: Int, outputs: Int) {
    (self.capacity, self.width, self.layers, self.features, self.outputs) = (capacity, width, layers, features, outputs)
    let plane = capacity * width
    planes = Self.allocate(Self.planesPerLayer * layers * plane)
    stats = Self.allocate(2 * Self.statsPerLayerPart * layers * width + 2 * width)
    var offset = 0
    for layer in 0...layers {
      let (outs, ins) = layer < layers ? (width, layer == 0 ? features : width) : (outputs, width)
      gradientOffsets.append((offset, offset + 2 * outs * ins))
      offset += 2 * outs * ins + 2 * outs
    }
    parameterGradients = Self.allocate(offset)
    dz = Self.allocate(plane)
    gradient = Self.allocate(plane)
    var transposed = 0
    for layer in 0...layers {
      let (outs, ins) = layer < layers ? (width, layer == 0 ? features : width) : (outputs, width)
      transposeOffsets.append(transposed)
      // Each matrix on a cache line's boundary.
      transposed += (ins * (outs + 16) + 15) / 16 * 16
    }
    transposes = Self.allocate(transposed)
  }

  deinit {
    for p in [planes, stats, parameterGradients, dz, gradient, transposes] { UnsafeMutableRawPointer(p).deallocate() }
  }

  /// `count` floats on a cache line's boundary, so the blocks' rows (cut on multiples of 8
  /// rows) share no cache line.
  private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
      .bindMemory(to: Float.self, capacity: Swift.max(count, 1))
  }

  private func plane(_ layer: Int, _ index: Int) -> UnsafeMutablePointer<Float> {
    planes + (Self.planesPerLayer * layer + index) * capacity * width
  }
  func xhat(_ layer: Int) -> UnsafeMutablePointer<Float> { plane(layer, 0) }
  func cdf(_ layer: Int) -> UnsafeMutablePointer<Float> { plane(layer, 1) }
  func output(_ layer: Int) -> UnsafeMutablePointer<Float> { plane(layer, 2) }
  func z(_ layer: Int) -> UnsafeMutablePointer<Float> { plane(layer, 3) }
  func residualGradient(_ layer: Int) -> UnsafeMutablePointer<Float> { plane(layer, 4) }

  private func statsBlock(_ layer: Int, _ part: Int) -> UnsafeMutablePointer<Float> {
    stats + (2 * layer + part) * Self.statsPerLayerPart * width
  }
  /// The block's mean and variance (and scratch), 3 × width.
  func partial(_ layer: Int, part: Int) -> UnsafeMutablePointer<Float> { statsBlock(layer, part) }
  /// The batch's mean, variance and 1/σ, 3 × width, as computed by core `part`.
  func combined(_ layer: Int, part: Int) -> UnsafeMutablePointer<Float> { statsBlock(layer, part) + 3 * width }
  /// The block's Σ dz and Σ dz·x̂, 2 × width.
  func partialSums(_ layer: Int, part: Int) -> UnsafeMutablePointer<Float> { statsBlock(layer, part) + 6 * width }
  /// Both blocks' sums, 2 × width, as computed by core `part`.
  func combinedSums(_ layer: Int, part: Int) -> UnsafeMutablePointer<Float> { statsBlock(layer, part) + 8 * width }
  /// Core `part`'s γ·(1/σ)/n.
  func scale(_ part: Int) -> UnsafeMutablePointer<Float> { stats + 2 * Self.statsPerLayerPart * layers * width + part * width }

  func weightGradient(_ layer: Int, part: Int) -> UnsafeMutablePointer<Float> {
    let (outs, ins) = layer < layers ? (width, layer == 0 ? features : width) : (outputs, width)
    return parameterGradients + gradientOffsets[layer].weight + part * outs * ins
  }
  func biasGradient(_ layer: Int, part: Int) -> UnsafeMutablePointer<Float> {
    parameterGradients + gradientOffsets[layer].bias + part * (layer < layers ? width : outputs)
  }
  func transposed(_ layer: Int) -> UnsafeMutablePointer<Float> { transposes + transposeOffsets[layer] }
  func transposedIfUsed(_ layer: Int) -> UnsafePointer<Float>? { usesTransposes ? UnsafePointer(transposed(layer)) : nil }
}

/// `body` with the base address of each array (which must not be empty).
private func withAddresses<R>(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> R) -> R {
  // The arrays are held by `arrays` for the call, and not mutated: their storage stays put.
  let addresses = arrays.map { $0.withUnsafeBufferPointer { $0.baseAddress! } }
  return withExtendedLifetime(arrays) { body(addresses) }
}
