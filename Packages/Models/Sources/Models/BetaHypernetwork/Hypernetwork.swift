import Foundation
import Tensor

/// The β-controlled hypernetwork (after Liao, Liu and Tegmark, arXiv 2312.03051, whose layers,
/// KL term and objective are not public; this design is ours). Given a complexity knob β and an
/// input size n, it writes a ``GeneratedNetwork`` n → H → 1 meant to compute ‖x‖₁, and says how
/// much information those weights carry.
///
/// It merges the three ingredients the authors name:
/// - **Pareto hypernetwork**: β enters as t = (log β − log β_min)/(log β_max − log β_min) through
///   an embedding added to every node's state, so one trained model covers the whole trade-off
///   (a hyper-hypernetwork in the sense that β selects the hypernetwork's effective weights);
/// - **variational weights** (the VAE): every generated weight and bias θ is a latent variable
///   with a posterior N(μ, σ²) that the hypernetwork writes, and a generated network is a sample
///   θ = μ + σ·ε. The prior is the scale-invariant log-uniform p(|θ|) ∝ 1/|θ| (Kingma et al.
///   2015; Molchanov et al. 2017), whose KL depends only on α = σ²/μ², and
///
///     D_KL = Σ_θ k₁·(1 − sigmoid(k₂ + k₃·log α)) + ½·log(1 + 1/α),
///            k₁ = 0.63576, k₂ = 1.87320, k₃ = 1.48695   (nats; Molchanov et al.'s fit)
///
///   is the information in the generated weights: a weight pinned to relative precision σ/|μ|
///   costs about log(|μ|/σ) nats, while a zero weight (|μ| ≪ σ) and a weight that is pure noise
///   of any scale cost nothing. So the algorithms the paper names are ranked by what they must
///   pin down: double-sided 4n precise numbers (2n one-input units and their output weights),
///   pudding about 3n (n one-input units, the linear unit's n equal weights, output weights),
///   convexity only the output weights (its directions are noise). The hierarchy is the shared
///   generator above the per-weight latents. The output bias c is deterministic and free;
/// - **graph transformer** over the target's computation graph: one node per hidden unit (a
///   learned unit embedding) and one per input (a fresh random code rᵢ ∈ ℝᵏ, so inputs are
///   exchangeable and any n works); `layers` blocks of pre-norm attention — units attend to
///   inputs, inputs to units, units to units — and MLPs, every parameter shared across nodes.
///   Edge weights are a shared MLP on the pair's states plus a pointer,
///
///     μⱼᵢ = (n₀/n)·e(P hⱼ + Q uᵢ) + gⱼ·softmaxᵢ(⟨A hⱼ, B uᵢ⟩/√E),   log σⱼᵢ² = e′(P hⱼ + Q uᵢ),
///
///   the pointer concentrating a unit on one input when sharp (double-sided and pudding
///   partners) and spreading it evenly when flat (pudding's linear unit), the MLP free-form.
///   The MLP's term is a unit's dense part, spread over all n inputs, so it is scaled as a mean
///   over them: n₀/n with n₀ the training n (1 in training, so training is unchanged). Like the
///   pointer, which sums to 1 over any n, it then gives each unit the same total weight however
///   many inputs there are; unscaled, the dense weights every unit puts on every input, times
///   output weights that grow with n through the shares below, made a linear term ∝ n.
///   Biases and output weights come from shared heads on the unit states, the output weights
///   scaled by each unit's share of the inputs it points at (Σᵢ pⱼᵢ / Σₖ pₖᵢ, so an input's total
///   does not depend on how many units serve it), and the output bias is a sum of a head over
///   the input states (it grows with n). These two and the mean scaling above are what lets one
///   model, trained at one n, write networks for others.
///
/// Training minimises log(L + β·D_KL) (the authors' objective) with β drawn log-uniformly from
/// [β_min, β_max] per generated network and L the relative MSE of the sampled network on a batch
/// of x ~ N(0, I_n): E[(f(x) − ‖x‖₁)²] / E[‖x‖₁²], the denominator exact, n + n(n−1)·2/π.
public final class Hypernetwork: Module {
  public struct Configuration: Codable, Equatable, Sendable {
    /// n used in training.
    public var inputs = 16
    /// H, the generated networks' hidden units.
    public var hidden = 48
    public var activation = GeneratedNetwork.Activation.swish
    /// E, the node state width.
    public var width = 32
    /// k, the size of the input codes.
    public var codeSize = 4
    public var layers = 2
    public var heads = 2
    /// The β range of training. Below about 10⁻⁵ precise algorithms (pudding) pay, above about
    /// 10⁻⁴ only convexity does; β_min = 10⁻⁸ makes β·D_KL negligible next to a relative error of
    /// 10⁻³ for networks of a few thousand nats.
    public var betaMin = 1e-8
    public var betaMax = 1e-2

