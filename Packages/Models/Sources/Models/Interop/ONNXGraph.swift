import Tensor

/// An ONNX computation graph under construction: nodes of standard operators (the default
/// `ai.onnx` domain, opset ``opset``), constant tensors, typed inputs and outputs, and the
/// model's metadata. It is plain Swift: the `ModelsONNX` product turns it into an ONNX file
/// (protocol buffers), so an architecture writes its exporter here, in its own folder, without
/// depending on a serialisation library.
///
/// Names are unique: every node output and constant gets the scope it was made in as a prefix
/// (`snapshot0/backbone/input/Gemm`), so graphs read well in Netron and in error messages.
public struct ONNXGraph: Sendable {
  /// The opset the exported graphs declare (ONNX 1.12, 2022).
  public static let opset = 17

  /// Element types, with the values of ONNX's `TensorProto.DataType`.
  public enum ElementType: Int, Sendable {
    case float = 1, int64 = 7, bool = 9, double = 11
  }

  /// One dimension of a declared input or output: a number, or a name for a size the caller
  /// chooses (the batch size "N").
  public enum Dimension: Sendable, Equatable {
    case fixed(Int)
    case named(String)
  }

  /// A graph input or output.
  public struct Value: Sendable {
    public var name: String
    public var type: ElementType
    public var shape: [Dimension]
    public var documentation: String
  }

  /// A constant tensor (an initializer).
  public struct Constant: Sendable {
    public enum Values: Sendable {
      case float([Float])
      case double([Double])
      case int64([Int64])
    }

    public var name: String
    public var shape: [Int]
    public var values: Values

    /// The number of scalars.
    public var count: Int {
      switch values {
      case .float(let v): v.count
      case .double(let v): v.count
      case .int64(let v): v.count
      }
    }

    /// The bytes the values take in a file.
    public var byteCount: Int {
      switch values {
      case .float(let v): 4 * v.count
      case .double(let v): 8 * v.count
      case .int64(let v): 8 * v.count
      }
    }
  }

  /// A node attribute.
  public enum Attribute: Sendable {
    case int(Int)
    case ints([Int])
    case float(Float)
  }

  /// One operator application.
  public struct Node: Sendable {
    public var name: String
    public var op: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [(name: String, value: Attribute)]
  }

  public var name: String
  public var documentation = ""
  public private(set) var nodes: [Node] = []
  public private(set) var constants: [Constant] = []
  public var inputs: [Value] = []
  public var outputs: [Value] = []
  /// Key–value pairs stored in the file's `metadata_props`.
  public var metadata: [(key: String, value: String)] = []

  private var scope: [String] = []
  private var used: [String: Int] = [:]
  private var scalarNames: [String: String] = [:]

  public init(name: String) { self.name = name }

  /// The number of constant scalars, a measure of the file's size.
  public var constantScalars: Int { constants.reduce(0) { $0 + $1.count } }

  // MARK: - Building

  /// Runs `body` with `name` appended to the scope that prefixes new names.
  public mutating func scoped<T>(_ name: String, _ body: (inout ONNXGraph) throws -> T) rethrows -> T {
    scope.append(name)
    defer { scope.removeLast() }
    return try body(&self)
  }

  /// A name not used before, `scope/hint` (with a numeric suffix when taken).
  public mutating func freshName(_ hint: String) -> String {
    let base = (scope + [hint]).joined(separator: "/")
    let count = used[base, default: 0]
    used[base] = count + 1
    return count == 0 ? base : "\(base)_\(count)"
  }

  /// A float constant of `shape` (row-major values); returns its name.
  public mutating func constant(_ hint: String, _ values: [Float], shape: [Int]) -> String {
    precondition(values.count == shape.reduce(1, *), "ONNXGraph.constant(\(hint)): \(values.count) values for shape \(shape)")
    let name = freshName(hint)
    constants.append(Constant(name: name, shape: shape, values: .float(values)))
    return name
  }

  /// A double constant of `shape`; returns its name.
  public mutating func constant(_ hint: String, doubles values: [Double], shape: [Int]) -> String {
    precondition(values.count == shape.reduce(1, *), "ONNXGraph.constant(\(hint)): \(values.count) values for shape \(shape)")
    let name = freshName(hint)
    constants.append(Constant(name: name, shape: shape, values: .double(values)))
    return name
  }

  /// An int64 constant of `shape` (a 1-D list by default); returns its name.
  public mutating func constant(_ hint: String, int64s values: [Int], shape: [Int]? = nil) -> String {
    let shape = shape ?? [values.count]
    precondition(values.count == shape.reduce(1, *), "ONNXGraph.constant(\(hint)): \(values.count) values for shape \(shape)")
    let name = freshName(hint)
    constants.append(Constant(name: name, shape: shape, values: .int64(values.map(Int64.init))))
    return name
  }

  /// A float tensor's values as a constant.
  public mutating func constant(_ hint: String, _ tensor: Tensor) -> String {
    constant(hint, tensor.scalars, shape: tensor.shape)
  }

