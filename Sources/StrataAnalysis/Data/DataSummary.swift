/// What the analysis reads: cell statistics plus an account of the rows they came from.
///
/// The account gives the files, the rows used and the rows dropped by reason. Built by `DataReader` from files, or from
/// cells given in memory
/// (`init(cells:source:)`).
public struct DataSummary: Sendable, Hashable {
  public enum Format: String, Sendable, Hashable {
    /// One row per unit.
    case unitLevel = "unit-level"
    /// One row per variant × segment with n, sum and sum of squares per metric.
    case aggregated
    /// The result of `strata sql`'s query run by a database (`analyze --database`, the service's live results): its
    /// cells, with the unit rows the query read and dropped counted as a unit-level file's.
    case query
  }

  /// Where the data came from, for people: the file, or the files joined by ", ".
  public var file: String
  /// The data files read, in order (one entry, the source, for cells given in memory).
  public var files: [String]
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
  /// The definition's unit id column (`unit:`) when unit-level data has no column of that name, so
  /// duplicate units could not be checked; nil when the column is there or the data is aggregated.
  public var missingUnitColumn: String? = nil
  /// The data file's header, for messages.
  public var header: [String] = []
  /// Unit rows of the regression-adjusted metrics (`covariates:`), read from unit-level data only; nil for
  /// aggregated cells and SQL rows, or when no metric declares `covariates:`.
  public var regressionRows: RegressionRows? = nil
  /// Pass 1 of the regression-adjusted metrics from a query's regression columns (`strata sql`, `--database`, the
  /// service); nil for unit-level CSV (which keeps `regressionRows`) or when no metric declares `covariates:`.
  public var regressionCells: RegressionCells? = nil
  /// Pass 2's sums from the second query, for `regressionCells` (`RegressionFits`).
  public var regressionSums: RegressionSums? = nil
  /// Whether the cells count the values filled with 0 by `missing: zero` (`ColumnMoments.zeroFilled`).
  ///
  /// True when a unit-level CSV was read, or aggregated cells or a query's result carry `<c>_zero_filled` for every
  /// column with `missing: zero` (`strata sql` writes them; the service's live results do not).
  public var zeroFillsCounted = false
  /// Rows of shifted sums (aggregated input, a query's result) whose variance lost its digits to a shift far from the
  /// cell's mean (`ShiftedSums.lostDigits`), in the order read; empty for unit-level data.
  public var doubtfulCells: [DoubtfulCell] = []
  /// Bytes of pipes read through a temporary copy (`InputSpool`): 0 when every part was a file or read row by row.
  var spooledBytes = 0
  /// Chunks of pipes read as they arrived, in place (`PipeChunks`), with a copy or without: 0 when every part was a
  /// file or read row by row.
  var chunksArrived = 0
  /// Chunks of files and pipes read in chunks and merged in order before any chunk that stopped (from which the rest
  /// is read in one piece), and of those the chunks whose start moved back from their line-end cut to the start of a
  /// record across it (a quoted line end there, `DataChunks`; read again from there, or with one thread only from
  /// there): 0 when every part was read row by row.
  var chunksMerged = 0
  var chunksMoved = 0

  /// Units counted in the statistics (rows used for unit-level data, the sum of `n` for aggregated data).
  public var units: Int { statistics.units.reduce(0, +) }

