import Tensor

/// The batch augmentations of the INN reference. With probability p per batch one method is
/// chosen uniformly (mixup only when there are numeric columns); each draws λ ~ U(0, 1) and
/// alters k = max(1, ⌊F·(1−λ)⌋) randomly chosen columns of every row:
///
/// - cutmix: copy the k columns from a random partner row; loss λ·ℓ(y) + (1−λ)·ℓ(y_partner);
/// - mixup: numeric columns only, x ← λ·x + (1−λ)·x_partner; same mixed loss;
/// - cutout: set the k columns to 0 (the training mean of a numeric column); label unchanged;
/// - noise: add N(0, 0.1²) to the k columns; label unchanged;
/// - FGSM (Goodfellow et al. 2015): x_adv = x + 0.007·sign(∇ₓℓ); loss ½ℓ(x) + ½ℓ(x_adv).
///
/// (The reference also mixes labels for cutout although no features are mixed; here cutout
/// keeps the label.)
public enum Augmentation: String, CaseIterable, Sendable, Codable {
  case cutmix, mixup, cutout, noise, fgsm

  /// A batch after augmentation: the inputs, a partner permutation and λ for the mixed loss
  /// (λ = 1 means the plain loss), and for FGSM the adversarial inputs.
  public struct Batch {
    public var x: Tensor
    public var partner: [Int]?
    public var lambda: Float
    public var adversarial: Tensor?
  }

  /// Applies a random augmentation to `x` (rows × columns) with probability `probability`,
  /// chosen uniformly among `methods` (default: all five). `numericColumns` marks the columns
  /// mixup may touch; `inputGradient` returns ∇ₓ of the loss for FGSM.
  public static func apply(
    _ x: Tensor, probability: Float, methods allowed: [Augmentation] = allCases, numericColumns: [Bool], rng: inout RandomGenerator,
    inputGradient: (Tensor) -> Tensor
  ) -> Batch {
    guard probability > 0, !allowed.isEmpty, rng.nextUniform() < probability else { return Batch(x: x, partner: nil, lambda: 1, adversarial: nil) }
    let usable = numericColumns.contains(true) ? allowed : allowed.filter { $0 != .mixup }
    let methods = usable.isEmpty ? [Augmentation.cutout] : usable
    let method = methods[rng.nextInt(below: methods.count)]
    let (n, f) = (x.shape[0], x.shape[1])
    let lambda = rng.nextUniform()
    if method == .fgsm {
      let g = inputGradient(x)
      let adversarial = Tensor(shape: x.shape, scalars: zip(x.scalars, g.scalars).map { $0 + 0.007 * ($1 > 0 ? 1 : ($1 < 0 ? -1 : 0)) })
      return Batch(x: x, partner: nil, lambda: 0.5, adversarial: adversarial)
    }
    let candidates = method == .mixup ? numericColumns.indices.filter { numericColumns[$0] } : Array(0..<f)
    let k = Swift.max(1, Int(Float(candidates.count) * (1 - lambda)))
    let partner = rng.permutation(n)
    var values = x.scalars
    for row in 0..<n {
      let chosen = rng.permutation(candidates.count).prefix(k).map { candidates[$0] }
      for column in chosen {
        let i = row * f + column
        switch method {
        case .cutmix: values[i] = x.scalars[partner[row] * f + column]
        case .mixup: values[i] = lambda * x.scalars[i] + (1 - lambda) * x.scalars[partner[row] * f + column]
        case .cutout: values[i] = 0
        case .noise: values[i] += 0.1 * rng.nextNormal()
        case .fgsm: break
        }
      }
    }
    let mixed = method == .cutmix || method == .mixup
    return Batch(x: Tensor(shape: x.shape, scalars: values), partner: mixed ? partner : nil, lambda: mixed ? lambda : 1, adversarial: nil)
  }
}
