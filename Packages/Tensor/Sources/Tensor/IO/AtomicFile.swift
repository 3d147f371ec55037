import Foundation

/// Writes files so a reader sees either the old file or the complete new one, never a torn
/// write: the bytes go to a temporary file in the same directory, are flushed to disk, and
/// the temporary file is renamed over the target (rename is atomic within a file system).
///
/// A symbolic link is followed: its target is replaced and the link kept. A character device
/// such as /dev/null is written through, since renaming over it would destroy it; anything else
/// that is not a regular file (a directory, a FIFO, which would block until read, a socket) is
/// refused.
public enum AtomicFile {
  /// Writes `data` to `url` atomically, creating missing parent directories.
  ///
  /// - Throws: ``AtomicFileError`` naming the path and the reason.
  public static func write(_ data: Data, to url: URL) throws {
    if isStandardOutput(url.path) {
      // Written to the process's standard output as it is (a pipe, a terminal, or a file the
      // shell opened, appending with >>), not replaced by a file of ours.
      do {
        try FileHandle.standardOutput.write(contentsOf: data)
      } catch {
        throw AtomicFileError(path: url.path, reason: "cannot be written (\(FileProblem.describe(error)))")
      }
      return
    }
    let target = url.resolvingSymlinksInPath()
    var status = stat()
    let exists = lstat(target.path, &status) == 0
    if url.hasDirectoryPath && !(exists && status.st_mode & S_IFMT == S_IFDIR) {
      throw AtomicFileError(path: url.path + "/", reason: "ends in '/', a directory; give a file path")
    }
    if exists {
      switch status.st_mode & S_IFMT {
      case S_IFDIR:
        throw AtomicFileError(path: url.path, reason: "is a directory; give a file path")
      case S_IFREG:
        break
      case S_IFCHR:
        return try writeThrough(data, to: target, shownAs: url.path)
      default:
        // A FIFO would block until someone reads it; a socket or block device is no output file.
        throw AtomicFileError(path: url.path, reason: "is a pipe, socket or block device, not a file; give a file path (or /dev/stdout)")
      }
    }
    let directory = target.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw AtomicFileError(path: url.path, reason: "its directory \(directory.path) cannot be created (\(FileProblem.beforeCreating(directory) ?? FileProblem.describe(error)))")
    }
    let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
      throw AtomicFileError(path: url.path, reason: "cannot be written: \(directory.path) is not writable")
    }
    if exists && status.st_mode & S_IFMT == S_IFREG {
      // The replaced file's permissions carry over (a private 0600 file stays private).
      chmod(temporary.path, status.st_mode & 0o777)
    }
    do {
      let handle = try FileHandle(forWritingTo: temporary)
      try handle.write(contentsOf: data)
      try handle.synchronize()
      try handle.close()
      guard rename(temporary.path, target.path) == 0 else {
        throw AtomicFileError(path: url.path, reason: "cannot be replaced (\(String(cString: strerror(errno))))")
      }
    } catch let error as AtomicFileError {
      try? FileManager.default.removeItem(at: temporary)
      throw error
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw AtomicFileError(path: url.path, reason: "cannot be written (\(FileProblem.describe(error)))")
    }
  }

  /// Whether `path` names standard output (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`).
  public static func isStandardOutput(_ path: String) -> Bool {
    ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"].contains(path)
  }

  /// Writes a UTF-8 string to `url` atomically.
  public static func write(_ text: String, to url: URL) throws {
    try write(Data(text.utf8), to: url)
  }

  /// Writes to a character device in place.
  private static func writeThrough(_ data: Data, to url: URL, shownAs path: String) throws {
    do {
      let handle = try FileHandle(forWritingTo: url)
      defer { try? handle.close() }
      try handle.write(contentsOf: data)
    } catch {
      throw AtomicFileError(path: path, reason: "cannot be written (\(FileProblem.describe(error)))")
    }
  }
}

/// Why a file could not be written.
public struct AtomicFileError: Error, CustomStringConvertible, Equatable {
  public let path: String
  public let reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path) \(reason)" }
}
