extension ChunkedUnitReader {
  /// What one chunk of the file gave: its cells, its account of rows (line numbers counted from 1 at the chunk's
  /// start) and, on a first pass with the duplicate check on, the hash of every row that reached it.
  struct ChunkResult: @unchecked Sendable {
    var statistics: SufficientStatistics
    var regressionRows: RegressionRows? = nil
    var issues = DataIssues()
    var rowsRead = 0
    var rowsUsed = 0
    var hashes: [UInt64] = []
    /// The line ends in the chunk (its first record's line plus this is the next chunk's first line).
    var newlines = 0
    /// Whether the chunk was read to its end without an error and ended at a line end outside quotes (or at the end
    /// of the file): only then is the next chunk known to start at a record, and this result usable.
    var complete = false
    /// What stopped the chunk (a strict reader's bad row, a read error), line numbers as in `issues`.
    var error: DataError? = nil
  }

  /// Reads chunk `index` with a copy of the header's reader.
  ///
  /// The first pass uses `.collect`; a second pass (`.drop`) leaves out the rows whose ordinals are in `drop`.
  /// Never throws: a failure is the result's `error`.
  func scan(_ index: Int, mode: UnitLevelRows.DuplicateMode, drop: [Int] = []) -> ChunkResult {
    let range = chunks[index]
    var rows = template
    rows.duplicateMode = mode
    rows.dropOrdinals = drop
    var result = ChunkResult(statistics: rows.statistics)
    do {
      var scanner = try CSVScanner(path: path, range: range)
      defer { scanner.close() }
      try scanner.forEachRecord { record in
        if !record.isBlank { try rows.consume(record) }
        return true
      }
      try rows.flush()
      result.newlines = scanner.nextLine - 1
      result.complete =
        scanner.nextOffset == range.upperBound && (index == chunks.count - 1 || scanner.lastRecordEndedLine)
    } catch let error as DataError {
      result.error = error
    } catch {
      result.error = DataError(file: path, line: nil, message: "cannot be read (\(error))")
    }
    result.statistics = rows.statistics
    result.regressionRows = rows.regressionRows
    result.issues = rows.issues
    result.rowsRead = rows.rowsRead
    result.rowsUsed = rows.rowsUsed
    result.hashes = rows.hashes
    return result
  }
}
