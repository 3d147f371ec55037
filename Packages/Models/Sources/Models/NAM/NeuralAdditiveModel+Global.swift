import Tensor

extension NeuralAdditiveModel {
  /// Every fⱼ on the distinct values of feature j in `trainingRows`, centred by its mean over
  /// those rows (the means go into the intercept), with the ensemble's spread when it has more
  /// than one network and importance mean |fⱼ − mean| (the NAM paper's plots and EBM's term
  /// importances).
  public func globalExplanation(trainingRows: [Float]) throws -> GlobalExplanation {
    let (d, k) = (features, outputs)
    let n = try ExplanationError.rowCount(trainingRows, features: d)
    guard n > 0 else { throw ExplanationError.wrongWidth(values: 0, features: d) }
    eval()
    var intercept = withoutGradient { contributions(Tensor.zeros([1, d])).intercept }.scalars.map { Double($0) }
    var shapes: [ShapeFunction] = []
    for j in 0..<d {
      var counts: [Float: Int] = [:]
      for r in 0..<n { counts[trainingRows[r * d + j], default: 0] += 1 }
      let values = counts.keys.sorted()
      // Every network on the distinct values of feature j alone (the other features at 0 do not
      // matter: fⱼ reads xⱼ only).
      var grid = [Float](repeating: 0, count: values.count * d)
      for (v, value) in values.enumerated() { grid[v * d + j] = value }
      let x = Tensor(shape: [values.count, d], scalars: grid)
      let perMember = withoutGradient { members.map { $0.contributions(x).scalars } }
      var mean = [[Double]](repeating: [Double](repeating: 0, count: k), count: values.count)
      var spread: [[Double]]? = members.count > 1 ? mean : nil
      for v in 0..<values.count {
        for o in 0..<k {
          let samples = perMember.map { Double($0[(v * d + j) * k + o]) }
          let m = samples.reduce(0, +) / Double(samples.count)
          mean[v][o] = m
          if spread != nil {
            spread![v][o] = (samples.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(samples.count)).squareRoot()
          }
        }
      }
      // Centre by the mean over the training rows (weighted by counts) and fold it into β.
      var importance = [Double](repeating: 0, count: k)
      for o in 0..<k {
        let centre = values.indices.reduce(0.0) { $0 + mean[$1][o] * Double(counts[values[$1]]!) } / Double(n)
        intercept[o] += centre
        for v in values.indices { mean[v][o] -= centre }
        importance[o] = values.indices.reduce(0.0) { $0 + Swift.abs(mean[$1][o]) * Double(counts[values[$1]]!) } / Double(n)
      }
      shapes.append(ShapeFunction(feature: j, values: values, counts: values.map { counts[$0]! }, contributions: mean, spread: spread, importance: importance))
    }
    return GlobalExplanation(intercept: intercept, shapes: shapes)
  }
}
