// output_info.json: the reference's keys and SANNKit's own, exactly, encoded from the typed
// report and decoded back.

import Foundation
import Models
import Testing
import TestSupport

@Suite("Experiment report")
struct ExperimentReportTests {
  /// The keys `sann train` wrote for a binary INN run before the report was typed (format of
  /// commit ef12505), which the reference's plotting code and users' scripts read.
  static let innBinaryKeys: Set<String> = [
    "classes", "configuration", "dataset", "dropped_columns", "encoded_features", "feature_importances",
    "feature_importances_signed", "inference_time", "model", "original_feature_importances", "snapshots", "task",
    "test_accuracy", "test_auroc", "test_balanced_accuracy", "test_log_loss", "test_rows", "time", "top_10_features",
    "top_10_features_weights", "train_accuracy", "train_auroc", "train_balanced_accuracy", "train_log_loss", "train_rows",
    "train_time",
  ]
  static let configurationKeys: Set<String> = [
    "augmentation_probability", "batch_size", "decoupled_weight_decay", "hidden_size", "interpretable", "learning_rate",
    "mode", "nr_blocks", "nr_epochs", "nr_restarts", "scheduler_t_mult", "seed", "warmup_epochs", "weight_decay", "weight_norm",
  ]

  static func run(_ kind: String, regression: Bool = false) throws -> ExperimentReport {
    let data = regression
      ? try PreparedDataset.prepare(
          try DataTable.read(url: try #require(DatasetLocator.bundledDirectory).appendingPathComponent("diabetes-regression.csv")),
          name: "diabetes", target: "target", regression: true, testFraction: 0.2, seed: 0)
      : try PreparedDataset.prepare(TestModels.signalTable(rows: 120, seed: 2), name: "signal", target: "y", regression: false,
                                    testFraction: 0.25, seed: 0)
    var experiment = Experiment(model: try ModelRegistry.specification(kind: kind, hyperparameters: ["hidden_size": "8"]))
    experiment.training.epochs = 2
    return try experiment.run(data).report
  }

  static func json(_ report: ExperimentReport) throws -> [String: Any] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    return try JSONSerialization.jsonObject(with: try encoder.encode(report)) as! [String: Any]
  }

  @Test("INN and TabResNet write exactly the reference's keys and SANNKit's, with the reference's configuration names")
  func keys() throws {
    let inn = try Self.json(try Self.run("inn"))
    #expect(Set(inn.keys) == Self.innBinaryKeys)
    #expect(Set((inn["configuration"] as! [String: Any]).keys) == Self.configurationKeys)
    #expect((inn["configuration"] as! [String: Any])["interpretable"] as? Bool == true)
    // As the user gave it (the shortest decimal of the Float), not 0.009999999776482582.
    #expect((inn["configuration"] as! [String: Any])["learning_rate"] as? Double == 0.01)
    let tabresnet = try Self.json(try Self.run("tabresnet"))
    let importanceKeys: Set<String> = ["feature_importances", "feature_importances_signed", "original_feature_importances",
                                       "top_10_features", "top_10_features_weights"]
    #expect(Set(tabresnet.keys) == Self.innBinaryKeys.subtracting(importanceKeys))
    #expect(Set((tabresnet["configuration"] as! [String: Any]).keys) == Self.configurationKeys)
    #expect((tabresnet["configuration"] as! [String: Any])["interpretable"] as? Bool == false)
    let regression = try Self.json(try Self.run("inn", regression: true))
    for key in ["train_mse", "train_rmse", "train_r2", "test_mse", "test_rmse", "test_r2"] { #expect(regression[key] is Double, "\(key)") }
    #expect(regression["test_auroc"] == nil && (regression["configuration"] as! [String: Any])["mode"] as? String == "regression")
  }

  @Test("the report decodes back to itself", arguments: ["inn", "tabresnet"])
  func roundTrip(kind: String) throws {
    let report = try Self.run(kind)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = try encoder.encode(report)
    let decoded = try JSONDecoder().decode(ExperimentReport.self, from: data)
    #expect(try encoder.encode(decoded) == data)
    #expect(decoded.configuration == report.configuration && decoded.test == report.test && decoded.importance == report.importance)
  }
}
