import Foundation

/// scikit-learn's `train_test_split(..., test_size=f, random_state=seed)`, reproduced exactly:
/// with `stratify=y` through `StratifiedShuffleSplit`, otherwise through `ShuffleSplit`. The
/// row indices (and their order) equal Python's for the same rows, share and seed.
///
/// n_test = ⌈f·n⌉ and n_train = n − n_test. Stratified: the per-class train and test counts
/// are the approximate mode of the multivariate hypergeometric distribution (scikit-learn's
/// `_approximate_mode`, ties broken at random), each class's rows are permuted and cut, and
/// both parts are permuted once more.
public enum ScikitLearnSplit {
  /// Why a split is impossible.
  public enum SplitError: Error, Equatable, CustomStringConvertible {
    case tooFewMembers(classIndex: Int, count: Int)
    case tooFewRows(train: Int, test: Int, classes: Int)

    public var description: String {
      switch self {
      case let .tooFewMembers(classIndex, count):
        return "class \(classIndex) has \(count) row; a stratified split needs at least 2 rows per class"
      case let .tooFewRows(train, test, classes):
        return "the split gives \(train) training and \(test) test rows, fewer than the \(classes) classes; use more data or another --test_split_size"
      }
    }
  }

  /// The numbers of training and test rows for `count` rows and test share `testFraction`.
  public static func sizes(count: Int, testFraction: Double) -> (train: Int, test: Int) {
    let test = Int((testFraction * Double(count)).rounded(.up))
    return (count - test, test)
  }

  /// `ShuffleSplit`: a permutation of all rows; the first n_test are the test rows.
  public static func shuffleSplit(count: Int, testFraction: Double, seed: UInt32) -> (train: [Int], test: [Int]) {
    let (nTrain, nTest) = sizes(count: count, testFraction: testFraction)
    var rng = NumPyRandomState(seed: seed)
    let permutation = rng.permutation(count)
    return (Array(permutation[nTest..<(nTest + nTrain)]), Array(permutation[..<nTest]))
  }

  /// `StratifiedShuffleSplit` on class codes 0..<C (all present).
  public static func stratifiedSplit(labels: [Int], testFraction: Double, seed: UInt32) throws -> (train: [Int], test: [Int]) {
    let (nTrain, nTest) = sizes(count: labels.count, testFraction: testFraction)
    let classes = (labels.max() ?? -1) + 1
    var members = [[Int]](repeating: [], count: classes)
    for (row, label) in labels.enumerated() { members[label].append(row) }
    let counts = members.map(\.count)
    if let small = counts.firstIndex(where: { $0 < 2 }) { throw SplitError.tooFewMembers(classIndex: small, count: counts[small]) }
    guard nTrain >= classes, nTest >= classes else { throw SplitError.tooFewRows(train: nTrain, test: nTest, classes: classes) }
    var rng = NumPyRandomState(seed: seed)
    let trainCounts = approximateMode(counts, draws: nTrain, rng: &rng)
    let testCounts = approximateMode(zip(counts, trainCounts).map { $0 - $1 }, draws: nTest, rng: &rng)
    var train: [Int] = []
    var test: [Int] = []
    for c in 0..<classes {
      let permuted = rng.permutation(counts[c]).map { members[c][$0] }
      train += permuted[..<trainCounts[c]]
      test += permuted[trainCounts[c]..<(trainCounts[c] + testCounts[c])]
    }
    return (rng.permutation(train), rng.permutation(test))
  }

  /// scikit-learn's `_approximate_mode`: ⌊counts/Σcounts·draws⌋, then the remaining draws go
  /// to the classes with the largest fractional parts, ties broken by `choice` without
  /// replacement, in float64 exactly as NumPy computes it.
  static func approximateMode(_ counts: [Int], draws: Int, rng: inout NumPyRandomState) -> [Int] {
    let total = Double(counts.reduce(0, +))
    let continuous = counts.map { Double($0) / total * Double(draws) }
    var floored = continuous.map { $0.rounded(.down) }
    var needed = Int(Double(draws) - floored.reduce(0, +))
    if needed > 0 {
      let remainder = zip(continuous, floored).map { $0 - $1 }
      for value in Set(remainder).sorted(by: >) {
        let indices = remainder.indices.filter { remainder[$0] == value }
        let now = Swift.min(indices.count, needed)
        for i in rng.choiceWithoutReplacement(indices, size: now) { floored[i] += 1 }
        needed -= now
        if needed == 0 { break }
      }
    }
    return floored.map { Int($0) }
  }
}
