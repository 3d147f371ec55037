import Foundation

/// Wall-clock seconds of `body`, best of `repeats` (after one warm-up run).
func bestTime(repeats: Int, _ body: () -> Void) -> Double {
  body()
  var best = Double.infinity
  for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }
  return best
}

/// Median wall-clock seconds of `body` over `repeats` runs (after one warm-up run).
func medianTime(repeats: Int, _ body: () -> Void) -> Double {
  body()
  var times: [Double] = []
  for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }
  times.sort()
  return times[times.count / 2]
}

/// A field of /proc/self/status in KiB (VmRSS: resident now, VmHWM: peak resident).
func procStatus(_ field: String) -> Int {
  guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
  for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
    return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
  }
  return -1
}
