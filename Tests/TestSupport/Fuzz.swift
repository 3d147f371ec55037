import Foundation
import Tensor

/// Mutation fuzzing with a time budget: `FUZZ_SECONDS` per target (default 3, so the suite's
/// fuzzing stays near 30 s in CI; set it to 600 for a long local run) and `FUZZ_SEED` for the
/// first seed (default 0: CI runs the same cases every time). Each case mutates one of the
/// valid `seeds` by a few byte-level edits and hands it to `body`, which must return (parsed or
/// refused with the typed error) — a trap or a hang fails the run. Returns the number of cases.
public func fuzz(_ name: String, seeds: [[UInt8]], body: ([UInt8]) throws -> Void) rethrows -> Int {
  let environment = ProcessInfo.processInfo.environment
  let budget = environment["FUZZ_SECONDS"].flatMap(Double.init) ?? 3
  var seed = environment["FUZZ_SEED"].flatMap(UInt64.init) ?? 0
  let start = Date()
  var cases = 0
  let dictionary: [[UInt8]] = ["-", "+", "*", "**", "^", "0x", "1e", "e-", "/", "/0", ",", "\"", "'", "%", "{", "}", "[", "]", ":", "?",
                               "\n", "\r\n", "\0", "nan", "inf", "9223372036854775807", "-9223372036854775808", "1e400", "x0", "x4097",
                               "@data", "@attribute", "\u{FEFF}", "\u{00E9}"].map { Array($0.utf8) } + [[0xFF], [0xC3]]
  while Date().timeIntervalSince(start) < budget {
    var rng = RandomGenerator(seed: seed).stream(41)
    seed &+= 1
    var bytes = seeds[rng.nextInt(below: seeds.count)]
    for _ in 0..<(1 + rng.nextInt(below: 4)) {
      let at = bytes.isEmpty ? 0 : rng.nextInt(below: bytes.count + 1)
      switch rng.nextInt(below: 5) {
      case 0 where !bytes.isEmpty: bytes[Swift.min(at, bytes.count - 1)] = UInt8(truncatingIfNeeded: rng.next())
      case 1 where !bytes.isEmpty: bytes.remove(at: Swift.min(at, bytes.count - 1))
      case 2: bytes.insert(contentsOf: dictionary[rng.nextInt(below: dictionary.count)], at: at)
      case 3 where bytes.count > 2:
        let from = rng.nextInt(below: bytes.count - 1)
        let length = 1 + rng.nextInt(below: Swift.min(32, bytes.count - from))
        bytes.insert(contentsOf: bytes[from..<(from + length)], at: at)
      default: bytes.removeLast(rng.nextInt(below: Swift.max(1, bytes.count / 4)))
      }
    }
    try body(bytes)
    cases += 1
  }
  if environment["FUZZ_VERBOSE"] != nil { print("fuzz \(name): \(cases) cases in \(budget) s") }
  return cases
}
