/// The rows a `CellQuery` returned, with each value as the engine typed it.
///
/// Any engine's driver fills one: postgres-nio (`PostgresQueryRunner`), GRDB for SQLite, a test. Then
/// `CellQuery.summary(of:source:)` turns it into the analysis's input. Columns are matched by name, so
/// their order does not matter and extra columns are ignored.
///
/// ```swift
/// let query = try CellQuery(plan: plan, dialect: .postgres, source: .units(table: "public.units"))
/// let result = QueryResult(columns: names, rows: rows)  // from the driver, in any order
/// let summary = try query.summary(of: result, source: "PostgreSQL postgresql://app@db:5432/crm")
/// let analysis = try Analyzer(plan: plan).analyze(summary)
/// ```
public struct QueryResult: Sendable, Hashable {
  /// One value of a result row.
  public enum Value: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case double(Double)
    /// Text, including numbers an engine returns as text (`NUMERIC` in text form, SQLite's loose types).
    case text(String)

    /// The value as a number: integers exactly (up to 2⁵³), text parsed as a decimal; nil for NULL and
    /// for text that is not a finite number.
    public var number: Double? {
      switch self {
      case .null: nil
      case .integer(let value): Double(value)
      case .double(let value): value.isFinite ? value : nil
      case .text(let value):
        Double(value.trimmingCharacters(in: " ")).flatMap { $0.isFinite ? $0 : nil }
      }
    }

    /// The value as text, as the CSV reader would see it; nil for NULL.
    public var text: String? {
      switch self {
      case .null: nil
      case .integer(let value): String(value)
      case .double(let value): "\(value)"
      case .text(let value): value
      }
    }

    /// The value for messages (`NULL` for NULL).
    public var description: String { text ?? "NULL" }
  }

  /// Column names, in result order.
  public var columns: [String]
  /// Rows, each with one value per column.
  public var rows: [[Value]]

  public init(columns: [String], rows: [[Value]]) {
    self.columns = columns
    self.rows = rows
  }

  /// The result as CSV with a header, exactly what a user saving the result would give `analyze --data`:
  /// doubles in the shortest text that reads back to the same double, NULL as an empty field.
  public var csv: String {
    var text = columns.map(Self.field).joined(separator: ",") + "\n"
    for row in rows { text += row.map { Self.field($0.text ?? "") }.joined(separator: ",") + "\n" }
    return text
  }

  private static func field(_ value: String) -> String {
    guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
    return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}

extension String {
  fileprivate func trimmingCharacters(in character: Character) -> Substring {
    var text = Substring(self)
    while text.first == character { text.removeFirst() }
    while text.last == character { text.removeLast() }
    return text
  }

  fileprivate func replacingOccurrences(of target: Character, with replacement: String) -> String {
    var text = ""
    for character in self { if character == target { text += replacement } else { text.append(character) } }
    return text
  }
}
