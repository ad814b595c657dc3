/// Validation and quoting of the names a query mentions: columns from the definition, tables from the
/// command line, and string constants (variant keys, the experiment id, metric names).
///
/// Names are always quoted, so spaces, keywords and punctuation are fine, but a name containing a quote
/// character of any dialect (`"`, `` ` ``, `'`), a backslash (an escape character in Spark, BigQuery and
/// ClickHouse), a control character or nothing at all is refused: no name can close its quotes and inject
/// SQL, whatever the dialect. Snowflake folds unquoted names to upper case, so a plain name there (letters,
/// digits, `_`) is quoted in upper case, which is what an unquoted `CREATE TABLE` stored.
package enum SQLName {
  /// The longest name accepted (PostgreSQL truncates at 63 bytes, Snowflake allows 255).
  static let maximumLength = 255

  /// Why `name` cannot be used, or nil when it can.
  static func problem(with name: String) -> String? {
    if name.isEmpty { return "it is empty" }
    if name.utf8.count > maximumLength { return "it is longer than \(maximumLength) bytes" }
    for scalar in name.unicodeScalars {
      switch scalar {
      case "\"": return "it contains a double quote"
      case "`": return "it contains a backtick"
      case "'": return "it contains a single quote"
      case "\\": return "it contains a backslash"
      default:
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
          || scalar.value == 0x2029
        {
          return "it contains a control character (U+\(String(scalar.value, radix: 16, uppercase: true)))"
        }
      }
    }
    if name.first == " " || name.last == " " { return "it starts or ends with a space" }
    return nil
  }

  /// Throws a sentence naming `role` (such as `metrics[1].column "revenue"`) when `name` is unusable.
  static func check(_ name: String, _ role: String) throws(WarehouseError) {
    if let problem = problem(with: name) {
      throw WarehouseError("\(role) \(display(name)) cannot be used in SQL: \(problem)")
    }
  }

  /// The longest result column name `dialect` keeps whole: PostgreSQL truncates longer ones (NAMEDATALEN − 1).
  static func maximumAliasLength(_ dialect: SQLDialect) -> Int { dialect == .postgres ? 63 : maximumLength }

  /// As ``check(_:_:)``, and within `dialect`'s length of a result column name (``maximumAliasLength(_:)``).
  static func checkAlias(_ name: String, _ role: String, _ dialect: SQLDialect) throws(WarehouseError) {
    try check(name, role)
    let limit = maximumAliasLength(dialect)
    guard name.utf8.count <= limit else {
      throw WarehouseError(
        "\(role) \(display(name)), \(name.utf8.count) bytes, longer than the \(limit) bytes \(dialect.rawValue) keeps of a column name: shorten the metric's name or its columns' names"
      )
    }
  }

  /// A validated identifier, quoted for `dialect`.
  static func quote(_ name: String, _ dialect: SQLDialect) -> String {
    precondition(problem(with: name) == nil, "names are validated before quoting")
    let quote = dialect.identifierQuote
    var text = name
    if dialect == .snowflake && isPlain(name) { text = name.uppercased() }
    return "\(quote)\(text)\(quote)"
  }

  /// An output column alias: quoted exactly as written, so the result's header is the CSV header.
  static func alias(_ name: String, _ dialect: SQLDialect) -> String {
    precondition(problem(with: name) == nil, "names are validated before quoting")
    return "\(dialect.identifierQuote)\(name)\(dialect.identifierQuote)"
  }

  /// A validated string constant as a literal (the validation excludes quotes and backslashes).
  package static func literal(_ value: String) -> String {
    precondition(problem(with: value) == nil, "constants are validated before quoting")
    return "'\(value)'"
  }

  /// A table name `a`, `schema.table` or `catalog.schema.table`, each part validated and quoted.
  static func table(_ name: String, _ dialect: SQLDialect, role: String) throws(WarehouseError) -> String {
    let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard (1...3).contains(parts.count) else {
      throw WarehouseError(
        "\(role) \(display(name)) cannot be used in SQL: write table, schema.table or catalog.schema.table")
    }
    var quoted: [String] = []
    for part in parts {
      if let problem = problem(with: part) {
        throw WarehouseError(
          "\(role) \(display(name)) cannot be used in SQL: \(parts.count > 1 ? "a part of it is empty or unusable: " : "")\(problem)"
        )
      }
      quoted.append(quote(part, dialect))
    }
    return quoted.joined(separator: ".")
  }

  private static func isPlain(_ name: String) -> Bool {
    name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F }
      && !(name.utf8.first.map { $0 >= 0x30 && $0 <= 0x39 } ?? true)
  }

  /// The name for an error message, with control characters made visible.
  static func display(_ name: String) -> String {
    var text = "\""
    for scalar in name.unicodeScalars {
      if scalar.value < 0x20 || scalar.value == 0x7F {
        text += "\\u{\(String(scalar.value, radix: 16))}"
      } else {
        text.unicodeScalars.append(scalar)
      }
    }
    return text + "\""
  }
}
