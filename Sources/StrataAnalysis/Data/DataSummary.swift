/// What was read from a data file: sufficient statistics plus an account of every row.
public struct DataSummary: Sendable, Hashable {
  public enum Format: String, Sendable, Hashable {
    /// One row per unit.
    case unitLevel = "unit-level"
    /// One row per variant × segment with n, sum and sum of squares per metric.
    case aggregated
  }

  public var file: String
  public var format: Format
  public var bytes: Int
  /// Data rows (the header excluded, blank lines skipped).
  public var rowsRead: Int
  public var rowsUsed: Int
  public var issues: DataIssues
  public var statistics: SufficientStatistics
  /// Whether unit ids were checked for duplicates (unit-level data with a unit column).
  public var duplicatesChecked: Bool
  /// Bytes held by the duplicate detector (0 when it was off).
  public var duplicateDetectorBytes: Int

  /// Units counted in the statistics (rows used for unit-level data, the sum of `n` for aggregated data).
  public var units: Int { statistics.units.reduce(0, +) }

  public init(
    file: String, format: Format, bytes: Int, rowsRead: Int, rowsUsed: Int, issues: DataIssues,
    statistics: SufficientStatistics, duplicatesChecked: Bool, duplicateDetectorBytes: Int
  ) {
    self.file = file
    self.format = format
    self.bytes = bytes
    self.rowsRead = rowsRead
    self.rowsUsed = rowsUsed
    self.issues = issues
    self.statistics = statistics
    self.duplicatesChecked = duplicatesChecked
    self.duplicateDetectorBytes = duplicateDetectorBytes
  }
}

/// How data is read.
public struct DataReadOptions: Sendable {
  /// Any bad row is fatal (a `DataError` naming its line).
  public var strict: Bool
  /// Track unit ids (8-byte hashes) to drop duplicate units.
  public var checkDuplicates: Bool
  /// Called after each buffer refill with (bytes read, file size).
  public var progress: (@Sendable (Int, Int) -> Void)?

  public init(strict: Bool = false, checkDuplicates: Bool = true, progress: (@Sendable (Int, Int) -> Void)? = nil) {
    self.strict = strict
    self.checkDuplicates = checkDuplicates
    self.progress = progress
  }
}
