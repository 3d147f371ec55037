import BenchmarkSupport
import Foundation
import Models
import Tensor

// Scoring a large CSV: `sann predict` against the same INN exported to ONNX and run by ONNX
// Runtime through Tools/scripts/sannkit_onnx.py (`score`: chunks of 100,000 rows, CSV in, CSV
// out), whole processes, median of runs; and the model alone on the same rows encoded in memory:
// ONNX Runtime's session.run in chunks of 100,000 rows (`sannkit_onnx.py bench`) against
// SANNKit's SnapshotEnsemble.predict, in this process, best of 5 each.
//
// Usage: export-bench [path/to/sann] [--rows N] [--runs R]
// Defaults: ../../.build/release/sann relative to this package, 1,000,000 rows, 3 runs. The rows
// are the bundled wdbc's, resampled with a seeded jitter of ±1 % per value; the model is an INN
// trained on the bundled wdbc with the defaults (seed 0). Needs python3 with numpy, onnx and
// onnxruntime. Build the tool first: swift build -c release --product sann

var positional: [String] = []
var rowCount = 1_000_000
var runCount = 3
var index = 1
let arguments = CommandLine.arguments
while index < arguments.count {
  switch arguments[index] {
  case "--rows":
    rowCount = countOption(arguments, at: index, in: 1...100_000_000)
    index += 2
  case "--runs":
    runCount = countOption(arguments, at: index, in: 1...21)
    index += 2
  default:
    positional.append(arguments[index])
    index += 1
  }
}
let root = repositoryRoot()
let sann = positional.first ?? root.appendingPathComponent(".build/release/sann").path
guard FileManager.default.isExecutableFile(atPath: sann) else {
  print("no sann at \(sann); build it with: swift build -c release --product sann"); exit(2)
}
let work = FileManager.default.temporaryDirectory.appendingPathComponent("export-bench-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

func run(_ executable: String, _ arguments: [String]) -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  let out = Pipe()
  process.standardOutput = out
  do { try process.run() } catch { print("cannot run \(executable): \(error)"); exit(1) }
  let data = out.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else { print("\(executable) \(arguments.joined(separator: " ")) failed"); exit(1) }
  return String(decoding: data, as: UTF8.self)
}

// The data: wdbc's rows resampled with a ±1 % jitter (seed 0).
let source = root.appendingPathComponent("Datasets/1510-wdbc.csv")
let lines = try String(contentsOf: source, encoding: .utf8).split(separator: "\n")
let header = lines[0]
let rows = lines.dropFirst().map { $0.split(separator: ",").map(String.init) }
var generator = RandomGenerator(seed: 0)
let big = work.appendingPathComponent("rows.csv")
FileManager.default.createFile(atPath: big.path, contents: nil)
let handle = try FileHandle(forWritingTo: big)
var text = String(header) + "\n"
for r in 0..<rowCount {
  let row = rows[generator.nextInt(below: rows.count)]
  let values = row.dropLast().map { cell -> String in
    let jitter = 1 + Double(generator.nextUniform() * 0.02 - 0.01)
    return String(format: "%.6g", (Double(cell) ?? 0) * jitter)
  }
  text += values.joined(separator: ",") + "," + row.last! + "\n"
  if r % 50_000 == 49_999 || r == rowCount - 1 {
    handle.write(Data(text.utf8))
    text = ""
  }
}
try handle.close()
let bytes = (try FileManager.default.attributesOfItem(atPath: big.path)[.size] as? Int) ?? 0

_ = run(sann, ["train", "--data", source.path, "--interpretable", "--seed", "0", "--output_dir", work.path, "--quiet"])
let model = work.appendingPathComponent("inn/1510-wdbc/0").path
let onnx = work.appendingPathComponent("inn.onnx").path
_ = run(sann, ["export", model, "--format", "onnx", "--output", onnx, "--quiet"])
let script = root.appendingPathComponent("Tools/scripts/sannkit_onnx.py").path
let python = "/usr/bin/env"

print("== scoring \(rowCount) rows of 30 features (\(bytes / 1_000_000) MB CSV), INN on wdbc (3 snapshots, width 128), median of \(runCount) ==")
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
var sannTimes: [Double] = []
var sannPeak = 0
var ortTimes: [Double] = []
var ortPeak = 0
for _ in 0..<runCount {
  let s = measureProcess(sann, ["predict", "--model", model, "--data", big.path, "--format", "csv"])
  guard s.status == 0 else { print("sann predict failed"); exit(1) }
  sannTimes.append(s.seconds)
  sannPeak = max(sannPeak, s.peakKiB)
  let o = measureProcess(python, ["python3", script, "score", onnx, big.path, work.appendingPathComponent("scores.csv").path])
  guard o.status == 0 else { print("sannkit_onnx.py score failed"); exit(1) }
  ortTimes.append(o.seconds)
  ortPeak = max(ortPeak, o.peakKiB)
}
let (s, o) = (median(sannTimes), median(ortTimes))
print("CSV to CSV                       seconds   rows/s      peak MB")
print(String(format: "sann predict                    %7.2f   %9.0f   %6.0f", s, Double(rowCount) / s, Double(sannPeak) / 1024))
print(String(format: "ONNX Runtime (sannkit_onnx.py)  %7.2f   %9.0f   %6.0f", o, Double(rowCount) / o, Double(ortPeak) / 1024))
print(String(format: "ratio ONNX Runtime / sann: %.2f× the time", o / s))

// The model alone.
let (card, ensemble) = try ModelFile.load(from: URL(fileURLWithPath: model).appendingPathComponent("model.safetensors"))
let x = try card.preprocessor.transform(try DataTable.read(url: big))
var best = Double.infinity
for _ in 0..<5 {
  let start = DispatchTime.now().uptimeNanoseconds
  _ = try ensemble.predict(x)
  best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
let ortLine = run(python, ["python3", script, "bench", onnx, big.path])
let ortSeconds = (try? JSONSerialization.jsonObject(with: Data(ortLine.utf8)) as? [String: Any])?["seconds"] as? Double ?? .nan
print("\nthe model alone, encoded rows in memory   seconds   rows/s")
print(String(format: "SANNKit SnapshotEnsemble.predict    %7.3f   %9.0f", best, Double(rowCount) / best))
print(String(format: "ONNX Runtime session.run            %7.3f   %9.0f", ortSeconds, Double(rowCount) / ortSeconds))
print(String(format: "ratio ONNX Runtime / SANNKit: %.2f× the time (BLAS threads %d; ONNX Runtime's default intra-op threads)", ortSeconds / best, BLAS.threadCount))
