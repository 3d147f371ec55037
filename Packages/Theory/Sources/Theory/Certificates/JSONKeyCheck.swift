/// Finds a key that appears twice in one JSON object. JSON parsers disagree on which duplicate
/// wins (Foundation reads the first, Python's json the last), so a certificate whose meaning
/// depends on the reader is refused instead of read either way.
enum JSONKeyCheck {
  /// The first repeated key, with the byte offset of its second occurrence; nil when none.
  /// Assumes nothing about validity beyond what it needs: a malformed document is left to the
  /// decoder to reject.
  static func firstDuplicate(in data: [UInt8]) -> (key: String, offset: Int)? {
    // One entry per open container: the keys seen so far (nil for arrays) and whether the next
    // string in an object is a key.
    var stack: [(keys: Set<[UInt8]>?, expectKey: Bool)] = []
    var i = 0
    while i < data.count {
      let c = data[i]
      switch c {
      case UInt8(ascii: "{"):
        stack.append((Set(), true))
      case UInt8(ascii: "["):
        stack.append((nil, false))
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        if !stack.isEmpty { stack.removeLast() }
      case UInt8(ascii: ","):
        if let top = stack.last, top.keys != nil { stack[stack.count - 1].expectKey = true }
      case UInt8(ascii: ":"):
        if !stack.isEmpty { stack[stack.count - 1].expectKey = false }
      case UInt8(ascii: "\""):
        let start = i + 1
        var j = start
        while j < data.count && data[j] != UInt8(ascii: "\"") { j += data[j] == UInt8(ascii: "\\") ? 2 : 1 }
        if let top = stack.last, var keys = top.keys, top.expectKey {
          let key = Array(data[start..<Swift.min(j, data.count)])
          if keys.contains(key) { return (String(decoding: key, as: UTF8.self), i) }
          keys.insert(key)
          stack[stack.count - 1].keys = keys
        }
        i = j
      default:
        break
      }
      i += 1
    }
    return nil
  }
}
