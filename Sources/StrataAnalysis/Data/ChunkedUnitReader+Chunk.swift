extension ChunkedUnitReader {
  /// What one chunk of the file gave: its cells, its account of rows (line numbers counted from 1 at the chunk's
  /// start) and, on a first pass with the duplicate check on, the hash of every row that reached it.
  struct ChunkResult: @unchecked Sendable {
    var statistics: SufficientStatistics
    var regressionRows: RegressionRows? = nil
    var issues = DataIssues()
    var rowsRead = 0
    var rowsUsed = 0
    var hashes: PartitionedHashes? = nil
    /// The line ends in the chunk (its first record's line plus this is the next chunk's first line).
    var newlines = 0
    /// Whether the chunk was read to its end without an error and ended at a line end outside quotes (or at the end
    /// of the file): only then is the next chunk known to start at a record, and this result usable.
    var complete = false
    /// What stopped the chunk (a strict reader's bad row, a read error), line numbers as in `issues`.
    var error: DataError? = nil

    /// The cells, leaving an empty table of no cells in their place, so that the caller holds the only reference.
    mutating func takeStatistics() -> SufficientStatistics {
      defer { statistics = SufficientStatistics(variantCount: 0, segmentCount: 0, metricCount: 0) }
      return statistics
    }
  }

  /// A merged chunk's cell table, emptied by its merge (`Merged.add`, `SufficientStatistics.merge(emptying:)`), handed
  /// back for a later chunk (at most about as many tables as chunks in flight).
  ///
  /// An emptied table costs less than a fresh one: the copy of the template's and the page faults of new memory, 40
  /// MB per 8 MiB chunk at 20,000 segments × 16 variants and two metrics. Each chunk still has cells of its own,
  /// merged in file order, so the results are those of fresh tables, bit for bit.
  func recycle(emptied statistics: SufficientStatistics) {
    condition.lock()
    spareTables.append(statistics)
    condition.unlock()
  }

  /// An emptied table from `recycle`, or nil when none is spare.
  func spareTable() -> SufficientStatistics? {
    condition.lock()
    let table = spareTables.popLast()
    condition.unlock()
    return table
  }

  /// A hash buffer from an earlier chunk, or a new one with room for every row of a chunk of `bytes` bytes (a row
  /// that reaches the duplicate check has all its fields and a unit id: at least one byte per field).
  func spareHashScratch(chunkBytes bytes: Int) -> HashScratch {
    condition.lock()
    let spare = spareScratch.popLast()
    condition.unlock()
    return spare ?? HashScratch(capacity: bytes / max(1, template.fieldCount) + 1, bits: partitionBits)
  }

  /// The most bytes a chunk's scanner reads at a time: 256 KiB (its buffer stays 4 MiB, and so does the longest
  /// record a chunk reads).
  ///
  /// Each read fills the buffer from its start, after the unparsed tail, so the scan uses only the buffer's first
  /// quarter megabyte, which can stay in the core's 1 MiB second-level cache beside the cell table (384 KiB of row
  /// parts at 2,000 segments × 3 variants and two metrics). Reads of the whole buffer wrote 4 MiB at a time, twice per
  /// 8 MiB chunk. Measured on the 10 M-row files (docs/performance.md, "Chunk reads of 256 KiB"): 2,000 × 3 on two
  /// threads 25–40 ms less CPU, on one thread up to 40 ms less, 5 × 3 no more; the results are the same.
  static let readSize = 256 << 10

  /// The scanner of `range`: of the file, or, for a pipe's chunk, of its bytes in `buffer`, in place.
  ///
  /// A function of its own: built inline in `scan(_:)`, the choice kept the record loop from being inlined there (9
  /// instructions a row more in callgrind, the fast row called through a thunk).
  static func scanner(path: String, range: Range<Int>, buffer: PipeChunks.Buffer?) throws(DataError) -> CSVScanner {
    if let buffer {
      return CSVScanner(inPlace: buffer.base + (range.lowerBound - buffer.start), range: range, path: path)
    }
    return try CSVScanner(path: path, range: range, prefix: nil, readSize: readSize)
  }

  /// Reads chunk `index` with a copy of the header's reader, in the reader's `mode`.
  ///
  /// The first pass (`.collect`) groups the chunk's unit hashes for the log; a second pass (`.dropRepeats`) leaves
  /// out the rows that repeat an earlier unit. Never throws: a failure is the result's `error`.
  func scan(_ index: Int) -> ChunkResult {
    condition.lock()
    let range = chunks[index]
    let last = chunksKnown && index == chunks.count - 1
    let buffer = buffers.removeValue(forKey: index)
    condition.unlock()
    var rows = template
    if let table = spareTable() { rows.statistics = table }
    rows.duplicateMode = mode
    rows.logChunk = logBase + index
    let collects = rows.checksDuplicates && mode == .collect
    if collects { rows.hashes = spareHashScratch(chunkBytes: range.count) }
    // The result takes the cells once the chunk is read: holding them now would make the reader's first row copy
    // the whole table (copy on write), which defeated the recycling above.
    var result = ChunkResult(statistics: SufficientStatistics(variantCount: 0, segmentCount: 0, metricCount: 0))
    do {
      var scanner = try Self.scanner(path: path, range: range, buffer: buffer)
      defer { scanner.close() }
      // One call with the choice inside the fast closure: with two calls, one per choice, their identical per-record
      // closures were merged into one function called per record, 38 instructions per row more on the usual path.
      let fastRows = rows.takesFastRows
      try scanner.forEachRecord(
        fast: { fastRows ? rows.consumeFast($0, $1, $2) : -1 },
        quoted: { fastRows ? rows.consumeOther($0, $1, $2) : -1 }
      ) { record in
        if !record.isBlank { try rows.consume(record) }
        return true
      }
      try rows.flush()
      result.newlines = scanner.nextLine - 1
      result.complete =
        scanner.nextOffset == range.upperBound && (last || scanner.lastRecordEndedLine)
    } catch let error as DataError {
      result.error = error
    } catch {
      result.error = DataError(file: path, line: nil, message: "cannot be read (\(error))")
    }
    if let buffer { stream?.recycle(buffer) }  // read: its bytes are free for a later chunk
    result.statistics = rows.statistics
    result.regressionRows = rows.regressionRows
    result.issues = rows.issues
    result.rowsRead = rows.rowsRead
    result.rowsUsed = rows.rowsUsed
    if collects {
      // The reader's copy: the buffer it filled (a new one if it grew).
      var scratch = rows.hashes
      rows.hashes = HashScratch()
      if result.complete, let arena {
        result.hashes = PartitionedHashes(scratch, arena: arena)
      }
      scratch.removeAll()
      condition.lock()
      spareScratch.append(scratch)
      condition.unlock()
    }
    return result
  }
}
