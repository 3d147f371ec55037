import Tensor

/// INN's explanation of rows, read off the forward pass of the last snapshot: the generated
/// linear model W(x) and the contributions wⱼ(x)·xⱼ (Kadra et al. 2024, §2.3). For every row
/// and output c, logit_c = Σⱼ xⱼ·W[j,c] + W[F,c] exactly.
public struct INNExplanation {
  /// Generated weights [n, F+1, C]; row F is the bias.
  public let weights: Tensor
  /// The encoded inputs [n, F].
  public let inputs: Tensor
  /// The output column explained for each row: the predicted class for multiclass, else 0.
  public let explainedOutput: [Int]

  public var rows: Int { inputs.shape[0] }
  public var features: Int { inputs.shape[1] }
  public var outputs: Int { weights.shape[2] }

  /// Explains `x` with the hypernetwork's current weights; for multiclass the column of each
  /// row's predicted class (the arg-max logit) is the one explained.
  public init(model: Hypernetwork, inputs x: Tensor) {
    model.eval()
    self.init(weights: withoutGradient { model.weights(x) }, inputs: x)
  }

  /// The explanation of `x` from weights W(x) [n, F+1, C] already generated (for example by
  /// ``Hypernetwork/weightsPlan()``); the logits [x, 1]·W(x) pick the explained output.
  public init(weights w: Tensor, inputs x: Tensor) {
    precondition(w.shape.count == 3 && x.shape.count == 2 && w.shape[0] == x.shape[0] && w.shape[1] == x.shape[1] + 1,
      "INNExplanation: weights \(w.shape) do not fit inputs \(x.shape) (expected [n, F+1, C])")
    weights = w
    inputs = x
    let (n, f, c) = (x.shape[0], x.shape[1], w.shape[2])
    explainedOutput = (0..<n).map { row in
      guard c > 1 else { return 0 }
      var best = 0
      var bestLogit = -Float.infinity
      for o in 0..<c {
        var logit = w.scalars[(row * (f + 1) + f) * c + o]
        for j in 0..<f { logit += x.scalars[row * f + j] * w.scalars[(row * (f + 1) + j) * c + o] }
        if logit > bestLogit {
          bestLogit = logit
          best = o
        }
      }
      return best
    }
  }

  /// The weight of feature j (j = F for the bias) for output c in row i.
  public func weight(row i: Int, feature j: Int, output c: Int) -> Float {
    weights.scalars[(i * (features + 1) + j) * outputs + c]
  }

  /// wⱼ·xⱼ for the explained output of row i.
  public func contribution(row i: Int, feature j: Int) -> Float {
    weight(row: i, feature: j, output: explainedOutput[i]) * inputs.scalars[i * features + j]
  }

  /// The bias of the explained output of row i.
  public func bias(row i: Int) -> Float { weight(row: i, feature: features, output: explainedOutput[i]) }

  /// Global importance per encoded feature: the mean over rows of |wⱼ·xⱼ|, normalised to sum
  /// to 1 (the reference's definition), and the signed mean of wⱼ·xⱼ.
  public func globalImportance() -> (normalized: [Double], signedMean: [Double]) {
    var magnitude = [Double](repeating: 0, count: features)
    var signed = [Double](repeating: 0, count: features)
    for i in 0..<rows {
      for j in 0..<features {
        let v = Double(contribution(row: i, feature: j))
        magnitude[j] += Swift.abs(v)
        signed[j] += v
      }
    }
    let total = magnitude.reduce(0, +)
    let n = Double(Swift.max(rows, 1))
    return (magnitude.map { total > 0 ? $0 / total : 0 }, signed.map { $0 / n })
  }
}

/// Sums encoded-column values back onto their original features (a one-hot group's share is
/// the sum of its columns).
public func aggregate(_ values: [Double], sources: [Int], features: Int) -> [Double] {
  var result = [Double](repeating: 0, count: features)
  for (value, source) in zip(values, sources) { result[source] += value }
  return result
}
