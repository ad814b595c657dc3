import StrataAnalysis

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
    var text = columns.map(CSVCell.quoted).joined(separator: ",") + "\n"
    for row in rows { text += row.map { CSVCell.quoted($0.text ?? "") }.joined(separator: ",") + "\n" }
    return text
  }
}

extension String {
  fileprivate func trimmingCharacters(in character: Character) -> Substring {
    var text = Substring(self)
    while text.first == character { text.removeFirst() }
    while text.last == character { text.removeLast() }
    return text
  }
}

extension QueryResult {
  /// A result saved as CSV: what `strata analyze --regression-sums` reads back.
  ///
  /// A header, then one line per row (RFC 4180 quotes, CRLF or LF); each field as text, an empty field as NULL.
  /// Throws on an unterminated quote or a line with another number of fields than the header, naming the line.
  public init(csv text: String, source: String) throws(WarehouseError) {
    var records: [[String]] = []
    var lines: [Int] = []
    var record: [String] = []
    // Read by Unicode scalar, not by `Character`: a quote or comma followed by a combining mark is one
    // `Character` that is neither, and CR LF is one `Character` that is neither CR nor LF.
    var field = String.UnicodeScalarView()
    var quoted = false
    var line = 1
    var start = 1
    var scalars = text.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar? = nil
    func next() -> Unicode.Scalar? {
      if let scalar = pending {
        pending = nil
        return scalar
      }
      return scalars.next()
    }
    while let scalar = next() {
      if quoted {
        if scalar == "\"" {
          let after = next()
          if after == "\"" {
            field.append("\"")
          } else {
            quoted = false
            pending = after  // the scalar after the closing quote, read as unquoted
          }
        } else {
          if scalar == "\n" { line += 1 }
          field.append(scalar)
        }
        continue
      }
      switch scalar {
      case "\"" where field.isEmpty: quoted = true
      case ",":
        record.append(String(field))
        field = String.UnicodeScalarView()
      case "\n", "\r":
        if scalar == "\r" {
          let after = next()
          if after != "\n" { pending = after }
        }
        record.append(String(field))
        field = String.UnicodeScalarView()
        if !(record.count == 1 && record[0].isEmpty) {
          records.append(record)
          lines.append(start)
        }
        record = []
        line += 1
        start = line
      default: field.append(scalar)
      }
    }
    guard !quoted else { throw WarehouseError("\(source):\(start): a quoted field is not closed") }
    if !field.isEmpty || !record.isEmpty {
      record.append(String(field))
      records.append(record)
      lines.append(start)
    }
    guard let header = records.first else { throw WarehouseError("\(source) is empty: expected a header line") }
    self.init(columns: header, rows: [])
    for (index, values) in records.enumerated().dropFirst() {
      guard values.count == header.count else {
        throw WarehouseError(
          "\(source):\(lines[index]): the line has \(values.count) fields, the header \(header.count)")
      }
      rows.append(values.map { $0.isEmpty ? .null : .text($0) })
    }
  }
}
