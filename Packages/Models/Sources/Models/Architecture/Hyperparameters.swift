/// Hyperparameters given by name, as `sann train` receives them: the reference's flags
/// (`--hidden_size 64` is `hidden_size` = "64") and `--param name=value` for any other. Each
/// architecture reads the names it knows with ``HyperparameterReader``; a name no architecture
/// reads is an error, not silently ignored.
///
///     let spec = try ModelRegistry.specification(kind: "inn", hyperparameters: ["hidden_size": "64"])
public struct Hyperparameters: Sendable, Equatable, ExpressibleByDictionaryLiteral {
  /// The text of each given hyperparameter, by name.
  public var values: [String: String]

  public init(_ values: [String: String] = [:]) { self.values = values }

  public init(dictionaryLiteral elements: (String, String)...) {
    self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
  }
}

/// A hyperparameter an architecture reads: its name, default and accepted values, for help
/// text and for error messages.
public struct HyperparameterDescription: Sendable, Equatable {
  public let name: String
  public let defaultValue: String
  /// The accepted values, e.g. "an integer in 1...8192" or "l1, l2, elasticnet or none".
  public let accepted: String
  public let help: String
}

/// The range a numeric hyperparameter must lie in.
public struct NumberRange: Sendable {
  public var lower: Double
  public var lowerInclusive: Bool
  public var upper: Double

  public static let nonNegative = NumberRange(lower: 0, lowerInclusive: true, upper: .greatestFiniteMagnitude)
  public static let positive = NumberRange(lower: 0, lowerInclusive: false, upper: .greatestFiniteMagnitude)
  public static let unit = NumberRange(lower: 0, lowerInclusive: true, upper: 1)

  public static func closed(_ lower: Double, _ upper: Double) -> NumberRange {
    NumberRange(lower: lower, lowerInclusive: true, upper: upper)
  }

  func contains(_ x: Double) -> Bool { x.isFinite && (lowerInclusive ? x >= lower : x > lower) && x <= upper }

  var text: String {
    if upper == .greatestFiniteMagnitude { return "a finite number \(lowerInclusive ? "≥" : ">") \(lower.formatted)" }
    return "a number in \(lowerInclusive ? "[" : "(")\(lower.formatted), \(upper.formatted)]"
  }
}

extension Double {
  /// "1" for 1.0, "0.1" for 0.1: how defaults and bounds are shown to the user.
  var formatted: String { self == rounded() && Swift.abs(self) < 1e15 ? String(Int(self)) : "\(self)" }
}

/// Reads an architecture's hyperparameters from ``Hyperparameters``, validating each value and
/// recording every name asked for (with its default), so the registry can list an
/// architecture's hyperparameters and reject names it does not read.
public struct HyperparameterReader {
  public let kind: String
  private let given: Hyperparameters
  /// Every hyperparameter read so far, in order.
  public private(set) var declared: [HyperparameterDescription] = []

  public init(_ given: Hyperparameters, kind: String) {
    self.given = given
    self.kind = kind
  }

  private mutating func text(_ name: String, default value: String, accepted: String, help: String) -> String? {
    declared.append(HyperparameterDescription(name: name, defaultValue: value, accepted: accepted, help: help))
    return given.values[name]
  }

  private func invalid(_ name: String, _ value: String, _ accepted: String) -> ArchitectureError {
    .invalidHyperparameter(kind: kind, name: name, value: value, accepted: accepted)
  }

  /// An integer in `range`; `default` when not given.
  public mutating func integer(_ name: String, default value: Int, in range: ClosedRange<Int>, help: String) throws -> Int {
    let accepted = "an integer in \(range.lowerBound)...\(range.upperBound)"
    guard let text = text(name, default: "\(value)", accepted: accepted, help: help) else { return value }
    guard let v = Int(text.trimmingSpaces), range.contains(v) else { throw invalid(name, text, accepted) }
    return v
  }

  /// A finite number in `range`, as Double; `default` when not given.
  public mutating func number(_ name: String, default value: Double, in range: NumberRange, help: String) throws -> Double {
    try number(name, default: value, shownAs: value.formatted, in: range, help: help)
  }

  private mutating func number(_ name: String, default value: Double, shownAs shown: String, in range: NumberRange, help: String) throws -> Double {
    guard let text = text(name, default: shown, accepted: range.text, help: help) else { return value }
    guard let v = Double(text.trimmingSpaces), range.contains(v) else { throw invalid(name, text, range.text) }
    return v
  }

  /// A finite number in `range`, as Float (the value must also be finite as a Float).
  public mutating func number(_ name: String, default value: Float, in range: NumberRange, help: String) throws -> Float {
    let v = try number(name, default: Double(value), shownAs: "\(value)", in: range, help: help)
    guard Float(v).isFinite else { throw invalid(name, given.values[name] ?? "\(v)", range.text + " within Float's range") }
    return Float(v)
  }

  /// A comma-separated list of integers, each in `range`, with `count` entries.
  public mutating func integers(_ name: String, default value: [Int], in range: ClosedRange<Int>, count: ClosedRange<Int>, help: String) throws -> [Int] {
    let accepted = "\(count.lowerBound)–\(count.upperBound) comma-separated integers in \(range.lowerBound)...\(range.upperBound)"
    guard let text = text(name, default: value.map(String.init).joined(separator: ","), accepted: accepted, help: help) else { return value }
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int(String($0).trimmingSpaces) }
    guard count.contains(parts.count), parts.allSatisfy({ $0.map(range.contains) ?? false }) else { throw invalid(name, text, accepted) }
    return parts.map { $0! }
  }

  /// One of a fixed set of names.
  public mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, default value: T, help: String) throws -> T where T.RawValue == String {
    let names = T.allCases.map(\.rawValue)
    let accepted = names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
    guard let text = text(name, default: value.rawValue, accepted: accepted, help: help) else { return value }
    guard let v = T(rawValue: text.trimmingSpaces.lowercased()) else { throw invalid(name, text, accepted) }
    return v
  }

  /// A text value such as a path (nil when not given, or given as "none"); an empty one is an error.
  public mutating func text(_ name: String, help: String) throws -> String? {
    guard let value = text(name, default: "none", accepted: "a path", help: help), value != "none" else { return nil }
    guard !value.trimmingSpaces.isEmpty else { throw invalid(name, value, "a path") }
    return value
  }

  /// Whether `name` was given (rather than left at its default).
  public func isGiven(_ name: String) -> Bool { given.values[name] != nil }

  /// Throws for the first given name that was never read, listing the names that are.
  public func finish() throws {
    let known = Set(declared.map(\.name))
    if let unknown = given.values.keys.sorted().first(where: { !known.contains($0) }) {
      throw ArchitectureError.unknownHyperparameter(kind: kind, name: unknown, known: declared.map(\.name))
    }
  }
}

extension String {
  fileprivate var trimmingSpaces: Substring {
    let start = firstIndex { $0 != " " } ?? endIndex
    let end = lastIndex { $0 != " " }.map { index(after: $0) } ?? start
    return self[start..<end]
  }
}

extension Int {
  fileprivate init?(_ text: Substring) { self.init(String(text)) }
}

extension Double {
  fileprivate init?(_ text: Substring) { self.init(String(text)) }
}