    public init() {}

    enum CodingKeys: String, CodingKey {
      case inputs, hidden, activation, width, codeSize = "code_size", layers, heads, betaMin = "beta_min", betaMax = "beta_max"
    }

    /// Every field in its range, or the error naming the first that is not.
    public func validate() throws {
      for (name, value, valid, accepted) in [
        ("inputs", "\(inputs)", (1...GeneratedNetwork.maximumInputs).contains(inputs), "1...\(GeneratedNetwork.maximumInputs)"),
        ("hidden", "\(hidden)", (1...1024).contains(hidden), "1...1024"),
        ("heads", "\(heads)", (1...16).contains(heads), "1...16"),
        ("width", "\(width)", (2...512).contains(width) && heads >= 1 && width % heads == 0, "2...512, a multiple of heads (\(heads))"),
        ("code size", "\(codeSize)", (1...64).contains(codeSize), "1...64"),
        ("layers", "\(layers)", (0...8).contains(layers), "0...8"),
        ("beta range", "\(betaMin)…\(betaMax)", betaMin.isFinite && betaMax.isFinite && betaMin > 0 && betaMin < betaMax, "0 < min < max, finite"),
      ] where !valid {
        throw HypernetworkError.configuration("\(name) = \(value); accepted: \(accepted)")
      }
    }
  }

  /// The randomness of one generation: ε for every sampled weight (W [H·n], b [H], v [H]) and
  /// the input codes [n·k]. The same noise gives the same network.
  public struct Noise: Sendable {
    public var weight: [Float]
    public var bias: [Float]
    public var output: [Float]
    public var codes: [Float]

    public init(weight: [Float], bias: [Float], output: [Float], codes: [Float]) {
      (self.weight, self.bias, self.output, self.codes) = (weight, bias, output, codes)
    }
  }

  /// A posterior N(μ, exp(log σ²)) over a tensor of generated parameters.
  public struct Posterior {
    public var mean: Tensor
    public var logVariance: Tensor

    /// μ + σ·ε.
    func sample(_ noise: [Float]) -> Tensor { mean + (logVariance * 0.5).exp() * Tensor(shape: mean.shape, scalars: noise) }

    /// Σ KL(N(μ, σ²) ‖ log-uniform), Molchanov et al.'s approximation, in nats.
    public var kl: Tensor { Hypernetwork.logUniformKL(logAlpha: (logVariance - (mean * mean + 1e-16).log()).clamped(min: -20, max: 20)).sum() }
  }

  /// What a generation produces, differentiable with respect to the hypernetwork.
  public struct Output {
    /// The sampled W [H, n], b [H], v [H], and c [1].
    public var weight: Tensor
    public var bias: Tensor
    public var outputWeight: Tensor
    public var outputBias: Tensor
    /// D_KL in nats, a scalar.
    public var kl: Tensor
    /// The posteriors of W, b and v.
    public var posteriors: (weight: Posterior, bias: Posterior, output: Posterior)
  }

  public let configuration: Configuration
  let betaIn: Linear
  let betaOut: Linear
  let unitEmbedding: Parameter
  let inputIn: Linear
  let blocks: [GraphBlock]
  let finalUnits: LayerNorm
  let finalInputs: LayerNorm
  let edgeUnit: Linear
  let edgeInput: Linear
  let edgeOut: Linear
  let pointerUnit: Linear
  let pointerInput: Linear
  let pointerGain: Linear
  let biasHead: Linear
  let outputHead: Linear
  let constantHead: Linear
  public var mode = ModuleMode()

  /// The log-variance heads start here (σ ≈ 0.007): training begins from near-deterministic
  /// networks and lets σ grow where it is free.
  static let initialLogVariance: Float = -10

