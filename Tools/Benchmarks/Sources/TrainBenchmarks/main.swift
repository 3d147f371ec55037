import BenchmarkSupport
import Foundation

// Times whole `sann train` runs (the reference's command line: --nr_restarts 3 --weight_norm 0.1
// --weight_decay 0.01 --seed 0) as processes, INN and TabResNet on every shared dataset, and
// compares them with the reference PyTorch implementation's wall times on this kind of machine
// (../shared/reference/inn_reference.md, seed 0; blood-transfusion and credit-g INN: its clean
// median of 3 quiet runs).
//
// Usage: train-bench [path/to/sann] [data directory] [--runs N] [--datasets ID,ID,...] [--threads 1|2|auto]
// Defaults: ../../.build/release/sann relative to this package, ../shared/datasets beside the
// repository, 3 pairs of runs (INN, then TabResNet; medians are quoted, and the median of the
// pairs' ratios), every dataset with a reference figure. Build the tool first:
// swift build -c release --product sann

/// The reference's wall seconds for seed 0 (INN, TabResNet); nil where it has none (its INN
/// crashes on multiclass data).
let referenceSeconds: [Int: (name: String, inn: Double?, tabresnet: Double)] = [
  1464: ("blood-transfusion-service-center", 22.9, 59.6), 1462: ("banknote-authentication", 21.2, 24.0),
  1510: ("wdbc", 14.1, 12.5), 1480: ("ilpd", 17.5, 16.4), 1494: ("qsar-biodeg", 25.5, 21.9), 37: ("diabetes", 19.0, 18.3),
  1068: ("pc1", 26.0, 30.0), 31: ("credit-g", 24.7, 26.7), 1467: ("climate-model-simulation-crashes", 19.3, 19.3),
  1063: ("kc2", 16.7, 14.9), 54: ("vehicle", nil, 18.2), 40982: ("steel-plates-fault", nil, 315.2),
]

var positional: [String] = []
var runCount = 3
var only: [Int]?
var threads: String?
var index = 1
let arguments = CommandLine.arguments
while index < arguments.count {
  switch arguments[index] {
  case "--runs":
    runCount = countOption(arguments, at: index, in: 1...21)
    index += 2
  case "--datasets":
    guard index + 1 < arguments.count else { print("--datasets takes OpenML ids, e.g. 1464,31"); exit(2) }
    let ids = arguments[index + 1].split(separator: ",").compactMap { Int($0) }
    guard !ids.isEmpty, ids.allSatisfy({ referenceSeconds[$0] != nil }) else {
      print("--datasets takes OpenML ids among \(referenceSeconds.keys.sorted().map(String.init).joined(separator: ","))"); exit(2)
    }
    only = ids
    index += 2
  case "--threads":
    guard index + 1 < arguments.count, ["1", "2", "auto"].contains(arguments[index + 1]) else { print("--threads takes 1, 2 or auto (sann train's default)"); exit(2) }
    threads = arguments[index + 1]
    index += 2
  default:
    positional.append(arguments[index])
    index += 1
  }
}

let repository = repositoryRoot()
let sann = positional.count > 0 ? positional[0] : repository.appendingPathComponent(".build/release/sann").path
let dataDirectory = positional.count > 1 ? positional[1] : repository.deletingLastPathComponent().appendingPathComponent("shared/datasets").path

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

/// One run of one model on one dataset: wall seconds and peak memory (MiB).
@MainActor func run(_ model: String, _ id: Int) -> (seconds: Double, peakMB: Double) {
  let args = ["train", "--model", model, "--data-dir", dataDirectory, "--dataset_id", "\(id)", "--nr_restarts", "3", "--weight_norm", "0.1",
              "--weight_decay", "0.01", "--seed", "0", "--output_dir", output, "--quiet"] + (threads.map { ["--threads", $0] } ?? [])
  let result = measureProcess(sann, args)
  guard result.status == 0 else {
    print("\(model) on \(id): sann train failed (exit status \(result.status)); run the command by hand to see why")
    exit(1)
  }
  return (result.seconds, Double(result.peakKiB) / 1024)
}

/// The middle value, or the mean of the two middle values of an even count.
func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  let middle = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// `runCount` pairs of runs, INN then TabResNet back to back, so both models of a pair meet the
/// same conditions on a shared machine: each model's median time, the median of the pairs'
/// INN/TabResNet ratios, and the largest peak memory.
@MainActor func measurePairs(_ id: Int) -> (inn: Double, tabresnet: Double, ratio: Double, peakMB: Double) {
  let pairs = (0..<runCount).map { _ in (inn: run("inn", id), tabresnet: run("tabresnet", id)) }
  return (median(pairs.map(\.inn.seconds)), median(pairs.map(\.tabresnet.seconds)),
          median(pairs.map { $0.inn.seconds / $0.tabresnet.seconds }),
          pairs.map { max($0.inn.peakMB, $0.tabresnet.peakMB) }.max()!)
}

print("== whole `sann train` runs, reference flags, seed 0, --threads \(threads ?? "auto (default)"), median of \(runCount) (INN and TabResNet run in pairs, back to back; INN/TabResNet is the median of the pairs' ratios); speed-up against the reference's wall time ==")
print("dataset                            INN s   TabResNet s  INN/TabResNet  peak MB  INN speed-up  TabResNet speed-up")
var worst = (inn: Double.infinity, tabresnet: Double.infinity, ratio: 0.0, peak: 0.0)
for id in only ?? referenceSeconds.keys.sorted() {
  let reference = referenceSeconds[id]!
  let (innSeconds, tabSeconds, ratio, peak) = measurePairs(id)
  let innSpeedup = reference.inn.map { $0 / innSeconds }
  let tabSpeedup = reference.tabresnet / tabSeconds
  worst = (min(worst.inn, innSpeedup ?? .infinity), min(worst.tabresnet, tabSpeedup), max(worst.ratio, ratio), max(worst.peak, peak))
  print(reference.name.padding(toLength: 34, withPad: " ", startingAt: 0)
    + String(format: "%6.2f  %11.2f  %13.2f  %7.1f  %12@  %17.1f×", innSeconds, tabSeconds, ratio, peak,
             innSpeedup.map { String(format: "%.1f×", $0) } ?? "(no ref.)", tabSpeedup))
}
/// A worst speed-up, or a dash when none of the datasets run has a reference figure.
func speedup(_ value: Double) -> String { value.isFinite ? String(format: "%.1f×", value) : "— (no reference figure)" }
print("worst: INN \(speedup(worst.inn)) and TabResNet \(speedup(worst.tabresnet)) faster than the reference, "
  + String(format: "INN/TabResNet %.2f, peak %.1f MB", worst.ratio, worst.peak))
print("targets (issue 14): every speed-up ≥ 20×, INN/TabResNet ≤ 1.15, peak ≤ 64 MB")
