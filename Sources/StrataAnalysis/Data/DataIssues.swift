/// Rows that could not be used, counted by kind with the first few line numbers.
public struct DataIssues: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    case unknownVariant = "unknown_variant"
    case unknownSegment = "unknown_segment"
    case badNumber = "unparseable_number"
    case duplicateUnit = "duplicate_unit"
    case missingUnit = "missing_unit"
    case wrongFieldCount = "wrong_field_count"
    case badQuoting = "bad_quoting"

    /// A phrase for people.
    public var phrase: String {
      switch self {
      case .unknownVariant: return "unknown variant"
      case .unknownSegment: return "unknown segment"
      case .badNumber: return "unparseable or out-of-range metric value"
      case .duplicateUnit: return "duplicate unit id (later rows dropped)"
      case .missingUnit: return "empty unit id"
      case .wrongFieldCount: return "wrong number of fields"
      case .badQuoting: return "broken CSV quoting"
      }
    }
  }

  /// How many rows of one kind, where the first ones are, and what the first one held.
  public struct Entry: Sendable, Hashable {
    public var count = 0
    public var firstLines: [Int] = []
    public var firstExample = ""

    public init() {}
  }

  /// How many line numbers are kept per kind.
  public static let linesKept = 5

  public private(set) var entries: [Kind: Entry] = [:]

  public init() {}

  mutating func record(_ kind: Kind, line: Int, example: @autoclosure () -> String) {
    var entry = entries[kind] ?? Entry()
    if entry.count == 0 { entry.firstExample = example() }
    entry.count += 1
    if entry.firstLines.count < Self.linesKept { entry.firstLines.append(line) }
    entries[kind] = entry
  }

  /// Counts `count` rows of `kind` that have no line numbers (rows an engine aggregated, such as a
  /// `strata analyze --database` query); `example` describes them when they are the first of their kind.
  public mutating func record(_ kind: Kind, count: Int, example: @autoclosure () -> String) {
    guard count > 0 else { return }
    var entry = entries[kind] ?? Entry()
    if entry.count == 0 { entry.firstExample = example() }
    entry.count += count
    entries[kind] = entry
  }

  /// Adds the issues of a later part of the data; its first example is prefixed with `file` when given.
  mutating func merge(_ other: DataIssues, file: String?) {
    for (kind, theirs) in other.entries {
      var entry = entries[kind] ?? Entry()
      if entry.count == 0 { entry.firstExample = file.map { "(\($0)) " + theirs.firstExample } ?? theirs.firstExample }
      entry.count += theirs.count
      entry.firstLines += theirs.firstLines.prefix(Self.linesKept - entry.firstLines.count)
      entries[kind] = entry
    }
  }

  /// The same issues with every line number moved by `delta` (a part of a file read on its own counts its lines
  /// from 1).
  func shiftingLines(by delta: Int) -> DataIssues {
    guard delta != 0 else { return self }
    var shifted = self
    for (kind, entry) in entries {
      var moved = entry
      moved.firstLines = entry.firstLines.map { $0 + delta }
      shifted.entries[kind] = moved
    }
    return shifted
  }

  /// Rows dropped for any reason.
  public var total: Int { entries.values.reduce(0) { $0 + $1.count } }

  /// Kinds present, in a fixed order.
  public var kinds: [Kind] { Kind.allCases.filter { entries[$0] != nil } }
}