  public init(configuration c: Configuration, rng: inout RandomGenerator) throws {
    try c.validate()
    configuration = c
    let (e, k) = (c.width, c.codeSize)
    betaIn = Linear(1, e, rng: &rng)
    betaOut = Linear(e, e, rng: &rng)
    unitEmbedding = Parameter(.randomNormal([c.hidden, e], mean: 0, standardDeviation: 1, using: &rng))
    inputIn = Linear(k, e, rng: &rng)
    blocks = (0..<c.layers).map { _ in GraphBlock(width: e, heads: c.heads, rng: &rng) }
    finalUnits = LayerNorm(e)
    finalInputs = LayerNorm(e)
    edgeUnit = Linear(e, e, rng: &rng)
    edgeInput = Linear(e, e, bias: false, rng: &rng)
    edgeOut = Linear(e, 2, rng: &rng)
    pointerUnit = Linear(e, e, rng: &rng)
    pointerInput = Linear(e, e, bias: false, rng: &rng)
    pointerGain = Linear(e, 1, rng: &rng)
    biasHead = Linear(e, 2, rng: &rng)
    outputHead = Linear(e, 2, rng: &rng)
    constantHead = Linear(e, 1, rng: &rng)
    for head in [edgeOut, biasHead, outputHead] {
      head.bias!.value = Tensor(shape: [2], scalars: [0, Self.initialLogVariance])
    }
  }

  public var children: [(name: String, module: any Module)] {
    [("beta_in", betaIn), ("beta_out", betaOut), ("input_in", inputIn)]
      + blocks.enumerated().map { ("blocks.\($0.offset)", $0.element) }
      + [("final_units", finalUnits), ("final_inputs", finalInputs), ("edge_unit", edgeUnit), ("edge_input", edgeInput),
         ("edge_out", edgeOut), ("pointer_unit", pointerUnit), ("pointer_input", pointerInput), ("pointer_gain", pointerGain),
         ("bias_head", biasHead), ("output_head", outputHead), ("constant_head", constantHead)]
  }

  public var ownParameters: [(name: String, parameter: Parameter)] { [("unit_embedding", unitEmbedding)] }

  /// t ∈ [0, 1] for β (outside the trained range it extrapolates).
  public func position(_ beta: Double) -> Float {
    Float((Foundation.log(beta) - Foundation.log(configuration.betaMin)) / (Foundation.log(configuration.betaMax) - Foundation.log(configuration.betaMin)))
  }

  /// KL(N(μ, αμ²) ‖ log-uniform) per element of log α, Molchanov et al.'s approximation
  /// (zero as α → ∞, about ½·log(1/α) + k₁ as α → 0).
  public static func logUniformKL(logAlpha: Tensor) -> Tensor {
    let (k1, k2, k3): (Float, Float, Float) = (0.63576, 1.87320, 1.48695)
    return (1 - (logAlpha * k3 + k2).sigmoid()) * k1 + (-logAlpha).softplus() * 0.5
  }

  /// Splits a head's two channels [.., 2] into a posterior, log σ² kept in [−30, 8].
  static func posterior(_ head: Tensor, shape: [Int], meanScale: Tensor? = nil) -> Posterior {
    let last = head.shape.count - 1
    var mean = head.slice(0..<1, alongAxis: last).reshaped(shape)
    if let meanScale { mean = mean * meanScale }
    return Posterior(mean: mean, logVariance: head.slice(1..<2, alongAxis: last).reshaped(shape).clamped(min: -30, max: 8))
  }

