/// Maps class names to 0..C−1 in sorted order, as scikit-learn's `LabelEncoder`: numerically
/// when every name is a number (so "2" < "10"), else lexicographically.
public struct LabelEncoder: Codable, Sendable, Equatable {
  public let classNames: [String]

  public init(fitting names: [String]) {
    let distinct = Array(Set(names))
    if distinct.allSatisfy({ Double($0) != nil }) {
      classNames = distinct.sorted { Double($0)! < Double($1)! }
    } else {
      classNames = distinct.sorted()
    }
  }

  public init(classNames: [String]) { self.classNames = classNames }

  public var classCount: Int { classNames.count }

  /// The code of every name; `nil` for a name that was not seen when fitting.
  public func encode(_ name: String) -> Int? {
    if let i = classNames.firstIndex(of: name) { return i }
    if let v = Double(name) { return classNames.firstIndex { Double($0) == v } }
    return nil
  }
}
