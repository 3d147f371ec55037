import Foundation
@testable import Models
import PropertyBased
import Tensor
import Testing
import TestSupport

@Suite("CSV and ARFF readers")
struct DataReaderTests {
  @Test("CSV: quoted fields, missing cells, types and categorical override")
  func csv() throws {
    let text = "a,\"b, quoted\",c,label\n1,x,?,yes\n2.5,\"y \"\"q\"\"\",3,no\n,x,4,yes\n"
    let table = try CSVReader.parse(text, source: "t.csv")
    #expect(table.columns.map(\.name) == ["a", "b, quoted", "c", "label"])
    #expect(table.columns[0].values == .numeric([1, 2.5, nil]))
    #expect(table.columns[1].values == .categorical(levels: ["x", "y \"q\""], codes: [0, 1, 0]))
    #expect(table.columns[2].values == .numeric([nil, 3, 4]))
    let forced = try CSVReader.parse(text, source: "t.csv", categorical: ["a"])
    #expect(forced.columns[0].values == .categorical(levels: ["1", "2.5"], codes: [0, 1, nil]))
  }

  @Test("CSV errors name the file, line and column")
  func csvErrors() {
    #expect(throws: DatasetError.raggedRow(path: "f.csv", line: 3, found: 2, expected: 3)) {
      try CSVReader.parse("a,b,c\n1,2,3\n4,5\n", source: "f.csv")
    }
    #expect(throws: DatasetError.notNumeric(path: "f.csv", line: 3, column: "b", value: "oops")) {
      try CSVReader.parse("a,b\n1,2\n3,oops\n", source: "f.csv")
    }
    #expect(throws: DatasetError.nonFinite(path: "f.csv", line: 2, column: "a", value: "inf")) {
      try CSVReader.parse("a,b\ninf,2\n3,4\n", source: "f.csv")
    }
    #expect(throws: DatasetError.empty(path: "f.csv")) { try CSVReader.parse("", source: "f.csv") }
    #expect(throws: DatasetError.noRows(path: "f.csv")) { try CSVReader.parse("a,b\n", source: "f.csv") }
  }

  @Test("ARFF: comments, quoted names and values, nominal, string and missing")
  func arff() throws {
    let text = """
      % a comment
      @RELATION test
      @attribute 'credit amount' numeric
      @attribute purpose {'new car', radio/tv, other}
      @attribute note string
      @attribute class {good,bad}
      @data
      100, 'new car', 'hello, world', good
      ?, radio/tv, x, bad
      % trailing comment
      250.5, other, ?, good
      """
    let table = try ARFFReader.parse(text, source: "t.arff")
    #expect(table.columns.map(\.name) == ["credit amount", "purpose", "note", "class"])
    #expect(table.columns[0].values == .numeric([100, nil, 250.5]))
    #expect(table.columns[1].values == .categorical(levels: ["new car", "radio/tv", "other"], codes: [0, 1, 2]))
    #expect(table.columns[2].values == .categorical(levels: ["hello, world", "x"], codes: [0, 1, nil]))
    #expect(table.columns[3].values == .categorical(levels: ["good", "bad"], codes: [0, 1, 0]))
  }

  @Test("numbers are decimal: hexadecimal is refused by name, nan and inf as non-finite, in CSV and ARFF; decimal text reads as Double reads it")
  func decimalNumbers() async throws {
    do {
      _ = try CSVReader.parse("a,b\n0x10,2\n3,4\n", source: "f.csv")
      Issue.record("hexadecimal accepted")
    } catch let error as DatasetError {
      #expect("\(error)".contains("'0x10', a hexadecimal number") && "\(error)".contains("line 2"), "\(error)")
    }
    #expect(throws: DatasetError.nonFinite(path: "f.csv", line: 3, column: "a", value: "nan")) { try CSVReader.parse("a,b\n1,2\nnan,4\n", source: "f.csv") }
    let arff = "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n0x1p4,x\n"
    #expect(throws: DatasetError.notNumeric(path: "t.arff", line: 5, column: "a", value: "0x1p4")) { try ARFFReader.parse(arff, source: "t.arff") }
    for text in ["1", "-2.5", ".5", "5.", "+3e-2", "1E+06", "007"] { #expect(DecimalText.value(text) == Double(text), "\(text)") }
    for text in ["0x10", "nan", "inf", "-infinity", "1e", "e5", ".", "+", "1.2.3", "1e5.0", " 1", ""] { #expect(DecimalText.value(text) == nil, "\(text)") }
    await propertyCheck(count: 200, input: Gen.double(in: -1e30...1e30)) { v in
      #expect(DecimalText.value("\(v)") == v)
      #expect(DecimalText.value(String(format: "%.6e", v)) == Double(String(format: "%.6e", v)))
    }
  }

  @Test("ARFF: an attribute declared twice is refused as a repeated CSV column is; a trailing % comment ends a data row")
  func arffDuplicatesAndComments() throws {
    let twice = "@relation r\n@attribute a numeric\n@attribute a numeric\n@data\n1,2\n"
    do {
      _ = try ARFFReader.parse(twice, source: "t.arff")
      Issue.record("accepted")
    } catch let error as DatasetError {
      #expect("\(error)".contains("attribute 'a' is declared twice") && "\(error)".contains("line 3"), "\(error)")
    }
    let commented = "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@attribute s string\n@data\n1.5,y,'50% off' % checked by hand\n2,x,plain%\n"
    let table = try ARFFReader.parse(commented, source: "t.arff")
    #expect(table.columns[0].values == .numeric([1.5, 2]))
    #expect(table.columns[1].values == .categorical(levels: ["x", "y"], codes: [1, 0]))
    #expect(table.columns[2].values == .categorical(levels: ["50% off", "plain"], codes: [0, 1]))
  }

  @Test("ARFF: an undeclared nominal value is an error naming the line")
  func arffUndeclared() {
    let text = "@relation r\n@attribute c {a,b}\n@data\na\nz\n"
    #expect(throws: DatasetError.self) { try ARFFReader.parse(text, source: "t.arff") }
  }

  @Test("the bundled credit-g ARFF has 1000 rows, 13 nominal and 7 numeric features")
  func bundledCreditG() throws {
    let url = try #require(DatasetLocator.bundledDirectory).appendingPathComponent("31-credit-g.arff")
    let table = try ARFFReader.read(url: url)
    #expect(table.rowCount == 1000)
    #expect(table.columns.count == 21)
    #expect(table.columns.dropLast().filter(\.isCategorical).count == 13)
  }

  @Test("dataset ids resolve through the bundled manifest, and unknown ids list the search path")
  func locator() throws {
    // No --data-dir and no SANN_DATA_DIR: the cache (absent here) and then the bundled datasets.
    let locator = DatasetLocator.standard(dataDirectory: nil, environment: ["HOME": "/nonexistent-dir"])
    #expect(try locator.locate(id: 1510).url.lastPathComponent == "1510-wdbc.csv")
    #expect(try locator.locate(id: 31).target == "class")
    do {
      _ = try locator.locate(id: 999_999)
      Issue.record("an unknown id resolved")
    } catch let error as DatasetError {
      #expect(error.description.contains("/nonexistent-dir"))
      #expect(error.description.contains("--data-dir"))
    }
  }
}

extension DataReaderTests {
  @Test("a CSV or ARFF cell's whitespace is trimmed exactly as Foundation's trimmingCharacters(in: .whitespaces) trims it")
  func trimmingAgreesWithFoundation() async {
    // Space, tab, no-break space and ideographic space (Unicode Zs), a newline (not in
    // .whitespaces), ASCII and non-ASCII letters, digits.
    let alphabet: [Character] = [" ", "\t", "\u{00A0}", "\u{3000}", "\n", "a", "Z", "é", "7", "?", ".", "-"]
    await propertyCheck(count: 400, input: Gen.uint64()) { seed in
      var rng = RandomGenerator(seed: seed)
      let text = String((0..<rng.nextInt(below: 7)).map { _ in alphabet[rng.nextInt(below: alphabet.count)] })
      #expect(text.trimmingWhitespace == text.trimmingCharacters(in: .whitespaces), "\(Array(text.unicodeScalars))")
    }
  }
}

@Suite("Preprocessing")
struct PreprocessingTests {
  @Test("a regression target whose standardised values or predictions overflow Float is refused by name; one of scale 1e35 is prepared")
  func targetScale() throws {
    func table(_ magnitude: Float) -> DataTable {
      DataTable(source: "t", columns: [
        .init(name: "a", values: .numeric((0..<40).map { Float($0) })),
        .init(name: "y", values: .numeric((0..<40).map { Float($0 % 2 == 0 ? 1 : -1) * magnitude * Float(1 + $0 % 3) })),
      ])
    }
    #expect(throws: DatasetError.self) { try PreparedDataset.prepare(table(1e38), name: "t", target: "y", regression: true, testFraction: 0.25, seed: 0) }
    do {
      _ = try PreparedDataset.prepare(table(1e38), name: "t", target: "y", regression: true, testFraction: 0.25, seed: 0)
    } catch {
      #expect("\(error)".contains("target column 'y' has values up to 3e+38") && "\(error)".contains("rescale the column"), "\(error)")
    }
    let data = try PreparedDataset.prepare(table(1e35), name: "t", target: "y", regression: true, testFraction: 0.25, seed: 0)
    #expect(data.targetScale.isFinite && data.targetScale > 1e35)
  }

  @Test("standardises on training rows, one-hot encodes, maps back to columns, oversamples")
  func prepare() throws {
    var a: [Float?] = []
    var colour: [Int?] = []
    var label: [Int?] = []
    for i in 0..<100 {
      a.append(i % 7 == 0 ? nil : Float(i))
      colour.append(i % 3)
      label.append(i < 80 ? 0 : 1)
    }
    let table = DataTable(source: "t", columns: [
      .init(name: "a", values: .numeric(a)),
      .init(name: "colour", values: .categorical(levels: ["red", "green", "blue"], codes: colour)),
      .init(name: "constant", values: .numeric(Array(repeating: 1, count: 100))),
      .init(name: "y", values: .categorical(levels: ["no", "yes"], codes: label)),
    ])
    let data = try PreparedDataset.prepare(table, name: "t", target: nil, regression: false, testFraction: 0.2, seed: 1)
    #expect(data.dropped.map(\.column) == ["constant"])
    #expect(data.preprocessor.encodedNames == ["a", "colour=red", "colour=green", "colour=blue"])
    #expect(data.preprocessor.encodedSources == [0, 1, 1, 1])
    #expect(data.yTest.filter { $0 == 1 }.count == 4)  // stratified: 20 % of 20 positives
    #expect(data.yTrain.filter { $0 == 0 }.count == 64)
    #expect(data.yTrain.filter { $0 == 1 }.count == 64)  // oversampled up to the majority
    // One-hot rows sum to 1.
    for i in 0..<data.xTest.shape[0] {
      #expect(data.xTest[i, 1] + data.xTest[i, 2] + data.xTest[i, 3] == 1)
    }
  }

  @Test("a single class is rejected")
  func singleClass() {
    let table = DataTable(source: "t", columns: [
      .init(name: "a", values: .numeric([1, 2, 3])), .init(name: "y", values: .categorical(levels: ["x"], codes: [0, 0, 0])),
    ])
    #expect(throws: DatasetError.singleClass(source: "t", column: "y", value: "x")) {
      try PreparedDataset.prepare(table, name: "t", target: nil, regression: false, testFraction: 0.2, seed: 0)
    }
  }

  @Test("a last column without a name or values (lines ending in a separator) is named as such; with --target it is dropped")
  func trailingSeparator() throws {
    let table = DataTable(source: "t", columns: [
      .init(name: "a", values: .numeric((0..<40).map(Float.init))),
      .init(name: "y", values: .categorical(levels: ["p", "n"], codes: (0..<40).map { $0 % 2 })),
      .init(name: "", values: .numeric(Array(repeating: nil, count: 40))),
    ])
    #expect(throws: DatasetError.invalidTarget(source: "t", column: "",
      reason: "(the last column) has no name and no values: every line ends with a separator; remove the trailing separators, or name the target with --target")) {
      try PreparedDataset.prepare(table, name: "t", target: nil, regression: false, testFraction: 0.2, seed: 0)
    }
    let named = try PreparedDataset.prepare(table, name: "t", target: "y", regression: false, testFraction: 0.2, seed: 0)
    #expect(named.preprocessor.featureNames == ["a"])
  }

  @Test("a table of one column whose name holds ';', a tab or '|' is said to look separated by that character")
  func otherSeparator() {
    for (name, shown) in [("a;b;y", "';'"), ("a\tb\ty", "'\\t'"), ("a|b|y", "'|'"), ("y", nil)] as [(String, String?)] {
      let table = DataTable(source: "t", columns: [.init(name: name, values: .categorical(levels: ["p", "n"], codes: [0, 1, 0, 1]))])
      do {
        _ = try PreparedDataset.prepare(table, name: "t", target: nil, regression: false, testFraction: 0.2, seed: 0)
        Issue.record("\(name) accepted")
      } catch {
        let text = "\(error)"
        #expect(text.contains("is the only column"), "\(text)")
        #expect(text.contains("the header looks separated by") == (shown != nil) && (shown.map { text.contains($0) } ?? true), "\(text)")
      }
    }
  }

  @Test("a class of one row is refused; a numeric target of many values is pointed to --mode regression, a few labels are not")
  func oneRowClass() {
    func message(_ target: DataTable.Values) -> String {
      let table = DataTable(source: "t", columns: [.init(name: "a", values: .numeric((0..<60).map(Float.init))), .init(name: "y", values: target)])
      do {
        _ = try PreparedDataset.prepare(table, name: "t", target: nil, regression: false, testFraction: 0.2, seed: 0)
        return "accepted"
      } catch { return "\(error)" }
    }
    // 60 rows of 60 numeric values: a measurement.
    let measured = message(.numeric((0..<60).map { Float($0) * 1.5 }))
    #expect(measured.contains("in only 1 row") && measured.contains("its 60 distinct values are all numbers: to predict the value, train with --mode regression"),
            "\(measured)")
    // Three labels, one of them in a single row: no such hint.
    let labels = message(.categorical(levels: ["a", "b", "c"], codes: (0..<60).map { $0 == 0 ? 2 : $0 % 2 }))
    #expect(labels.contains("has class 'c' in only 1 row") && !labels.contains("--mode regression"), "\(labels)")
  }
}

