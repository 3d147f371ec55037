import BenchmarkSupport
import Foundation

// Times whole `sann train --interpretable` runs (the reference's command line) as processes,
// and compares them with the reference PyTorch implementation's wall times on this kind of
// machine (../shared/reference/inn_reference.md: median of 3 quiet runs, seed 0).
//
// Usage: train-bench [path/to/sann] [data directory]
// Defaults: ../../.build/release/sann relative to this package, ../shared/datasets beside
// the repository. Build the tool first: swift build -c release --product sann

let repository = repositoryRoot()
let arguments = CommandLine.arguments
let sann = arguments.count > 1 ? arguments[1] : repository.appendingPathComponent(".build/release/sann").path
let dataDirectory = arguments.count > 2 ? arguments[2] : repository.deletingLastPathComponent().appendingPathComponent("shared/datasets").path

guard FileManager.default.isExecutableFile(atPath: sann) else {
  print("no sann executable at \(sann); build it with `swift build -c release --product sann` or pass its path")
  exit(1)
}
guard FileManager.default.fileExists(atPath: dataDirectory + "/manifest.json") else {
  print("the OpenML datasets are not at \(dataDirectory) (manifest.json missing); pass their directory. Skipping.")
  exit(0)
}

let output = FileManager.default.temporaryDirectory.appendingPathComponent("sann-train-bench-\(getpid())").path
defer { try? FileManager.default.removeItem(atPath: output) }
print("== whole `sann train --interpretable` runs, reference flags, seed 0, median of 3 ==")
print("dataset                            SANNKit    peak     reference   ratio")
for (name, id, reference) in [("blood-transfusion-service-center", 1464, 22.9), ("credit-g", 31, 24.7)] {
  let args = ["train", "--data-dir", dataDirectory, "--dataset_id", "\(id)", "--nr_restarts", "3", "--weight_norm", "0.1",
              "--weight_decay", "0.01", "--seed", "0", "--interpretable", "--output_dir", output, "--quiet"]
  var runs = (0..<3).map { _ in measureProcess(sann, args) }
  guard runs.allSatisfy({ $0.status == 0 }) else {
    print("\(name): sann train failed (exit status \(runs.map(\.status))); run the command by hand to see why")
    exit(1)
  }
  runs.sort { $0.seconds < $1.seconds }
  let median = runs[1]
  let peak = runs.map(\.peakKiB).max()!
  print(name.padding(toLength: 34, withPad: " ", startingAt: 0)
    + String(format: "%7.2f s  %5.1f MB  %7.1f s   %.3f (%.0f× faster)", median.seconds, Double(peak) / 1024, reference,
             median.seconds / reference, reference / median.seconds))
}
print("targets: ratio ≤ 0.1 and peak memory < 200 MB")
