import Tensor
import Models

/// Kernel SHAP (Lundberg & Lee 2017) as the `shap` package's KernelExplainer computes it
/// (shap 0.51), with the interventional value function over a background set:
///
///   v(S) = (1/B) Σ_b f(x_S, b_¬S),   φ = argmin Σ_S π(S)·(v(S) − v(∅) − Σ_{i∈S} φᵢ)²
///   subject to Σᵢ φᵢ = f(x) − v(∅),
///
/// π the Shapley kernel. As shap does it:
/// - only the M *varying* features (xᵢ differs from some background row) are players; the
///   others get φᵢ = 0 (they are null players of v); M = 1 gives φ = f(x) − v(∅) directly;
/// - the budget (default 2M + 2048 coalitions, at most 2^M − 2 are used) is spent as
///   ``KernelSHAPDesign`` describes (full enumeration of small sizes, paired sampling);
/// - efficiency is imposed by eliminating the last player, φ_M = f(x) − v(∅) − Σ_{i<M} φᵢ,
///   and the rest is a weighted least-squares fit (in Double, normal equations by Cholesky,
///   minimum-norm fallback when they are singular).
///
/// Differences from shap: no L1 feature selection (shap's default `l1_reg="num_features(10)"`
/// keeps at most 10 features when more than 10 vary; here every varying feature is fitted, as
/// with `l1_reg=False`); the random draws come from the seeded xoshiro generator, one stream per
/// row identity (`RandomGenerator(seed:).stream(rowID)`, by default the row's index in the
/// call), so results are reproducible but not equal to numpy's draws. Budgets above
/// ``maximumBudget`` (2^24) are rejected.
///
/// Efficient: Σᵢ φᵢ = f(x) − E_background f, with `base` = E_background f.
///
/// Cost: budget × B model rows per explained row (208,800 for d = 20, B = 100), written into
/// one reused buffer and handed to the model in large batches through
/// ``ExplainableModel/evaluate(_:count:into:)``; f(x) and E_background f are evaluated once per
/// call, never again per coalition. Everything else (drawing the coalitions, writing their
/// rows, the means, the fit) is linear in the rows written, so the model's speed decides.
public struct KernelSHAP {
  /// Background rows, row-major.
  public var background: [Float]
  /// Coalitions per row; nil means shap's default 2M + 2048 (M varying features).
  public var budget: Int?
  public var seed: UInt64

  public init(background: [Float], budget: Int? = nil, seed: UInt64 = 0) {
    self.background = background
    self.budget = budget
    self.seed = seed
  }

  /// The default budget for d features: 2d + 2048.
  public static func defaultBudget(features d: Int) -> Int { 2 * d + 2048 }

  /// The largest budget accepted: 2^24 coalitions per row (2^24 · M bytes of coalition masks
  /// and 2^24 · B model rows per explained row; every coalition of up to 24 varying features).
  public static let maximumBudget = 1 << 24

  public func explain(_ model: any ExplainableModel, rows: [[Float]], rowIDs: [Int]? = nil) throws -> FeatureAttribution {
    try explain(model, rows: RowInput.flatten(rows, features: model.features), rowIDs: rowIDs)
  }

  /// φ for every row of `rows` (row-major) and every output.
  ///
  /// Row r draws its coalitions from the random stream `rowIDs[r]` of `seed` (by default r, its
  /// index in this call). Pass stable identities (e.g. the rows' numbers in the data file) so
  /// that a row gets the same φ whether it is explained alone or in a batch.
  public func explain(_ model: any ExplainableModel, rows: [Float], rowIDs: [Int]? = nil) throws -> FeatureAttribution {
    let d = model.features
    let c = model.outputs
    if let budget, budget < d + 1 { throw AttributionError.budgetTooSmall(budget: budget, minimum: d + 1) }
    if let budget, budget > Self.maximumBudget { throw AttributionError.budgetTooLarge(budget: budget, maximum: Self.maximumBudget) }
    let game = try InterventionalValueFunction(model: model, background: background)
    let n = try RowInput.count(rows, features: d)
    let ids = try RowInput.identities(rowIDs, rows: n)
    let fnull = try game.backgroundMean()
    let fx = try RowInput.evaluate(model, rows, count: n, what: "f(x) of the explained rows")
    var values = [Double](repeating: 0, count: n * c * d)
    var base = [Double](repeating: 0, count: n * c)
    let root = RandomGenerator(seed: seed)
    for r in 0..<n {
      let x = Array(rows[(r * d)..<((r + 1) * d)])
      let gap = (0..<c).map { Double(fx[r * c + $0]) - fnull[$0] }
      for o in 0..<c { base[r * c + o] = fnull[o] }
      var rng = root.stream(UInt64(bitPattern: Int64(ids[r])))
      let phi = try explainRow(x, game: game, gap: gap, fnull: fnull, rng: &rng)
      for o in 0..<c {
        for i in 0..<d { values[(r * c + o) * d + i] = phi[o * d + i] }
      }
    }
    return FeatureAttribution(rows: n, outputs: c, features: d, values: values, base: base, method: "kernel-shap")
  }

