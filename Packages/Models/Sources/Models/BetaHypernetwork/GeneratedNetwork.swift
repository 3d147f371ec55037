import Foundation
import Tensor

/// A network of the kind the β-controlled hypernetwork generates (Liao, Liu and Tegmark,
/// arXiv 2312.03051): n inputs → H hidden units → 1 output,
///
///   f(x) = Σⱼ vⱼ·σ(Wⱼ·x + bⱼ) + c,
///
/// with σ swish (SiLU, z·sigmoid(z)) or ReLU, meant to compute ‖x‖₁. Its file holds exactly
/// `hidden.weight` [H, n], `hidden.bias` [H], `output.weight` [1, H] and `output.bias` [1]
/// (float32, PyTorch's `nn.Linear` names and layout) and the activation in the metadata, so
/// any tool that reads safetensors can evaluate it.
public struct GeneratedNetwork: Equatable, Sendable {
  public enum Activation: String, CaseIterable, Codable, Sendable {
    case swish, relu

    /// σ(z).
    @inlinable public func callAsFunction(_ z: Float) -> Float {
      switch self {
      case .swish: z / (1 + Foundation.exp(-z))
      case .relu: Swift.max(z, 0)
      }
    }

    /// σ'(z) (ReLU's taken as 0 at 0).
    @inlinable public func derivative(_ z: Float) -> Float {
      switch self {
      case .swish:
        let s = 1 / (1 + Foundation.exp(-z))
        return s * (1 + z * (1 - s))
      case .relu: return z > 0 ? 1 : 0
      }
    }
  }

  /// W, row-major [hidden, inputs].
  public var hiddenWeight: [Float]
  /// b [hidden].
  public var hiddenBias: [Float]
  /// v [hidden].
  public var outputWeight: [Float]
  /// c.
  public var outputBias: Float
  public var activation: Activation

  public var inputs: Int { hiddenBias.isEmpty ? 0 : hiddenWeight.count / hiddenBias.count }
  public var hidden: Int { hiddenBias.count }

  /// The largest sizes accepted (a generated network is small; a file claiming more is not one).
  public static let maximumInputs = 4096
  public static let maximumHidden = 4096

  public init(hiddenWeight: [Float], hiddenBias: [Float], outputWeight: [Float], outputBias: Float, activation: Activation) throws {
    let h = hiddenBias.count
    guard (1...Self.maximumHidden).contains(h) else {
      throw GeneratedNetworkError.shape("has \(h) hidden units; a generated network has 1 to \(Self.maximumHidden)")
    }
    guard hiddenWeight.count % h == 0, (1...Self.maximumInputs).contains(hiddenWeight.count / h) else {
      throw GeneratedNetworkError.shape("hidden.weight has \(hiddenWeight.count) values, which is not \(h) rows of 1 to \(Self.maximumInputs) inputs")
    }
    guard outputWeight.count == h else {
      throw GeneratedNetworkError.shape("output.weight has \(outputWeight.count) values for \(h) hidden units")
    }
    for (name, values) in [("hidden.weight", hiddenWeight), ("hidden.bias", hiddenBias), ("output.weight", outputWeight), ("output.bias", [outputBias])] {
      if let bad = values.firstIndex(where: { !$0.isFinite }) {
        throw GeneratedNetworkError.shape("\(name) holds \(values[bad]) at index \(bad); weights must be finite")
      }
    }
    self.hiddenWeight = hiddenWeight
    self.hiddenBias = hiddenBias
    self.outputWeight = outputWeight
    self.outputBias = outputBias
    self.activation = activation
  }

  /// Wⱼ, the weights of hidden unit j.
  public func weights(ofUnit j: Int) -> ArraySlice<Float> { hiddenWeight[(j * inputs)..<((j + 1) * inputs)] }

  /// f at each row of `x` (row-major, `inputs` values per row), in chunks through BLAS.
  public func callAsFunction(_ x: [Float]) -> [Float] {
    let (n, h) = (inputs, hidden)
    precondition(x.count % n == 0, "GeneratedNetwork: rows of \(n) inputs expected")
    let rows = x.count / n
    var out = [Float](repeating: outputBias, count: rows)
    let w = Tensor(shape: [h, n], scalars: hiddenWeight).transposed()
    let chunk = 4096
    var start = 0
    while start < rows {
      let count = Swift.min(chunk, rows - start)
      let z = withoutGradient { Tensor(shape: [count, n], scalars: Array(x[(start * n)..<((start + count) * n)])).matmul(w) }.scalars
      for r in 0..<count {
        var total: Float = 0
        for j in 0..<h { total += outputWeight[j] * activation(z[r * h + j] + hiddenBias[j]) }
        out[start + r] += total
      }
      start += count
    }
    return out
  }

