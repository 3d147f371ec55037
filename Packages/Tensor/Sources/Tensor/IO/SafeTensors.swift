import Foundation

/// Reading and writing the safetensors checkpoint format (Hugging Face), the format PyTorch
/// users exchange weights in. A file is:
///
/// 1. N, the header length, as an 8-byte little-endian unsigned integer;
/// 2. N bytes of UTF-8 JSON: an object mapping each tensor name to
///    `{"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}`, plus an optional
///    `"__metadata__"` object of string values (padded with spaces to a multiple of 8 bytes);
/// 3. the byte buffer: each tensor's values, little-endian, row-major, at `data_offsets`
///    relative to the buffer's start. Tensors tile the buffer without gaps or overlaps.
///
/// SANNKit writes F32, and I64 for the tensors it is told hold counts (`num_batches_tracked`, as
/// PyTorch stores it). It reads F32, F16, BF16, F64 and the integer types (converted to Float),
/// so PyTorch checkpoints load.
public enum SafeTensors {
  /// The largest header accepted when reading (as the reference implementation: 100 MB).
  public static let maximumHeaderLength = 100_000_000

  /// Encodes named tensors (sorted by name) and optional string metadata; the tensors named in
  /// `integers` as I64 (their values must be whole numbers).
  public static func encode(_ tensors: [String: Tensor], metadata: [String: String]? = nil, integers: Set<String> = []) throws -> Data {
    let names = tensors.keys.sorted()
    var offset = 0
    var headerEntries: [String] = []
    if let metadata, !metadata.isEmpty {
      let body = try metadata.keys.sorted().map { "\(try jsonString($0)):\(try jsonString(metadata[$0]!))" }.joined(separator: ",")
      headerEntries.append("\"__metadata__\":{\(body)}")
    }
    for name in names {
      precondition(name != "__metadata__", "SafeTensors: '__metadata__' is reserved and cannot name a tensor")
      let t = tensors[name]!
      let integer = integers.contains(name)
      precondition(!integer || t.scalars.allSatisfy { $0 == $0.rounded() && Swift.abs($0) < 9.2e18 },
                   "SafeTensors: '\(name)' is to be written as I64 but holds a value that is not a whole number")
      let bytes = t.count * (integer ? 8 : 4)
      let shape = t.shape.map(String.init).joined(separator: ",")
      headerEntries.append("\(try jsonString(name)):{\"dtype\":\"\(integer ? "I64" : "F32")\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}")
      offset += bytes
    }
    var header = Array("{\(headerEntries.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var data = Data(capacity: 8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: header)
    for name in names {
      if integers.contains(name) {
        for v in tensors[name]!.scalars { withUnsafeBytes(of: Int64(v).littleEndian) { data.append(contentsOf: $0) } }
        continue
      }
      tensors[name]!.scalars.withUnsafeBufferPointer { values in
        #if _endian(little)
          data.append(UnsafeBufferPointer(start: UnsafeRawPointer(values.baseAddress!).assumingMemoryBound(to: UInt8.self), count: values.count * 4))
        #else
          for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        #endif
      }
    }
    return data
  }

  /// Writes named tensors to `url` atomically (temporary file, then rename).
  public static func save(_ tensors: [String: Tensor], metadata: [String: String]? = nil, integers: Set<String> = [], to url: URL) throws {
    try AtomicFile.write(try encode(tensors, metadata: metadata, integers: integers), to: url)
  }

  /// Reads a safetensors file.
  ///
  /// - Throws: ``SafeTensorsError`` naming the file and what is wrong with it.
  public static func load(from url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    if let problem = FileProblem.beforeReading(url.path) { throw SafeTensorsError(file: url.path, reason: problem) }
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw SafeTensorsError(file: url.path, reason: "cannot be read (\(FileProblem.describe(error)))")
    }
    do {
      return try decode(data)
    } catch let error as SafeTensorsError {
      throw SafeTensorsError(file: url.path, reason: error.reason)
    }
  }

