/// Binomial coefficients and k-subsets, for the explainers that enumerate coalitions.

/// C(n, k) in Double, by the product Π_{i<min(k, n−k)} (n − i)/(i + 1) rounded to an integer:
/// exact while C(n, k) < 2^53, which covers every size Kernel SHAP can enumerate within its
/// 2^24 budget; 0 outside 0 ≤ k ≤ n.
func binomial(_ n: Int, _ k: Int) -> Double {
  guard k >= 0 && k <= n else { return 0 }
  var result = 1.0
  for i in 0..<min(k, n - k) { result = result * Double(n - i) / Double(i + 1) }
  return result.rounded()
}

/// Calls `body` with every k-subset of 0..<n (as ascending indices), in lexicographic order:
/// C(n, k) calls.
///
///     forEachCombination(4, 2) { print($0) }   // [0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]
func forEachCombination(_ n: Int, _ k: Int, _ body: ([Int]) -> Void) {
  guard k >= 0 && k <= n else { return }
  var members = Array(0..<k)
  while true {
    body(members)
    var i = k - 1
    while i >= 0 && members[i] == n - k + i { i -= 1 }
    if i < 0 { return }
    members[i] += 1
    for j in (i + 1)..<k { members[j] = members[j - 1] + 1 }
  }
}
