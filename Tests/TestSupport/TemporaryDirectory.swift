import Foundation

/// A fresh, empty directory under the system's temporary directory, named `sannkit-<label>-<uuid>`.
public func makeTemporaryDirectory(_ label: String) throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("sannkit-\(label)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}
