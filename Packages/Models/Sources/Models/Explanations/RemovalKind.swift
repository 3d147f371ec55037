/// Whether a subset S of features is inserted into the baseline or deleted from x, in the
/// insertion and deletion errors of an explanation (Sum-of-Parts, You et al., ICML 2025, §2):
/// insertion compares f(x_S) − f(x_∅) with the scores of the groups inside S, deletion
/// f(x) − f(x_¬S) with the scores of the groups that meet S.
public enum RemovalKind: String, Sendable, Codable, CaseIterable {
  case insertion, deletion
}