  /// Appends a node of `op` on `inputs` with `outputs` fresh output names; returns them.
  @discardableResult
  public mutating func node(_ op: String, _ inputs: [String], _ attributes: [(name: String, value: Attribute)] = [], outputs: Int) -> [String] {
    let name = freshName(op)
    let results = outputs == 1 ? [name] : (0..<outputs).map { "\(name):\($0)" }
    nodes.append(Node(name: name, op: op, inputs: inputs, outputs: results, attributes: attributes))
    return results
  }

  /// Appends a node of `op` with one output; returns its name.
  public mutating func node(_ op: String, _ inputs: String..., attributes: [(name: String, value: Attribute)] = []) -> String {
    node(op, inputs, attributes, outputs: 1)[0]
  }

  /// Appends a node that writes to the given output names (graph outputs).
  public mutating func node(_ op: String, _ inputs: [String], writing outputs: [String], _ attributes: [(name: String, value: Attribute)] = []) {
    nodes.append(Node(name: freshName(op), op: op, inputs: inputs, outputs: outputs, attributes: attributes))
  }

  /// Declares a graph output `name`, computed as a copy of `value`.
  public mutating func output(_ name: String, from value: String, type: ElementType = .float, shape: [Dimension], documentation: String) {
    node("Identity", [value], writing: [name])
    outputs.append(Value(name: name, type: type, shape: shape, documentation: documentation))
  }
}

// MARK: - Layers used by several architectures

extension ONNXGraph {
  /// x·Wᵀ + b for a ``Linear`` layer (Gemm, transB = 1), x [N, in].
  public mutating func linear(_ x: String, _ layer: Linear, _ hint: String) -> String {
    scoped(hint) { g in
      let w = g.constant("weight", layer.weight.value)
      var inputs = [x, w]
      if let bias = layer.bias { inputs.append(g.constant("bias", bias.value)) }
      return g.node("Gemm", inputs, [("transB", .int(1))], outputs: 1)[0]
    }
  }

  /// A ``BatchNorm1d`` in evaluation mode (running statistics), x [N, C].
  public mutating func batchNorm(_ x: String, _ layer: BatchNorm1d, _ hint: String) -> String {
    scoped(hint) { g in
      let inputs = [x, g.constant("weight", layer.weight.value), g.constant("bias", layer.bias.value),
                    g.constant("running_mean", layer.runningMean.value), g.constant("running_var", layer.runningVar.value)]
      return g.node("BatchNormalization", inputs, [("epsilon", .float(layer.epsilon))], outputs: 1)[0]
    }
  }

  /// A float scalar constant (shape []), shared by name within one graph when the value repeats.
  public mutating func scalar(_ value: Float) -> String {
    let key = "scalar(\(value.bitPattern))"
    if let existing = scalarNames[key] { return existing }
    let saved = scope
    scope = []
    let name = constant("const_\(value)", [value], shape: [])
    scope = saved
    scalarNames[key] = name
    return name
  }

  /// GELU in its exact form, ½x(1 + erf(x/√2)), from Erf (opset 13 has no Gelu).
  public mutating func gelu(_ x: String) -> String {
    let erf = node("Erf", node("Mul", x, scalar(Float(0.5).squareRoot())))
    return node("Mul", node("Mul", x, scalar(0.5)), node("Add", erf, scalar(1)))
  }

  /// Reshape to a constant shape (−1 and 0 as ONNX reads them).
  public mutating func reshape(_ x: String, _ shape: [Int]) -> String {
    node("Reshape", x, constant("shape", int64s: shape))
  }

  /// Unsqueeze at the given axes.
  public mutating func unsqueeze(_ x: String, axes: [Int]) -> String {
    node("Unsqueeze", x, constant("axes", int64s: axes))
  }

  /// Sum over `axes` (keeping them when `keep`).
  public mutating func reduceSum(_ x: String, axes: [Int], keep: Bool) -> String {
    node("ReduceSum", [x, constant("axes", int64s: axes)], [("keepdims", .int(keep ? 1 : 0))], outputs: 1)[0]
  }

  /// Transpose with a permutation.
  public mutating func transpose(_ x: String, _ permutation: [Int]) -> String {
    node("Transpose", [x], [("perm", .ints(permutation))], outputs: 1)[0]
  }

  /// A constant vector [width] repeated for each row of `x` [N, …]: [N, width].
  public mutating func rows(_ vector: String, width: Int, like x: String) -> String {
    let n = node("Shape", [x], [("start", .int(0)), ("end", .int(1))], outputs: 1)[0]
    return node("Expand", vector, concat([n, constant("width", int64s: [width])], axis: 0))
  }

  /// Concatenation along `axis`.
  public mutating func concat(_ xs: [String], axis: Int) -> String {
    xs.count == 1 ? xs[0] : node("Concat", xs, [("axis", .int(axis))], outputs: 1)[0]
  }
}
