/// The compact text form of λ in a certificate: one code per column — `+` for 1, `-` for −1,
/// `0` for 0, `*` for a value listed separately — where a code may be followed by a repeat
/// count in brackets ("+[37]--*" is 37 times `+`, twice `-`, one `*`). Optimal λ are ±1 on long
/// runs of neighbouring subsets or classes, so run lengths keep certificates small.
enum LambdaCodes {
  static func encode(_ codes: some Sequence<UInt8>) -> String {
    var text = ""
    var current: UInt8? = nil
    var run = 0
    func flush() {
      guard let c = current else { return }
      let code = Character(UnicodeScalar(c))
      if run > 3 {
        text.append(code)
        text += "[\(run)]"
      } else {
        for _ in 0..<run { text.append(code) }
      }
    }
    for c in codes {
      if c == current {
        run += 1
      } else {
        flush()
        current = c
        run = 1
      }
    }
    flush()
    return text
  }

  /// The expanded codes, or the reason the text is malformed. Stops at `limit` codes.
  static func decode(_ text: String, limit: Int) -> Result<[UInt8], CertificateVerifier.Failure> {
    var codes: [UInt8] = []
    codes.reserveCapacity(Swift.min(limit, 1 << 24))
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
      let c = bytes[i]
      guard c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: "0") || c == UInt8(ascii: "*") else {
        // The character itself, not its first byte (a typeset minus − is three).
        let character = String(decoding: bytes[i...].prefix(4), as: UTF8.self).first.map(String.init) ?? "?"
        return .failure(.init(reason: "λ has the unknown code '\(character)' at byte \(i + 1); its codes are +, -, 0 and *, each optionally followed by a count [n]"))
      }
      i += 1
      var run = 0
      var digits = 0
      if i < bytes.count, bytes[i] == UInt8(ascii: "[") {
        i += 1
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
          run = run * 10 + Int(bytes[i] - UInt8(ascii: "0"))
          digits += 1
          i += 1
          guard run <= limit else { return .failure(.init(reason: "λ has more entries than the \(limit) the instance has")) }
        }
        guard digits > 0, run > 0, i < bytes.count, bytes[i] == UInt8(ascii: "]") else {
          return .failure(.init(reason: "λ has a malformed repeat count before character \(i + 1); write it as [n] with n ≥ 1"))
        }
        i += 1
      }
      let count = digits == 0 ? 1 : run
      guard codes.count + count <= limit else { return .failure(.init(reason: "λ has more entries than the \(limit) the instance has")) }
      codes.append(contentsOf: repeatElement(c, count: count))
    }
    return .success(codes)
  }
}