@Suite("Dataset locator")
struct DatasetLocatorTests {
  @Test("a named data directory that is missing or a file, a manifest that does not parse, an entry whose file is missing or that is malformed is an error, never a fall back to the bundled copy")
  func noSilentFallback() throws {
    let directory = try makeTemporaryDirectory("locator")
    defer { try? FileManager.default.removeItem(at: directory) }
    func message(_ dataDirectory: String) -> String {
      do {
        let found = try DatasetLocator.standard(dataDirectory: dataDirectory, environment: [:]).locate(id: 61)
        return "found \(found.url.path)"
      } catch {
        return "\(error)"
      }
    }
    #expect(message(directory.appendingPathComponent("missing").path).contains("does not exist"))
    let file = directory.appendingPathComponent("file.txt")
    try Data("x".utf8).write(to: file)
    #expect(message(file.path).contains("is a file"))
    let broken = directory.appendingPathComponent("broken")
    try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
    try Data("{not json".utf8).write(to: broken.appendingPathComponent("manifest.json"))
    #expect(message(broken.path).contains("manifest.json: is not a list") || message(broken.path).contains("is not a list"))
    let dangling = directory.appendingPathComponent("dangling")
    try FileManager.default.createDirectory(at: dangling, withIntermediateDirectories: true)
    try Data(#"[{"openml_id": 61, "file": "iris.csv"}]"#.utf8).write(to: dangling.appendingPathComponent("manifest.json"))
    #expect(message(dangling.path).contains("lists iris.csv for dataset 61, which does not exist"))
    // Entries read strictly: an id as text or with a fraction, two entries for one id, a target that is no name.
    try Data("x,y\n1,a\n2,b\n".utf8).write(to: dangling.appendingPathComponent("iris.csv"))
    for (manifest, expected) in [
      (#"[{"openml_id": "61", "file": "iris.csv"}]"#, "entry 1 gives openml_id \"61\" as text"),
      (#"[{"openml_id": 5, "file": "x.csv"}, {"openml_id": 61.5, "file": "iris.csv"}]"#, "entry 2 has openml_id 61.5, not a whole number"),
      (#"[{"openml_id": 61, "file": "iris.csv"}, {"openml_id": 61, "file": "iris.csv"}]"#, "lists dataset 61 2 times"),
      (#"[{"openml_id": 61, "file": "iris.csv", "target": 5}]"#, "the target 5, not a column name"),
    ] {
      try Data(manifest.utf8).write(to: dangling.appendingPathComponent("manifest.json"))
      #expect(message(dangling.path).contains(expected), "\(manifest): \(message(dangling.path))")
    }
    try Data(#"[{"openml_id": 61, "file": "iris.csv", "target": "y"}]"#.utf8).write(to: dangling.appendingPathComponent("manifest.json"))
    #expect(message(dangling.path) == "found \(dangling.appendingPathComponent("iris.csv").path)")
    // Ids 0 and 1 are numbers like any other (JSON's true is not id 1), and a null target is the default.
    try Data(#"[{"openml_id": true, "file": "x.csv"}, {"openml_id": 1, "file": "iris.csv", "target": null}]"#.utf8)
      .write(to: dangling.appendingPathComponent("manifest.json"))
    let one = try DatasetLocator.standard(dataDirectory: dangling.path, environment: [:]).locate(id: 1)
    #expect(one.url.path == dangling.appendingPathComponent("iris.csv").path && one.target == nil)
    // A valid directory without the id still falls through to the bundled datasets.
    let empty = directory.appendingPathComponent("empty")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    #expect(message(empty.path).hasPrefix("found ") && message(empty.path).contains("Datasets"))
  }
}

@Suite("Data files that are not text tables")
struct DataFileMessageTests {
  @Test("a directory, a device, non-UTF-8 bytes and a one-row table each get a message that says so (not a Foundation error code)")
  func messages() throws {
    let directory = try makeTemporaryDirectory("datafile")
    defer { try? FileManager.default.removeItem(at: directory) }
    func message(_ url: URL) -> String {
      do {
        let table = try DataTable.read(url: url)
        _ = try PreparedDataset.prepare(table, name: "t", target: nil, regression: false, testFraction: 0.2, seed: 0)
        return "accepted"
      } catch {
        return "\(error)"
      }
    }
    let folder = directory.appendingPathComponent("folder.csv")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    #expect(message(folder).contains("is a directory; give a CSV or ARFF file"))
    #expect(message(URL(fileURLWithPath: "/dev/zero")).contains("is not a regular file"))
    let fifo = directory.appendingPathComponent("pipe.csv")
    #expect(mkfifo(fifo.path, 0o644) == 0)
    #expect(message(fifo).contains("is not a regular file"))
    let latin1 = directory.appendingPathComponent("latin1.csv")
    try Data([0x61, 0x2C, 0x62, 0x0A, 0x31, 0x2C, 0x79, 0x0A, 0x32, 0x2C, 0xE9, 0x0A]).write(to: latin1)
    #expect(message(latin1).contains("is not UTF-8 text: line 3, byte 3"), "\(message(latin1))")
    let oneRow = directory.appendingPathComponent("one.csv")
    try Data("a,b,c\n1,2,x\n".utf8).write(to: oneRow)
    #expect(message(oneRow).contains("comes with 1 data row"), "\(message(oneRow))")
    #expect(!message(folder).contains("NSCocoaErrorDomain") && !message(latin1).contains("correct format"))
  }
}