  /// φ[output·d + feature] for one row; `gap[o]` = f(x)[o] − v(∅)[o].
  func explainRow(_ x: [Float], game: InterventionalValueFunction, gap: [Double], fnull: [Double],
                  rng: inout RandomGenerator) throws -> [Double] {
    let d = game.features
    let c = game.outputs
    let varying = Self.varyingFeatures(x, background: game.background, rows: game.backgroundCount)
    let m = varying.count
    var phi = [Double](repeating: 0, count: c * d)
    if m == 0 { return phi }
    if m == 1 {
      for o in 0..<c { phi[o * d + varying[0]] = gap[o] }
      return phi
    }
    let design = KernelSHAPDesign(players: m, budget: budget ?? (2 * m + 2048), rng: &rng)
    // Coalitions over the players, written over all d features (non-varying ones from the background).
    var masks = [UInt8](repeating: 0, count: design.count * d)
    for k in 0..<design.count {
      for (p, feature) in varying.enumerated() where design.masks[k * m + p] != 0 { masks[k * d + feature] = 1 }
    }
    let ey = try game.values(of: x, masks: masks, count: design.count)
    try RowInput.finite(ey, outputs: c, what: "the coalition values v(S) (means over the background)")
    let solution = Self.solve(design: design, values: ey, fnull: fnull, gap: gap, outputs: c)
    for o in 0..<c {
      for p in 0..<m { phi[o * d + varying[p]] = solution[o * m + p] }
    }
    return phi
  }

  /// Features whose value in x differs from at least one background row (shap's
  /// `varying_groups`, with its `allclose` tolerance: |a − b| ≤ 1e-8 + 1e-5·|b|).
  static func varyingFeatures(_ x: [Float], background: [Float], rows: Int) -> [Int] {
    let d = x.count
    return (0..<d).filter { i in
      (0..<rows).contains { r in
        let b = Double(background[r * d + i])
        return abs(Double(x[i]) - b) > 1e-8 + 1e-5 * abs(b)
      }
    }
  }

  /// The constrained weighted least-squares fit, φ[output·M + player]: with y_k = v(S_k) − v(∅)
  /// − z_{k,M}·gap and X_{k,j} = z_{k,j} − z_{k,M} (j < M), solve (XᵀWX)·w = XᵀW·y, then
  /// φ_j = w_j and φ_M = gap − Σ w.
  static func solve(design: KernelSHAPDesign, values ey: [Double], fnull: [Double], gap: [Double], outputs c: Int) -> [Double] {
    let m = design.players
    let p = m - 1
    var normal = [Double](repeating: 0, count: p * p)
    var rhs = [Double](repeating: 0, count: p * c)
    // Row k of X is z_j − z_M: the indicator of the members among the first p players when
    // player M is out, minus the indicator of the non-members when it is in. Either way the
    // row's non-zeros (the set A below) have one sign s, so XᵀWX gains w on A × A and XᵀWy
    // gains s·w·y on A: only |A|² additions per coalition, nothing for the zeros.
    var set = [Int](repeating: 0, count: p)
    var y = [Double](repeating: 0, count: c)
    design.masks.withUnsafeBufferPointer { z in
      for k in 0..<design.count {
        let w = design.weights[k]
        let mask = z.baseAddress! + k * m
        let lastIn = mask[p] != 0
        var size = 0
        for j in 0..<p where (mask[j] != 0) != lastIn {
          set[size] = j
          size += 1
        }
        if size == 0 { continue }
        let signed = lastIn ? -w : w
        let last = lastIn ? 1.0 : 0.0
        for o in 0..<c { y[o] = ey[k * c + o] - fnull[o] - last * gap[o] }
        for a in 0..<size {
          let i = set[a]
          for b in 0...a { normal[i * p + set[b]] += w }
          for o in 0..<c { rhs[i * c + o] += signed * y[o] }
        }
      }
    }
    for i in 0..<p { for j in (i + 1)..<max(p, i + 1) { normal[i * p + j] = normal[j * p + i] } }
    let w = SymmetricSolver.solve(normal, rhs, n: p, columns: c)
    var phi = [Double](repeating: 0, count: c * m)
    for o in 0..<c {
      var total = 0.0
      for j in 0..<p {
        phi[o * m + j] = w[j * c + o]
        total += w[j * c + o]
      }
      phi[o * m + p] = gap[o] - total
    }
    return phi
  }
}