  /// E[(f(x) − ‖x‖₁)²] / E[‖x‖₁²] over `samples` draws of x ~ N(0, I_n) (seeded): the relative
  /// mean squared error SANNKit trains and reports hypernetworks with. 0 is exact; predicting 0
  /// everywhere gives 1.
  public func relativeError(samples: Int = 100_000, seed: UInt64 = 0) -> Double {
    precondition(samples > 0, "GeneratedNetwork: samples > 0")
    var rng = RandomGenerator(seed: seed).stream(21)
    var done = 0
    var (squaredError, squaredNorm) = (0.0, 0.0)
    while done < samples {
      let count = Swift.min(16_384, samples - done)
      let x = (0..<(count * inputs)).map { _ in rng.nextNormal() }
      let f = self(x)
      for r in 0..<count {
        var norm = 0.0
        for i in 0..<inputs { norm += Double(Swift.abs(x[r * inputs + i])) }
        squaredError += (Double(f[r]) - norm) * (Double(f[r]) - norm)
        squaredNorm += norm * norm
      }
      done += count
    }
    return squaredError / squaredNorm
  }

  // MARK: Files

  /// The tensor names of a generated network's file, exactly these.
  public static let tensorNames: Set<String> = ["hidden.weight", "hidden.bias", "output.weight", "output.bias"]

  /// The file's tensors and metadata (`activation`, `format`).
  public func encoded() throws -> Data {
    try SafeTensors.encode([
      "hidden.weight": Tensor(shape: [hidden, inputs], scalars: hiddenWeight),
      "hidden.bias": Tensor(shape: [hidden], scalars: hiddenBias),
      "output.weight": Tensor(shape: [1, hidden], scalars: outputWeight),
      "output.bias": Tensor(shape: [1], scalars: [outputBias]),
    ], metadata: ["format": "sannkit-generated-network", "activation": activation.rawValue])
  }

  /// Writes the network to `url` atomically.
  public func save(to url: URL) throws { try AtomicFile.write(try encoded(), to: url) }

  /// Reads a generated network.
  ///
  /// - Throws: ``GeneratedNetworkError`` naming the file when it is not safetensors, or holds
  ///   other tensors, other shapes or an unknown activation.
  public static func load(from url: URL) throws -> GeneratedNetwork {
    let file: (tensors: [String: Tensor], metadata: [String: String])
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw GeneratedNetworkError.file(path: url.path, reason: "does not exist")
    }
    do {
      file = try SafeTensors.load(from: url)
    } catch let error as SafeTensorsError {
      throw GeneratedNetworkError.file(path: url.path, reason: "is not a safetensors file (\(error.reason))")
    }
    do {
      return try decode(file.tensors, metadata: file.metadata)
    } catch let GeneratedNetworkError.shape(reason) {
      throw GeneratedNetworkError.file(path: url.path, reason: reason)
    }
  }

  static func decode(_ tensors: [String: Tensor], metadata: [String: String]) throws -> GeneratedNetwork {
    let names = Set(tensors.keys)
    guard names == tensorNames else {
      let missing = tensorNames.subtracting(names).sorted()
      let extra = names.subtracting(tensorNames).sorted()
      throw GeneratedNetworkError.shape("is not a generated network: it "
        + [missing.isEmpty ? nil : "lacks \(missing.joined(separator: ", "))", extra.isEmpty ? nil : "holds \(extra.prefix(5).joined(separator: ", "))\(extra.count > 5 ? ", …" : "")"]
          .compactMap { $0 }.joined(separator: " and ")
        + " (a generated network holds exactly hidden.weight [H, n], hidden.bias [H], output.weight [1, H], output.bias [1]; write one with `sann hypernet generate`)")
    }
    let (w, b, v, c) = (tensors["hidden.weight"]!, tensors["hidden.bias"]!, tensors["output.weight"]!, tensors["output.bias"]!)
    guard w.shape.count == 2, b.shape == [w.shape[0]], v.shape == [1, w.shape[0]], c.shape == [1] else {
      throw GeneratedNetworkError.shape("has shapes hidden.weight \(w.shape), hidden.bias \(b.shape), output.weight \(v.shape), output.bias \(c.shape); expected [H, n], [H], [1, H], [1]")
    }
    guard let name = metadata["activation"] else {
      throw GeneratedNetworkError.shape("names no activation in its metadata (\"activation\": one of \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    guard let activation = Activation(rawValue: name) else {
      throw GeneratedNetworkError.shape("has activation '\(name)'; expected one of \(Activation.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return try GeneratedNetwork(hiddenWeight: w.scalars, hiddenBias: b.scalars, outputWeight: v.scalars, outputBias: c.scalars[0], activation: activation)
  }
}

/// Why a generated network could not be built or read.
public enum GeneratedNetworkError: Error, Equatable, CustomStringConvertible {
  /// Sizes or values that do not make a network.
  case shape(String)
  /// A file that is not a generated network.
  case file(path: String, reason: String)

  public var description: String {
    switch self {
    case let .shape(reason): "the network \(reason)"
    case let .file(path, reason): "\(path) \(reason)"
    }
  }
}
