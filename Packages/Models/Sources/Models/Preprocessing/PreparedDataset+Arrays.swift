import Tensor

extension PreparedDataset {
  /// Rows that are already encoded — a synthetic benchmark, a polynomial's inputs, features
  /// computed elsewhere — as a dataset the trainer accepts, with no preprocessing
  /// (identity transforms, so `sann predict` on a saved model sees the same values), no
  /// oversampling and, for regression, targets used as given (mean 0, scale 1).
  ///
  /// - Parameters:
  ///   - featureNames: one name per column, distinct.
  ///   - xTrain, xTest: row-major values, `featureNames.count` per row, finite.
  ///   - yTrain, yTest: one target per row: class codes 0..<classNames.count, or values.
  ///   - classNames: the classes for classification (two or more); empty for regression.
  /// - Throws: ``DatasetError`` when the shapes do not match, a value is not finite, a class
  ///   code is out of range, a name repeats or the training split has fewer than two rows.
  public init(
    name: String, featureNames: [String], xTrain: [Float], yTrain: [Float], xTest: [Float], yTest: [Float],
    classNames: [String] = [], targetName: String = "y"
  ) throws {
    let d = featureNames.count
    func invalid(_ reason: String) -> DatasetError { .invalidTarget(source: name, column: targetName, reason: reason) }
    guard d > 0 else { throw invalid("has no feature columns to be predicted from; give at least one feature name") }
    try Self.checkUniqueNames(featureNames, source: name)
    for (split, x, y) in [("training", xTrain, yTrain), ("test", xTest, yTest)] {
      guard x.count == y.count * d else {
        throw invalid("has \(y.count) \(split) targets for \(x.count) values, which is not \(y.count) rows of \(d) features")
      }
      if let bad = x.firstIndex(where: { !$0.isFinite }) {
        throw DatasetError.nonFinite(path: name, line: bad / d + 1, column: featureNames[bad % d], value: "\(x[bad])")
      }
      if let bad = y.firstIndex(where: { !$0.isFinite }) { throw invalid("is \(y[bad]) in \(split) row \(bad + 1); targets must be finite") }
      if !classNames.isEmpty, let bad = y.firstIndex(where: { $0 != $0.rounded() || $0 < 0 || Int($0) >= classNames.count }) {
        throw invalid("is \(y[bad]) in \(split) row \(bad + 1), not a class code in 0..<\(classNames.count)")
      }
    }
    guard yTrain.count >= 2, !yTest.isEmpty else { throw invalid("needs at least two training rows and one test row") }
    guard classNames.isEmpty || classNames.count >= 2 else { throw invalid("names one class; classification needs at least two") }
    self.name = name
    task = classNames.isEmpty ? .regression : (classNames.count == 2 ? .binary : .multiclass)
    self.targetName = targetName
    preprocessor = Preprocessor(transforms: featureNames.map { .numeric(name: $0, mean: 0, scale: 1) })
    labels = LabelEncoder(classNames: classNames)
    dropped = []
    self.xTrain = Tensor(shape: [yTrain.count, d], scalars: xTrain)
    self.yTrain = yTrain
    self.xTest = Tensor(shape: [yTest.count, d], scalars: xTest)
    self.yTest = yTest
  }
}