  /// Writes a network for `beta` and `inputs` n from `noise`.
  public func callAsFunction(beta: Double, inputs n: Int, noise: Noise) -> Output {
    let c = configuration
    let h = c.hidden
    precondition(noise.weight.count == h * n && noise.bias.count == h && noise.output.count == h && noise.codes.count == n * c.codeSize,
                 "Hypernetwork: noise of H·n, H, H and n·k values")
    let betaState = betaOut(silu(betaIn(Tensor(shape: [1, 1], scalars: [position(beta)]))))  // [1, E]
    var units = unitEmbedding.value + betaState
    var inputs = inputIn(Tensor(shape: [n, c.codeSize], scalars: noise.codes)) + betaState
    for block in blocks { (units, inputs) = block(units: units, inputs: inputs) }
    units = finalUnits(units)
    inputs = finalInputs(inputs)
    // e(P hⱼ + Q uᵢ): [H, 1, E] + [1, n, E] → [H, n, E] → [H, n, 2].
    let pair = edgeUnit(units).expandingDims(at: 1) + edgeInput(inputs).expandingDims(at: 0)
    let edges = edgeOut(silu(pair))
    // The pointer: gⱼ·softmaxᵢ(⟨A hⱼ, B uᵢ⟩/√E), one input when sharp, all alike when flat.
    let pointer = pointerUnit(units).matmul(pointerInput(inputs).transposed()) * (1 / Float(c.width).squareRoot())
    let assignment = pointer.softmax(alongAxis: 1)
    var weight = Self.posterior(edges, shape: [h, n])
    // The MLP's dense term as a mean over the n inputs, in units of the training n (see above).
    weight.mean = weight.mean * (Float(c.inputs) / Float(n)) + pointerGain(units) * assignment
    // Shares: unit j's part of the inputs it points at, Σᵢ pⱼᵢ / Σₖ pₖᵢ. Output weights scaled by
    // them keep each input's total the same however many units point at it — at another n the
    // same H units spread over more or fewer inputs. The output bias is a sum over inputs, so it
    // grows with n as ‖x‖₁'s per-input constants do.
    // (+10⁻³: an input no unit points at must not make a share explode.)
    let shares = (assignment / (assignment.sum(alongAxis: 0, keepingDims: true) + 1e-3)).sum(alongAxis: 1)
    let bias = Self.posterior(biasHead(units), shape: [h])
    let output = Self.posterior(outputHead(units), shape: [h], meanScale: shares)
    let constant = constantHead(inputs).sum().reshaped([1])
    return Output(weight: weight.sample(noise.weight), bias: bias.sample(noise.bias), outputWeight: output.sample(noise.output),
                  outputBias: constant, kl: weight.kl + bias.kl + output.kl, posteriors: (weight, bias, output))
  }

  /// The noise for one generation from `generator`, standard normal.
  public func noise(inputs n: Int, using generator: inout RandomGenerator) -> Noise {
    let h = configuration.hidden
    func normals(_ count: Int) -> [Float] { (0..<count).map { _ in generator.nextNormal() } }
    let codes = normals(n * configuration.codeSize)
    return Noise(weight: normals(h * n), bias: normals(h), output: normals(h), codes: codes)
  }

  /// A generated network for `beta` and `inputs`: its weights sampled from the posterior and
  /// its input codes drawn with `seed`.
  ///
  /// - Throws: ``HypernetworkError`` when β is not positive and finite or n is out of range.
  public func generate(beta: Double, inputs n: Int, seed: UInt64 = 0) throws -> (network: GeneratedNetwork, kl: Double) {
    try Self.check(beta: beta, inputs: n)
    // The edge MLP holds H·n·E values at once.
    guard configuration.hidden * n * configuration.width <= Self.maximumEdgeValues else {
      throw HypernetworkError.configuration("n = \(n) with \(configuration.hidden) hidden units and width \(configuration.width) needs \(configuration.hidden * n * configuration.width) edge values at once, more than \(Self.maximumEdgeValues); ask for fewer inputs")
    }
    var rng = RandomGenerator(seed: seed).stream(31)
    let noise = self.noise(inputs: n, using: &rng)
    let out = withoutGradient { self(beta: beta, inputs: n, noise: noise) }
    let network = try GeneratedNetwork(hiddenWeight: out.weight.scalars, hiddenBias: out.bias.scalars, outputWeight: out.outputWeight.scalars,
                                       outputBias: out.outputBias.scalars[0], activation: configuration.activation)
    return (network, Double(out.kl.item))
  }

  /// The most edge-MLP values a generation may hold (256 MB of Float).
  public static let maximumEdgeValues = 1 << 26

  static func check(beta: Double, inputs n: Int) throws {
    guard beta.isFinite, beta > 0 else { throw HypernetworkError.beta(beta) }
    guard (1...GeneratedNetwork.maximumInputs).contains(n) else { throw HypernetworkError.inputs(n) }
  }

  /// The relative MSE of `out` on the rows of `x` [B, n], differentiable:
  /// mean over rows of (f(x) − ‖x‖₁)² / (n + n(n−1)·2/π).
  public func relativeError(_ out: Output, x: Tensor) -> Tensor {
    let n = x.shape[1]
    let z = x.matmul(out.weight.transposed()) + out.bias
    let a = configuration.activation == .swish ? silu(z) : z.relu()
    let f = a.matmul(out.outputWeight.reshaped([-1, 1])).reshaped([-1]) + out.outputBias
    let target = x.abs().sum(alongAxis: 1)
    let d = f - target
    return (d * d).mean() * Float(1 / Self.meanSquaredNorm(inputs: n))
  }

