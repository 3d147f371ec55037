/// The column-dropping rules of the INN reference preprocessing, applied to the full table
/// before splitting: a column is dropped when more than 90 % of its cells are missing, when
/// it has a single distinct value, or when it is categorical with distinct values in more than
/// 90 % of the rows (an identifier, not a feature).
public enum ColumnFilter {
  public struct Dropped: Codable, Sendable, Equatable {
    public var column: String
    public var reason: String
  }

  public static func dropped(_ table: DataTable) -> [Dropped] {
    let n = table.rowCount
    var result: [Dropped] = []
    for column in table.columns {
      let missing = column.missingCount
      let distinct: Int
      switch column.values {
      case .numeric(let v): distinct = Set(v.compactMap { $0 }).count
      case .categorical(_, let c): distinct = Set(c.compactMap { $0 }).count
      }
      if Double(missing) > 0.9 * Double(n) {
        result.append(Dropped(column: column.name, reason: "\(missing) of \(n) values missing (more than 90 %)"))
      } else if distinct <= 1 {
        result.append(Dropped(column: column.name, reason: "constant"))
      } else if column.isCategorical && Double(distinct) > 0.9 * Double(n) {
        result.append(Dropped(column: column.name, reason: "categorical with \(distinct) distinct values in \(n) rows (an identifier)"))
      }
    }
    return result
  }
}
