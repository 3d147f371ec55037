import Foundation

/// Runs `executable` with `arguments` to completion, output discarded; returns the wall time in
/// seconds, the peak resident memory in KiB (from wait4's rusage) and the exit status.
public func measureProcess(_ executable: String, _ arguments: [String]) -> (seconds: Double, peakKiB: Int, status: Int32) {
  var pid: pid_t = 0
  let argv = ([executable] + arguments).map { strdup($0) } + [nil]
  defer { argv.forEach { free($0) } }
  var fileActions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&fileActions)
  posix_spawn_file_actions_addopen(&fileActions, 1, "/dev/null", O_WRONLY, 0)
  posix_spawn_file_actions_addopen(&fileActions, 2, "/dev/null", O_WRONLY, 0)
  defer { posix_spawn_file_actions_destroy(&fileActions) }
  let start = DispatchTime.now().uptimeNanoseconds
  guard posix_spawn(&pid, executable, &fileActions, nil, argv, environ) == 0 else { return (.nan, -1, -1) }
  var status: Int32 = 0
  var usage = rusage()
  wait4(pid, &status, 0, &usage)
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  return (seconds, usage.ru_maxrss, status)
}

/// The repository root, from a file inside Tools/Benchmarks/Sources/<target>/.
public func repositoryRoot(_ filePath: String = #filePath) -> URL {
  var url = URL(fileURLWithPath: filePath)
  for _ in 0..<5 { url.deleteLastPathComponent() }
  return url
}

/// The integer after the flag at `arguments[index]`, within `range`; prints how to use the flag
/// and exits with status 2 otherwise.
public func countOption(_ arguments: [String], at index: Int, in range: ClosedRange<Int>) -> Int {
  guard index + 1 < arguments.count, let n = Int(arguments[index + 1]), range.contains(n) else {
    print("\(arguments[index]) takes a count in \(range.lowerBound)...\(range.upperBound)")
    exit(2)
  }
  return n
}
