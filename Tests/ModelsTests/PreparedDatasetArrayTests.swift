// Datasets built from arrays of encoded rows, and one reader for CSV and ARFF files.

import Foundation
import Models
import Testing
import TestSupport

@Suite("Datasets from arrays and files")
struct PreparedDatasetArrayTests {
  @Test("rows given as arrays train as they are: identity preprocessing, task from the class names")
  func arrays() throws {
    let data = try PreparedDataset(name: "toy", featureNames: ["a", "b"], xTrain: [1, 2, 3, 4, 5, 6], yTrain: [0, 1, 1],
                                   xTest: [7, 8], yTest: [0], classNames: ["no", "yes"])
    #expect(data.task == .binary && data.classCount == 2)
    #expect(data.xTrain.shape == [3, 2] && data.xTest.shape == [1, 2])
    #expect(data.preprocessor.encodedNames == ["a", "b"])
    #expect(try data.preprocessor.transform(DataTable(source: "t", columns: [.init(name: "a", values: .numeric([9])), .init(name: "b", values: .numeric([-3]))])).scalars == [9, -3])
    let regression = try PreparedDataset(name: "r", featureNames: ["a"], xTrain: [1, 2], yTrain: [0.5, 1.5], xTest: [3], yTest: [2])
    #expect(regression.task == .regression && regression.targetMean == 0 && regression.targetScale == 1)
  }

  @Test("shapes, non-finite values, class codes and repeated names are rejected with what to fix")
  func rejections() {
    func fails(_ build: () throws -> PreparedDataset) -> String? {
      do { _ = try build(); return nil } catch { return "\(error)" }
    }
    #expect(fails { try PreparedDataset(name: "t", featureNames: ["a", "b"], xTrain: [1, 2, 3], yTrain: [0, 1], xTest: [1, 2], yTest: [0]) }?.contains("not 2 rows of 2 features") == true)
    #expect(fails { try PreparedDataset(name: "t", featureNames: ["a"], xTrain: [1, .nan], yTrain: [0, 1], xTest: [1], yTest: [0]) }?.contains("finite") == true)
    #expect(fails { try PreparedDataset(name: "t", featureNames: ["a"], xTrain: [1, 2], yTrain: [0, 2], xTest: [1], yTest: [0], classNames: ["p", "q"]) }?.contains("class code") == true)
    #expect(fails { try PreparedDataset(name: "t", featureNames: ["a", "a"], xTrain: [1, 2, 3, 4], yTrain: [0, 1], xTest: [1, 2], yTest: [0]) }?.contains("both called 'a'") == true)
    #expect(fails { try PreparedDataset(name: "t", featureNames: ["a"], xTrain: [1], yTrain: [0], xTest: [1], yTest: [0]) }?.contains("two training rows") == true)
  }

  @Test("a CSV column named like another column's one-hot code is rejected instead of crashing")
  func duplicateEncodedNames() throws {
    let table = DataTable(source: "dup.csv", columns: [
      .init(name: "c", values: .categorical(levels: ["x", "y", "z"], codes: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0])),
      .init(name: "c=x", values: .numeric([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])),
      .init(name: "t", values: .categorical(levels: ["p", "q"], codes: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1])),
    ])
    #expect(throws: DatasetError.duplicateColumn(source: "dup.csv", name: "c=x")) {
      try PreparedDataset.prepare(table, name: "dup", target: "t", regression: false, testFraction: 0.2, seed: 0)
    }
  }

  @Test("DataTable.read picks the reader by extension and names a missing file")
  func read() throws {
    let bundled = try #require(DatasetLocator.bundledDirectory)
    #expect(try DataTable.read(url: bundled.appendingPathComponent("31-credit-g.arff")).columns.count == 21)
    #expect(try DataTable.read(url: bundled.appendingPathComponent("61-iris.csv")).rowCount == 150)
    #expect(throws: DatasetError.unreadable(path: "/nonexistent/x.csv", reason: "no such file")) {
      try DataTable.read(url: URL(fileURLWithPath: "/nonexistent/x.csv"))
    }
  }
}