  /// Decodes safetensors bytes, validating every structural rule before touching the buffer.
  public static func decode(_ data: Data) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    func fail(_ reason: String) -> SafeTensorsError { SafeTensorsError(file: nil, reason: reason) }
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else { throw fail("is \(bytes.count) bytes long, shorter than the 8-byte header length") }
    var headerLength: UInt64 = 0
    for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard headerLength <= UInt64(maximumHeaderLength) else {
      // Text (a JSON file, a CSV) read as a length gives billions of bytes.
      let text = bytes.prefix(8).allSatisfy { (0x09...0x7E).contains($0) || $0 == 0x0A || $0 == 0x0D }
      throw fail("declares a header of \(headerLength) bytes, more than the \(maximumHeaderLength) allowed"
                 + (text ? ": it begins with text, so it is not a safetensors file (give the model.safetensors a run wrote)" : ""))
    }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw fail("declares a header of \(headerLength) bytes but only \(bytes.count - 8) follow: the file is truncated")
    }
    let n = Int(headerLength)
    let headerBytes = bytes[8..<(8 + n)]
    guard headerBytes.first == UInt8(ascii: "{") else { throw fail("header does not start with '{'") }
    guard let object = try? JSONSerialization.jsonObject(with: Data(headerBytes)), let header = object as? [String: Any] else {
      throw fail("header is not a valid JSON object")
    }
    let buffer = bytes[(8 + n)...]
    var metadata: [String: String] = [:]
    var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
    for (name, value) in header {
      if name == "__metadata__" {
        guard let m = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
        for (k, v) in m {
          guard let s = v as? String else { throw fail("__metadata__ value for '\(k)' is not a string") }
          metadata[k] = s
        }
        continue
      }
      guard let info = value as? [String: Any] else { throw fail("entry '\(name)' is not an object") }
      guard let dtypeName = info["dtype"] as? String else { throw fail("entry '\(name)' has no dtype") }
      guard let dtype = DType(rawValue: dtypeName) else { throw fail("entry '\(name)' has unsupported dtype \(dtypeName)") }
      guard let shapeValues = info["shape"] as? [Any], let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
        throw fail("entry '\(name)' has an invalid shape")
      }
      guard let offsetValues = info["data_offsets"] as? [Any], let offsets = integers(offsetValues), offsets.count == 2 else {
        throw fail("entry '\(name)' has invalid data_offsets")
      }
      var elements = 1
      for extent in shape {
        let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
        guard !overflow else { throw fail("entry '\(name)' has a shape whose size overflows") }
        elements = product
      }
      let (begin, end) = (offsets[0], offsets[1])
      guard begin >= 0, begin <= end else { throw fail("entry '\(name)' has data_offsets [\(begin), \(end)] out of order") }
      guard end <= buffer.count else {
        throw fail("entry '\(name)' ends at byte \(end) of the data but the data has \(buffer.count) bytes: the file is truncated")
      }
      let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.size)
      guard !overflow, end - begin == bytes else {
        throw fail("entry '\(name)' has shape \(shape) of \(dtypeName) (\(overflow ? "more than Int.max" : "\(bytes)") bytes) but data_offsets span \(end - begin) bytes")
      }
      entries.append((name, dtype, shape, begin, end))
    }
    entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
    var expected = 0
    for e in entries {
      guard e.begin == expected else {
        throw fail(e.begin < expected ? "entry '\(e.name)' overlaps another tensor" : "the data has a gap before entry '\(e.name)'")
      }
      expected = e.end
    }
    guard expected == buffer.count else {
      throw fail("the data has \(buffer.count) bytes but the tensors cover \(expected)")
    }
    var tensors: [String: Tensor] = [:]
    let base = buffer.startIndex
    for e in entries {
      let values = (0..<(e.end - e.begin) / e.dtype.size).map { i in
        e.dtype.read(bytes, at: base + e.begin + i * e.dtype.size)
      }
      tensors[e.name] = Tensor(shape: e.shape, scalars: values)
    }
    return (tensors, metadata)
  }

  /// The element types this reader accepts.
  enum DType: String {
    case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    var size: Int {
      switch self {
      case .f64, .i64: 8
      case .f32, .i32: 4
      case .f16, .bf16, .i16: 2
      case .i8, .u8, .bool: 1
      }
    }

    func read(_ b: [UInt8], at i: Int) -> Float {
      func le(_ count: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<count { v |= UInt64(b[i + k]) << (8 * UInt64(k)) }
        return v
      }
      switch self {
      case .f32: return Float(bitPattern: UInt32(le(4)))
      case .f64: return Float(Double(bitPattern: le(8)))
      case .f16: return Float(floatFromHalfBits(UInt16(le(2))))
      case .bf16: return Float(bitPattern: UInt32(le(2)) << 16)
      case .i64: return Float(Int64(bitPattern: le(8)))
      case .i32: return Float(Int32(bitPattern: UInt32(le(4))))
      case .i16: return Float(Int16(bitPattern: UInt16(le(2))))
      case .i8: return Float(Int8(bitPattern: b[i]))
      case .u8, .bool: return Float(b[i])
      }
    }
  }

  private static func integers(_ values: [Any]) -> [Int]? {
    var result: [Int] = []
    for v in values {
      // JSON booleans arrive as NSNumber too (of class __NSCFBoolean); they are not integers.
      guard let number = v as? NSNumber, !String(describing: type(of: number)).contains("Boolean") else { return nil }
      let d = number.doubleValue
      guard d == d.rounded(), Swift.abs(d) < 9e15 else { return nil }
      result.append(Int(d))
    }
    return result
  }

  private static func jsonString(_ s: String) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
    let text = String(decoding: data, as: UTF8.self)
    return String(text.dropFirst().dropLast())
  }
}

/// IEEE half precision bits to Float (explicit, so it works where Float16 is unavailable).
private func floatFromHalfBits(_ h: UInt16) -> Float {
  let sign: UInt32 = UInt32(h & 0x8000) << 16
  let exponent = Int((h >> 10) & 0x1F)
  let mantissa = UInt32(h & 0x3FF)
  if exponent == 0 {
    let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
    return sign != 0 ? -magnitude : magnitude
  }
  if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
  return Float(bitPattern: sign | (UInt32(exponent + 112) << 23) | (mantissa << 13))
}

/// A safetensors file or buffer that could not be read, with the reason.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
  public let file: String?
  public let reason: String

  public var description: String {
    "safetensors \(file.map { "file \($0)" } ?? "data") \(reason)"
  }
}

extension Module {
  /// Saves the state dict as a safetensors file, atomically.
  public func save(to url: URL, metadata: [String: String]? = nil) throws {
    try SafeTensors.save(stateDict(), metadata: metadata, to: url)
  }

  /// Loads parameters and buffers from a safetensors file.
  public func load(from url: URL) throws {
    try loadStateDict(SafeTensors.load(from: url).tensors)
  }
}
