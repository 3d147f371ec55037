import Foundation

/// Runs the built `sann` executable as a user would, capturing its exit status and output.
struct SANNProcess {
  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
    /// Standard output as bytes (a binary file written to /dev/stdout).
    var stdoutData = Data()
  }

  /// The repository root (this file is Tests/CLITests/SANNProcess.swift).
  static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The `sann` binary beside the test bundle in the build products directory.
  static var executable: URL {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = directory.appendingPathComponent("sann")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return repositoryRoot.appendingPathComponent(".build/debug/sann")
  }

  static func run(_ arguments: [String]) throws -> Result {
    try runTool(executable.path, arguments)
  }

  /// Runs another program (for example python3 through /usr/bin/env) from the repository root.
  static func runTool(_ path: String, _ arguments: [String]) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Both pipes at once: a child that fills one pipe's buffer (64 KB of rejections on stderr)
    // while the other is read to its end would wait for ever.
    final class Collected: @unchecked Sendable { var data = Data() }
    let collected = Collected()
    let done = DispatchSemaphore(value: 0)
    let errHandle = err.fileHandleForReading
    DispatchQueue.global().async {
      collected.data = errHandle.readDataToEndOfFile()
      done.signal()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    let errData = collected.data
    process.waitUntilExit()
    return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                  stderr: String(decoding: errData, as: UTF8.self), stdoutData: outData)
  }

  /// Whether python3 on the PATH imports every module of `modules` ("numpy, onnx"): the
  /// interop tests run only where it does (CI installs them with pip).
  static func python(imports modules: String) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import \(modules)"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }

  /// A fresh temporary directory for one test.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sann-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
