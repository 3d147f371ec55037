import Testing

@testable import Models

/// Expected values come from scikit-learn 1.9.1 / NumPy 2.4 on this machine, e.g.
/// `python3 -c "import numpy as np; print(list(np.random.RandomState(0).permutation(10)))"` and
/// `train_test_split(np.arange(20), test_size=0.2, random_state=seed, stratify=y)`.
@Suite("scikit-learn compatible splits")
struct ScikitLearnSplitTests {
  @Test("RandomState(seed).permutation(10) equals NumPy's")
  func permutation() {
    var zero = NumPyRandomState(seed: 0)
    #expect(zero.permutation(10) == [2, 8, 4, 9, 1, 6, 7, 3, 0, 5])
    var fortyTwo = NumPyRandomState(seed: 42)
    #expect(fortyTwo.permutation(10) == [8, 1, 5, 0, 7, 2, 9, 4, 3, 6])
  }

  // y = [y0…y19] with classes of 7, 5 and 8 rows, permuted by RandomState(123).
  static let labels = [2, 0, 0, 2, 1, 1, 2, 2, 0, 2, 2, 1, 1, 1, 0, 0, 0, 2, 0, 2]

  @Test("stratified train_test_split(test_size=0.2) equals scikit-learn's, order included",
        arguments: [
          (UInt32(0), [17, 6, 5, 12, 2, 7, 3, 19, 18, 14, 1, 10, 13, 4, 16, 8], [15, 9, 11, 0]),
          (UInt32(1), [13, 1, 9, 0, 18, 11, 8, 5, 12, 6, 3, 17, 7, 15, 2, 14], [10, 16, 19, 4]),
          (UInt32(42), [11, 7, 4, 12, 1, 3, 8, 9, 0, 10, 2, 15, 14, 16, 19, 5], [13, 17, 6, 18]),
        ])
  func stratified(seed: UInt32, train: [Int], test: [Int]) throws {
    let split = try ScikitLearnSplit.stratifiedSplit(labels: Self.labels, testFraction: 0.2, seed: seed)
    #expect(split.train == train)
    #expect(split.test == test)
  }

  @Test("unstratified train_test_split(test_size=0.3) equals scikit-learn's",
        arguments: [
          (UInt32(0), [6, 13, 4, 2, 5, 14, 9, 7, 16, 11, 3, 0, 15, 12], [18, 1, 19, 8, 10, 17]),
          (UInt32(42), [11, 3, 18, 16, 13, 2, 9, 19, 4, 12, 7, 10, 14, 6], [0, 17, 15, 1, 8, 5]),
        ])
  func shuffled(seed: UInt32, train: [Int], test: [Int]) {
    let split = ScikitLearnSplit.shuffleSplit(count: 20, testFraction: 0.3, seed: seed)
    #expect(split.train == train)
    #expect(split.test == test)
  }

  @Test("ties in the approximate mode are broken with NumPy's draws")
  func ties() throws {
    // train_test_split(np.arange(9), test_size=0.5, random_state=5, stratify=[0]*3+[1]*3+[2]*3)
    let split = try ScikitLearnSplit.stratifiedSplit(labels: [0, 0, 0, 1, 1, 1, 2, 2, 2], testFraction: 0.5, seed: 5)
    #expect(split.train == [8, 0, 4, 2])
    #expect(split.test == [6, 3, 7, 5, 1])
  }

  /// Σ (k+1)·index over a split, a checksum of the indices and their order.
  static func checksum(_ indices: [Int]) -> Int { indices.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element } }

  @Test("1000 imbalanced rows: the same split as scikit-learn, for seeds 7 and 2³²−1")
  func large() throws {
    let labels = (0..<1000).map { $0 % 7 == 0 ? 1 : ($0 % 11 == 0 ? 2 : 0) }
    let seven = try ScikitLearnSplit.stratifiedSplit(labels: labels, testFraction: 0.2, seed: 7)
    #expect(seven.train.count == 800)
    #expect(Self.checksum(seven.train) == 163_220_248)
    #expect(Self.checksum(seven.test) == 10_093_590)
    #expect(Array(seven.test.prefix(5)) == [682, 105, 359, 362, 317])
    let largest = try ScikitLearnSplit.stratifiedSplit(labels: labels, testFraction: 0.2, seed: .max)
    #expect(Self.checksum(largest.train) == 158_281_481)
    #expect(Self.checksum(largest.test) == 10_655_758)
    let shuffled = ScikitLearnSplit.shuffleSplit(count: 1001, testFraction: 0.25, seed: 3)
    #expect(shuffled.test.count == 251)
    #expect(Self.checksum(shuffled.train) == 145_441_090)
    #expect(Self.checksum(shuffled.test) == 14_683_455)
  }

  @Test("a class with one row cannot be stratified")
  func singleMember() {
    #expect(throws: ScikitLearnSplit.SplitError.tooFewMembers(classIndex: 1, count: 1)) {
      try ScikitLearnSplit.stratifiedSplit(labels: [0, 0, 0, 1, 0, 0], testFraction: 0.3, seed: 0)
    }
  }
}
