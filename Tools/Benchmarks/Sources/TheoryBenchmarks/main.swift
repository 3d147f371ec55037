import BenchmarkSupport
import Foundation

// Times whole `sann theory bound` runs as processes (wall time and peak memory), each writing
// its exact certificate: the full program over all 2^d subsets for the seed's binomial at
// d = 12, 15, 18, 20 (and GLPK + glp_exact beside it up to d = 18), and the symmetric program
// for equal blocks at d = 30 and 300. `--scan` then grows the equal blocks until one instance
// takes longer than 10 minutes, to find the largest d solved exactly within that time.
//
// Usage: theory-bench [--scan] [path/to/sann]
// Build the tool first: swift build -c release --product sann

/// Prints a line unbuffered, so progress shows through a pipe too.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = Array(CommandLine.arguments.dropFirst())
let scan = arguments.contains("--scan")
let sann = arguments.first { !$0.hasPrefix("--") } ?? repositoryRoot().appendingPathComponent(".build/release/sann").path
guard FileManager.default.isExecutableFile(atPath: sann) else {
  say("no sann executable at \(sann); build it with `swift build -c release --product sann` or pass its path")
  exit(1)
}
let certificate = FileManager.default.temporaryDirectory.appendingPathComponent("sann-theory-bench-\(getpid()).json").path
defer { try? FileManager.default.removeItem(atPath: certificate) }

func run(_ label: String, method: String, blocks: (Int, Int, Int), error: String, target: String = "", timeout: Int? = nil) -> Double {
  var args = ["theory", "bound", "--binomial", "\(blocks.0),\(blocks.1),\(blocks.2)", "--error", error, "--method", method, "--certificate", certificate]
  var executable = sann
  if let timeout {
    args = ["\(timeout)", sann] + args
    executable = "/usr/bin/timeout"
  }
  let r = measureProcess(executable, args)
  let d = blocks.0 + blocks.1 + blocks.2
  let outcome = r.status == 0 ? String(format: "%8.2f s  %7.1f MB", r.seconds, Double(r.peakKiB) / 1024) : "  failed (exit status \(r.status))"
  say(label.padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: "%4d  ", d)
    + error.padding(toLength: 10, withPad: " ", startingAt: 0) + outcome + "  " + target)
  return r.status == 0 ? r.seconds : .infinity
}

say("== sann theory bound --binomial a,b,c --certificate FILE (exact optimum and certificate) ==")
say("method       d  error          wall      peak  target")
for (blocks, target) in [((4, 4, 4), ""), ((5, 5, 5), ""), ((6, 6, 6), "< 10 s"), ((7, 6, 7), "< 60 s")] {
  for error in ["insertion", "deletion"] { _ = run("full", method: "full", blocks: blocks, error: error, target: target) }
}
// GLPK's insertion run at d = 18 takes about 20 minutes (1250 s measured), so only deletion there.
for (blocks, errors) in [((4, 4, 4), ["insertion", "deletion"]), ((5, 5, 5), ["insertion", "deletion"]), ((6, 6, 6), ["deletion"])] {
  for error in errors { _ = run("glpk", method: "glpk", blocks: blocks, error: error) }
}
for (n, target) in [(10, ""), (100, "< 60 s")] {
  for error in ["insertion", "deletion"] { _ = run("symmetric", method: "symmetric", blocks: (n, n, n), error: error, target: target) }
}
if scan {
  say("== largest equal-block binomial solved within 10 minutes ==")
  var n = 150
  while true {
    let seconds = ["insertion", "deletion"].map { run("symmetric", method: "symmetric", blocks: (n, n, n), error: $0, timeout: 600) }.max()!
    if !seconds.isFinite { break }
    n += 50
  }
}
