import Foundation

/// Why a file cannot be read or written, in words a user can act on, instead of Foundation's
/// "The operation could not be completed. (NSCocoaErrorDomain error 256.)".
public enum FileProblem {
  /// What keeps `path` from being read as a file — it does not exist, is a folder, is a
  /// device, pipe or socket (Foundation cannot read those whole on Linux: it reports "permission
  /// denied"), or may not be read — or nil when it is a readable regular file.
  public static func beforeReading(_ path: String) -> String? {
    var status = stat()
    guard stat(path, &status) == 0 else {
      return errno == ENOENT || errno == ENOTDIR ? "does not exist" : String(cString: strerror(errno))
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: return "is a folder, not a file"
    default: return "is not a regular file (a device, pipe or socket); give the file itself"
    }
    return access(path, R_OK) == 0 ? nil : "may not be read (permission denied)"
  }

  /// Why `folder` cannot be created: the nearest existing ancestor is a file, or may not be
  /// written; nil when neither.
  public static func beforeCreating(_ folder: URL) -> String? {
    var ancestor = folder
    while !FileManager.default.fileExists(atPath: ancestor.path) && ancestor.path != "/" { ancestor.deleteLastPathComponent() }
    var isDirectory: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory)
    if !isDirectory.boolValue { return "\(ancestor.path) is a file" }
    if access(ancestor.path, W_OK) != 0 { return "\(ancestor.path) is not writable" }
    return nil
  }

  /// A file-system error in words: Foundation's errors by their code, others by their
  /// description.
  public static func describe(_ error: any Error) -> String {
    guard let error = error as? CocoaError else { return "\(error)" }
    switch error.code {
    case .fileWriteFileExists:
      // What createDirectory reports when a file stands where the folder goes.
      var isDirectory: ObjCBool = false
      if let path = path(of: error), FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
        return "is a file, where a folder goes; give a folder's path"
      }
      return "already exists and was not replaced"
    case .fileNoSuchFile, .fileReadNoSuchFile: return "does not exist"
    case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
    case .fileWriteOutOfSpace: return "no space left on the device"
    case .fileWriteVolumeReadOnly: return "the file system is read-only"
    case .fileReadCorruptFile: return "its contents cannot be read"
    default:
      if let underlying = error.underlying as? POSIXError { return String(cString: strerror(underlying.code.rawValue)) }
      return "the system reports Cocoa error \(error.code.rawValue)"
    }
  }

  /// The path a Foundation error names, if any.
  public static func path(of error: any Error) -> String? {
    guard let error = error as? CocoaError else { return nil }
    return error.filePath ?? error.url?.path
  }
}