  /// E‖x‖₁² for x ~ N(0, I_n): n·E[x²] + n(n − 1)·E|x|² = n + n(n − 1)·2/π.
  public static func meanSquaredNorm(inputs n: Int) -> Double { Double(n) + Double(n * (n - 1)) * 2 / Double.pi }
}

/// SiLU, z·sigmoid(z).
@inline(__always) func silu(_ x: Tensor) -> Tensor { x * x.sigmoid() }

/// One message-passing block of the hypernetwork's graph transformer (pre-norm, residual).
final class GraphBlock: Module {
  let unitNorm: LayerNorm
  let inputNorm: LayerNorm
  let unitsFromInputs: MultiHeadAttention
  let inputsFromUnits: MultiHeadAttention
  let unitsFromUnits: MultiHeadAttention
  let selfNorm: LayerNorm
  let unitMLPNorm: LayerNorm
  let inputMLPNorm: LayerNorm
  let unitMLP: (Linear, Linear)
  let inputMLP: (Linear, Linear)
  var mode = ModuleMode()

  init(width e: Int, heads: Int, rng: inout RandomGenerator) {
    unitNorm = LayerNorm(e)
    inputNorm = LayerNorm(e)
    unitsFromInputs = MultiHeadAttention(embedDimension: e, heads: heads, rng: &rng)
    inputsFromUnits = MultiHeadAttention(embedDimension: e, heads: heads, rng: &rng)
    unitsFromUnits = MultiHeadAttention(embedDimension: e, heads: heads, rng: &rng)
    selfNorm = LayerNorm(e)
    unitMLPNorm = LayerNorm(e)
    inputMLPNorm = LayerNorm(e)
    unitMLP = (Linear(e, 2 * e, rng: &rng), Linear(2 * e, e, rng: &rng))
    inputMLP = (Linear(e, 2 * e, rng: &rng), Linear(2 * e, e, rng: &rng))
  }

  var children: [(name: String, module: any Module)] {
    [("unit_norm", unitNorm), ("input_norm", inputNorm), ("units_from_inputs", unitsFromInputs), ("inputs_from_units", inputsFromUnits),
     ("units_from_units", unitsFromUnits), ("self_norm", selfNorm), ("unit_mlp_norm", unitMLPNorm), ("input_mlp_norm", inputMLPNorm),
     ("unit_mlp.0", unitMLP.0), ("unit_mlp.1", unitMLP.1), ("input_mlp.0", inputMLP.0), ("input_mlp.1", inputMLP.1)]
  }

  func callAsFunction(units: Tensor, inputs: Tensor) -> (Tensor, Tensor) {
    let (h, n, e) = (units.shape[0], inputs.shape[0], units.shape[1])
    let u = unitNorm(units).reshaped([1, h, e])
    let x = inputNorm(inputs).reshaped([1, n, e])
    var units = units + unitsFromInputs(query: u, key: x, value: x).output.reshaped([h, e])
    var inputs = inputs + inputsFromUnits(query: x, key: u, value: u).output.reshaped([n, e])
    let s = selfNorm(units).reshaped([1, h, e])
    units = units + unitsFromUnits(s).reshaped([h, e])
    units = units + unitMLP.1(silu(unitMLP.0(unitMLPNorm(units))))
    inputs = inputs + inputMLP.1(silu(inputMLP.0(inputMLPNorm(inputs))))
    return (units, inputs)
  }
}

/// Why a hypernetwork could not be built, trained or asked for a network.
public enum HypernetworkError: Error, Equatable, CustomStringConvertible {
  case configuration(String)
  case beta(Double)
  case inputs(Int)
  case checkpoint(path: String, reason: String)
  case diverged(step: Int)

  public var description: String {
    switch self {
    case let .configuration(reason): "hypernetwork configuration: \(reason)"
    case let .beta(beta): "β must be a positive finite number (the complexity weight; the model was trained on a log-uniform range), got \(beta)"
    case let .inputs(n): "the number of inputs n must lie in 1...\(GeneratedNetwork.maximumInputs), got \(n)"
    case let .checkpoint(path, reason): "\(path) \(reason)"
    case let .diverged(step): "training diverged at step \(step) (the objective is not finite); lower --learning-rate or change --seed"
    }
  }
}
