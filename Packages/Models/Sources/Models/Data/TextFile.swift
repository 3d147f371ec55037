import Foundation
import Tensor

/// Reads a data file's text, with errors that say what the path is instead of Foundation's
/// codes: a directory, a device or pipe (/dev/zero never ends), a file too large, or bytes that
/// are not UTF-8 (with the line they are on).
enum TextFile {
  /// The largest data file read whole (4 GiB).
  static let maximumSize = 1 << 32

  static func read(_ url: URL) throws -> String {
    var status = stat()
    guard stat(url.path, &status) == 0 else {
      throw DatasetError.unreadable(path: url.path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw DatasetError.unreadable(path: url.path, reason: "is a directory; give a CSV or ARFF file")
    default: throw DatasetError.unreadable(path: url.path, reason: "is not a regular file (a device, pipe or socket); give a CSV or ARFF file")
    }
    guard Int(status.st_size) <= maximumSize else {
      throw DatasetError.unreadable(path: url.path, reason: "is \(status.st_size) bytes, more than the \(maximumSize) read whole")
    }
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw DatasetError.unreadable(path: url.path, reason: access(url.path, R_OK) != 0 ? "permission denied" : FileProblem.describe(error))
    }
    if let text = String(data: data, encoding: .utf8) { return text }
    // Not UTF-8: say where.
    let bytes = [UInt8](data)
    var offset = 0
    var line = 1
    var lineStart = 0
    while offset < bytes.count {
      let length = utf8SequenceLength(bytes, at: offset)
      if length == 0 { break }
      if bytes[offset] == 0x0A { line += 1; lineStart = offset + 1 }
      offset += length
    }
    throw DatasetError.unreadable(path: url.path, reason: "is not UTF-8 text: line \(line), byte \(offset - lineStart + 1) is not valid UTF-8; save the file as UTF-8")
  }

  /// The length of the valid UTF-8 sequence at `i`, or 0 if none starts there.
  private static func utf8SequenceLength(_ b: [UInt8], at i: Int) -> Int {
    let first = b[i]
    let (length, minimum): (Int, UInt32) = first < 0x80 ? (1, 0) : first & 0xE0 == 0xC0 ? (2, 0x80) : first & 0xF0 == 0xE0 ? (3, 0x800) : first & 0xF8 == 0xF0 ? (4, 0x10000) : (0, 0)
    guard length > 0, i + length <= b.count else { return 0 }
    var value = UInt32(length == 1 ? first : first & (0xFF >> (length + 1)))
    for k in 1..<length {
      guard b[i + k] & 0xC0 == 0x80 else { return 0 }
      value = value << 6 | UInt32(b[i + k] & 0x3F)
    }
    guard value >= minimum, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return 0 }
    return length
  }
}


extension String {
  /// `trimmingCharacters(in: .whitespaces)`, without Foundation when neither end can be
  /// whitespace: the only ASCII characters in `.whitespaces` (Unicode's Zs and tab) are space
  /// and tab, so text whose first and last bytes are other ASCII is returned as it is. The CSV
  /// and ARFF readers trim every cell, and Foundation's trimming cost about 6,000 instructions a
  /// cell, a fifth of a short training run.
  var trimmingWhitespace: String {
    let utf8 = self.utf8
    guard let first = utf8.first, let last = utf8.last else { return self }
    func plain(_ b: UInt8) -> Bool { b < 0x80 && b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") }
    return plain(first) && plain(last) ? self : trimmingCharacters(in: .whitespaces)
  }
}