  public init(
    file: String, format: Format, bytes: Int, rowsRead: Int, rowsUsed: Int, issues: DataIssues,
    statistics: SufficientStatistics, duplicatesChecked: Bool, duplicateDetectorBytes: Int
  ) {
    self.file = file
    files = [file]
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

extension DataSummary {
  /// Cells given in memory (from a query, a service or a test), with `source` saying where they came from.
  ///
  /// They are accounted as aggregated rows: one per variant × segment cell, nothing dropped.
  public init(cells statistics: SufficientStatistics, source: String) {
    let cells = statistics.units.count
    self.init(
      file: source, format: .aggregated, bytes: 0, rowsRead: cells, rowsUsed: cells, issues: DataIssues(),
      statistics: statistics, duplicatesChecked: false, duplicateDetectorBytes: 0)
  }

  /// Adds a later part of the same data set: its cells merge exactly, its rows and issues add up (issue
  /// examples from later parts name their file, as their line numbers are the part's own).
  public mutating func add(_ part: DataSummary) {
    precondition(format == part.format, "parts of one data set share one layout")
    files += part.files
    file = files.joined(separator: ", ")
    spooledBytes += part.spooledBytes
    chunksArrived += part.chunksArrived
    chunksMerged += part.chunksMerged
    chunksMoved += part.chunksMoved
    bytes += part.bytes
    rowsRead += part.rowsRead
    rowsUsed += part.rowsUsed
    issues.merge(part.issues, file: part.files.count == 1 ? part.files[0] : nil)
    statistics.merge(part.statistics)
    if var rows = regressionRows, let more = part.regressionRows {
      rows.append(more, part: true)
      regressionRows = rows
    }
    if var cells = regressionCells, let more = part.regressionCells {
      cells.merge(more)
      regressionCells = cells
    } else if part.regressionCells == nil {
      regressionCells = nil  // a part without the columns: the cells do not cover every unit
    }
    duplicatesChecked = duplicatesChecked && part.duplicatesChecked
    zeroFillsCounted = zeroFillsCounted && part.zeroFillsCounted
    doubtfulCells += part.doubtfulCells
    duplicateDetectorBytes = max(duplicateDetectorBytes, part.duplicateDetectorBytes)
    if missingUnitColumn == nil, let column = part.missingUnitColumn {
      missingUnitColumn = column
      header = part.header
    }
  }
}

/// How data is read.
public struct DataReadOptions: Sendable {
  /// Any bad row is fatal (a `DataError` naming its line).
  public var strict: Bool
  /// Track unit ids (8-byte hashes) to drop duplicate units.
  public var checkDuplicates: Bool
  /// Metric values read as missing besides an empty field, such as R's `NA` (`--missing-value`).
  ///
  /// Matched exactly after leading and trailing spaces; each is then handled by its metric's `missing:` policy and
  /// counted as missing.
  public var missingValues: [String] = []
  /// Called after each buffer refill with (bytes read, total): one bar over every part and, when Lin's regression
  /// reads the files twice, both reads (the bytes of all, twice their sizes added); the total is 0 when a part's size
  /// is unknown (a pipe).
  public var progress: (@Sendable (Int, Int) -> Void)?

  /// Threads that read a regular unit-level file (at least 1).
  ///
  /// The results do not depend on it: the file is cut into chunks by its bytes alone and the chunks' cells merge
  /// in file order (`ChunkedUnitReader`).
  public var threads: Int
  /// The chunk size in bytes (before moving on to the next line end).
  ///
  /// The last digits of the results depend on it, so it is fixed; tests make it small to put chunk boundaries
  /// where they want them.
  package var chunkSize = ChunkedUnitReader.chunkSize

  /// Keep the unit rows of metrics with `covariates:` (Lin's regression) instead of reading the files twice.
  ///
  /// By default regular files are read twice for such metrics (`DataReader.read`: memory independent of the units);
  /// a pipe, which cannot be read again, keeps the rows whatever this says. Tests that look at the rows set it.
  public var keepsRegressionRows = false
  /// Where a pipe is copied for the duplicate check (`InputSpool`).
  ///
  /// nil: `$TMPDIR`, or /tmp. Tests set it.
  var spoolDirectory: String? = nil
  /// Where the copy is opened again by its descriptor (`InputSpool`); tests name a missing one, as on a system
  /// without `/proc`.
  var descriptorDirectory = InputSpool.defaultDescriptorDirectory
  /// What the unit-level reader keeps of a regression metric's units (`DataReader.read` sets it per pass).
  var regressionMode: RegressionRows.Mode = .rows

  public init(
    strict: Bool = false, checkDuplicates: Bool = true, threads: Int = 1,
    progress: (@Sendable (Int, Int) -> Void)? = nil
  ) {
    self.strict = strict
    self.checkDuplicates = checkDuplicates
    self.threads = max(1, threads)
    self.progress = progress
  }
}
