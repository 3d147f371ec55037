import Tensor

extension NeuralAdditiveModel {
  /// Every fⱼ on the distinct values of feature j in `trainingRows`, centred by its mean over
  /// those rows (the means go into the intercept), with the ensemble's spread when it has more
  /// than one network and importance mean |fⱼ − mean| (the NAM paper's plots and EBM's term
  /// importances).
  public func globalExplanation(trainingRows: [Float]) throws -> GlobalExplanation {
    let (d, k) = (features, outputs)
    eval()
    let intercept = withoutGradient { contributions(Tensor.zeros([1, d])).intercept }.scalars.map { Double($0) }
    return try GlobalExplanation(trainingRows: trainingRows, features: d, outputs: k, intercept: intercept) { j, values in
      // Every network on the distinct values of feature j alone (the other features at 0 do not
      // matter: fⱼ reads xⱼ only).
      var grid = [Float](repeating: 0, count: values.count * d)
      for (v, value) in values.enumerated() { grid[v * d + j] = value }
      let x = Tensor(shape: [values.count, d], scalars: grid)
      return withoutGradient {
        members.map { member in
          let f = member.contributions(x).scalars
          return values.indices.map { v in (0..<k).map { Double(f[(v * d + j) * k + $0]) } }
        }
      }
    }
  }
}
