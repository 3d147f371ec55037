import Foundation
import Models
import Testing
import Tensor

@Suite("Regression mode")
struct RegressionModeTests {
  static func diabetes(seed: UInt64 = 0) throws -> PreparedDataset {
    let url = try #require(DatasetLocator.bundledDirectory).appendingPathComponent("diabetes-regression.csv")
    return try PreparedDataset.prepare(try CSVReader.read(url: url), name: "diabetes", target: "target", regression: true,
                                       testFraction: 0.2, seed: seed)
  }

  @Test("the split is unstratified, unoversampled, and scikit-learn's: 353 training and 89 test rows")
  func split() throws {
    let data = try Self.diabetes()
    #expect(data.task == .regression)
    #expect(data.xTrain.shape == [353, 10])
    #expect(data.xTest.shape == [89, 10])  // ⌈0.2·442⌉
  }

  @Test("TabResNet generalises on the bundled diabetes data (R² well above the mean predictor's 0)")
  func tabResNet() throws {
    var experiment = Experiment(model: ModelSpecification(TabResNet.self, .init()))
    experiment.training.epochs = 10
    let result = try experiment.run(try Self.diabetes())
    // Ordinary least squares reaches R² = 0.33 on this split (scikit-learn LinearRegression).
    let r2 = try #require(result.report.test.r2)
    #expect(r2 > 0.15)
    let mse = try #require(result.report.test.mse)
    let rmse = try #require(result.report.test.rmse)
    #expect(Swift.abs(rmse * rmse - mse) < 1e-6 * mse)
  }

  @Test("INN fits a regression target and reports its features in target units")
  func inn() throws {
    var experiment = Experiment(model: ModelSpecification(MesomorphicNetwork.self, .init(width: 32)))
    experiment.training.epochs = 30
    let result = try experiment.run(try Self.diabetes())
    let report = result.report
    for (key, value) in [("train_mse", report.train.mse), ("test_mse", report.test.mse), ("test_rmse", report.test.rmse), ("test_r2", report.test.r2)] {
      #expect(value != nil, "missing \(key)")
    }
    #expect(report.test.auroc == nil && report.test.accuracy == nil)
    #expect(report.importance?.top10Features.count == 10)
    let r2 = try #require(report.train.r2)
    #expect(r2 > 0.3)
  }

  @Test("a non-numeric target is rejected in regression mode")
  func textTarget() {
    let table = DataTable(source: "t", columns: [
      .init(name: "a", values: .numeric([1, 2, 3, 4, 5])),
      .init(name: "y", values: .categorical(levels: ["p", "q"], codes: [0, 1, 0, 1, 0])),
    ])
    #expect(throws: DatasetError.self) {
      try PreparedDataset.prepare(table, name: "t", target: "y", regression: true, testFraction: 0.2, seed: 0)
    }
  }
}
