import Foundation
import Models
import SwiftProtobuf
import Tensor

/// ONNX files from ``ONNXGraph``s: the graph as an `onnx.ModelProto` (IR version 8, the
/// default-domain opset ``ONNXGraph/opset``), constants as raw little-endian initializers,
/// metadata in `metadata_props`. The message code (`Generated/onnx.pb.swift`) was generated
/// once from ONNX's `onnx.proto` by `Tools/scripts/generate-onnx-proto.sh`.
public enum ONNXFile {
  /// The IR version that goes with opset 17 (ONNX 1.12).
  public static let irVersion: Int64 = 8

  /// The graph as an `onnx.ModelProto`.
  public static func model(_ graph: ONNXGraph, producerVersion: String = "") -> Onnx_ModelProto {
    var model = Onnx_ModelProto()
    model.irVersion = irVersion
    model.producerName = "SANNKit"
    model.producerVersion = producerVersion
    model.docString = graph.documentation
    var opset = Onnx_OperatorSetIdProto()
    opset.domain = ""
    opset.version = Int64(ONNXGraph.opset)
    model.opsetImport = [opset]
    model.metadataProps = graph.metadata.map { entry in
      var e = Onnx_StringStringEntryProto()
      e.key = entry.key
      e.value = entry.value
      return e
    }
    var g = Onnx_GraphProto()
    g.name = graph.name
    g.node = graph.nodes.map(node)
    g.initializer = graph.constants.map(tensor)
    g.input = graph.inputs.map(valueInfo)
    g.output = graph.outputs.map(valueInfo)
    model.graph = g
    return model
  }

  /// The largest file protocol buffers can hold (2 GiB); ONNX keeps larger models' weights in
  /// external files, which this writer does not produce.
  public static let maximumBytes = Int(Int32.max)

  /// The serialised model.
  ///
  /// - Throws: ``ONNXFileError/tooLarge(bytes:)`` for a model of 2 GiB or more.
  public static func data(_ graph: ONNXGraph, producerVersion: String = "") throws -> Data {
    let bytes = graph.constants.reduce(0) { $0 + $1.byteCount }
    guard bytes < maximumBytes - (1 << 24) else { throw ONNXFileError.tooLarge(bytes: bytes) }
    return try model(graph, producerVersion: producerVersion).serializedData()
  }

  /// Writes the model to `url` atomically (temporary file, then rename); returns its size in bytes.
  @discardableResult
  public static func write(_ graph: ONNXGraph, to url: URL, producerVersion: String = "") throws -> Int {
    let bytes = try data(graph, producerVersion: producerVersion)
    try AtomicFile.write(bytes, to: url)
    return bytes.count
  }

  /// Parses an ONNX file's bytes (to inspect an exported model from Swift).
  public static func read(_ data: Data) throws -> Onnx_ModelProto {
    try Onnx_ModelProto(serializedBytes: data)
  }

  static func node(_ n: ONNXGraph.Node) -> Onnx_NodeProto {
    var p = Onnx_NodeProto()
    p.name = n.name
    p.opType = n.op
    p.input = n.inputs
    p.output = n.outputs
    p.attribute = n.attributes.map { name, value in
      var a = Onnx_AttributeProto()
      a.name = name
      switch value {
      case .int(let v):
        a.type = .int
        a.i = Int64(v)
      case .ints(let v):
        a.type = .ints
        a.ints = v.map(Int64.init)
      case .float(let v):
        a.type = .float
        a.f = v
      }
      return a
    }
    return p
  }

  static func tensor(_ c: ONNXGraph.Constant) -> Onnx_TensorProto {
    var t = Onnx_TensorProto()
    t.name = c.name
    t.dims = c.shape.map(Int64.init)
    func raw<T>(_ values: [T]) -> Data { values.withUnsafeBytes { Data($0) } }  // little-endian on every platform Swift runs on here
    switch c.values {
    case .float(let v):
      t.dataType = Int32(ONNXGraph.ElementType.float.rawValue)
      t.rawData = raw(v)
    case .double(let v):
      t.dataType = Int32(ONNXGraph.ElementType.double.rawValue)
      t.rawData = raw(v)
    case .int64(let v):
      t.dataType = Int32(ONNXGraph.ElementType.int64.rawValue)
      t.rawData = raw(v)
    }
    return t
  }

  static func valueInfo(_ v: ONNXGraph.Value) -> Onnx_ValueInfoProto {
    var shape = Onnx_TensorShapeProto()
    shape.dim = v.shape.map { d in
      var dim = Onnx_TensorShapeProto.Dimension()
      switch d {
      case .fixed(let n): dim.dimValue = Int64(n)
      case .named(let s): dim.dimParam = s
      }
      return dim
    }
    var tensorType = Onnx_TypeProto.Tensor()
    tensorType.elemType = Int32(v.type.rawValue)
    tensorType.shape = shape
    var type = Onnx_TypeProto()
    type.tensorType = tensorType
    var info = Onnx_ValueInfoProto()
    info.name = v.name
    info.type = type
    info.docString = v.documentation
    return info
  }
}

/// Why an ONNX file could not be written.
public enum ONNXFileError: Error, Equatable, CustomStringConvertible {
  /// The weights do not fit in one protocol-buffer file.
  case tooLarge(bytes: Int)

  public var description: String {
    switch self {
    case .tooLarge(let bytes):
      "the model's weights take \(bytes / 1_048_576) MiB; an ONNX file holds at most 2 GiB (protocol buffers' limit), and SANNKit does not write ONNX's external-data files — export a smaller model (fewer snapshots, --hidden_size or --nr_blocks)"
    }
  }
}

