extension LogisticRegression: GlobalExplaining {
  /// Logistic regression is additive too: its shape functions are the lines fⱼ(xⱼ) = W[k, j]·xⱼ,
  /// tabulated on the values of `trainingRows` and centred like NAM's, the means folded into b.
  public func globalExplanation(trainingRows: [Float]) throws -> GlobalExplanation {
    let (d, k) = (features, outputs)
    let w = linear.weight.value.scalars
    return try GlobalExplanation(trainingRows: trainingRows, features: d, outputs: k,
                                 intercept: linear.bias!.value.scalars.map { Double($0) }) { j, values in
      [values.map { v in (0..<k).map { Double(w[$0 * d + j] * v) } }]
    }
  }

  public var globalExplaining: (any GlobalExplaining)? { self }
}
