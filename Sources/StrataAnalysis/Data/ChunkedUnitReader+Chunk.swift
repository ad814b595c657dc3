import Foundation

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
    /// Where its records end: the range's end, or the start of a record across it (a quoted field with a line end
    /// across the cut), which the next chunk reads (`DataChunks`).
    var end = 0
    /// Whether the chunk was read without an error up to its end or to a record across it (and the data's last chunk
    /// to the end of the data): only then is this result usable.
    var complete = false
    /// What stopped the chunk (a strict reader's bad row, a read error), line numbers as in `issues`.
    var error: DataError? = nil
    /// Not read: a worker found that its line-end cut does not look like a record's start (likely inside a quoted
    /// field), so the merge reads it from its true start instead (`take(_:from:bytes:)`).
    var unread = false

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

  /// Reads chunk `index` as it was cut (from its line-end cut, in its buffer for a pipe's).
  ///
  /// On a worker's first pass, a chunk after the first is not read when its cut does not look like a record's start
  /// (`looksLikeRecordStart`): the merge reads it from where the chunk before it ends. (A second pass reads the
  /// chunks' true ranges, known by then.)
  func scan(_ index: Int) -> ChunkResult {
    condition.lock()
    let range = chunks[index]
    let last = chunksKnown && index == chunks.count - 1
    let buffer = buffers.removeValue(forKey: index)
    condition.unlock()
    var result: ChunkResult
    if workers > 0 && index > 0 && mode == .collect && !looksLikeRecordStart(range, in: buffer) {
      result = ChunkResult(statistics: SufficientStatistics(variantCount: 0, segmentCount: 0, metricCount: 0))
      result.unread = true
    } else {
      result = scan(index, range: range, buffer: buffer, last: last)
    }
    if let buffer { stream?.recycle(buffer) }  // read: its bytes are free for a later chunk
    return result
  }

  /// Whether the bytes from `range`'s start read as records: its first record that is not blank ends within 64 kB,
  /// has the header's number of fields and well-formed quoting; true when that cannot be told (no such record there).
  ///
  /// A cut inside a quoted field that holds a line end usually fails this (the field's rest read as a record: a
  /// quote inside an unquoted field, or too few fields); a chunk that fails it is read from its true start by the
  /// merge instead of from its cut, the results the same either way. Reads the bytes only (a pipe's buffer in place).
  func looksLikeRecordStart(_ range: Range<Int>, in buffer: PipeChunks.Buffer?) -> Bool {
    let window = min(range.count, 1 << 16)
    if let buffer {
      return Self.looksLikeRecordStart(
        buffer.base + (range.lowerBound - buffer.start), count: window, fields: template.fieldCount)
    }
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return true }
    defer { _ = close(descriptor) }
    let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(window, 1))
    defer { bytes.deallocate() }
    let count = pread(descriptor, bytes, window, off_t(range.lowerBound))
    guard count > 0 else { return true }
    return Self.looksLikeRecordStart(bytes, count: count, fields: template.fieldCount)
  }

  /// `looksLikeRecordStart` on `count` bytes at `bytes`.
  static func looksLikeRecordStart(_ bytes: UnsafePointer<UInt8>, count: Int, fields: Int) -> Bool {
    var quoting = CSVScanner.QuoteState()
    var fieldCount = 1
    var empty = true
    var wellFormed = true
    for position in 0..<count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\n") && !quoting.inQuotes {
        if !empty { return wellFormed && fieldCount == fields }
        quoting = CSVScanner.QuoteState()  // a blank line: the next record
        continue
      }
      if byte != UInt8(ascii: "\r") { empty = false }
      switch quoting.step(byte) {
      case .separator: fieldCount += 1
      case .literalQuote, .textAfterClosingQuote: wellFormed = false
      case .keep, .drop: break
      }
    }
    return true
  }

  /// Reads the bytes `range` (of the file, or in `buffer`) as chunk `index`, with a copy of the header's reader, in the
  /// reader's `mode`; `last` when no chunk follows (else a record across the range's end is left to the next).
  ///
  /// The first pass (`.collect`) groups the chunk's unit hashes for the log; a second pass (`.dropRepeats`) leaves
  /// out the rows that repeat an earlier unit. Never throws: a failure is the result's `error`.
  func scan(_ index: Int, range: Range<Int>, buffer: PipeChunks.Buffer?, last: Bool) -> ChunkResult {
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
      scanner.endIsCut = !last
      // One call with the choice inside the fast closure: with two calls, one per choice, their identical per-record
      // closures were merged into one function called per record, 38 instructions per row more on the usual path.
      let fastRows = rows.takesFastRows
      try scanner.forEachRecord(
        fast: { fastRows ? rows.consumeFast($0, $1, $2) : -1 },
        quoted: { fastRows ? rows.consumeOther($0, $1, $2, lineEnds: &$3) : -1 }
      ) { record in
        if !record.isBlank { try rows.consume(record) }
        return true
      }
      try rows.flush()
      result.newlines = scanner.nextLine - 1
      result.end = scanner.nextOffset
      result.complete = !last || scanner.nextOffset == range.upperBound
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

extension ChunkedUnitReader {
  /// Chunk `index`'s line-end range (`DataChunks.ranges`), or its true one once `settle`d.
  func range(of index: Int) -> Range<Int> {
    condition.lock()
    defer { condition.unlock() }
    return chunks[index]
  }

  /// Records chunk `index`'s true range once it is known (its records' start and end): a second pass and the rest's
  /// reading read those bytes.
  func settle(_ index: Int, _ range: Range<Int>) {
    condition.lock()
    chunks[index] = range
    condition.unlock()
  }

  /// Chunk `index`'s result, its records read from `start`, where the chunk before it ended (`DataChunks`).
  ///
  /// That is usually its line-end cut, where it was read (on a worker, or here on one thread); when the chunk before
  /// it stopped before a record across that cut, the chunk is read again here from that record's start: in the file,
  /// or for a pipe in `bytes()` (the chunk's bytes from `start` as they arrived; nil for a file). With no workers, the
  /// reading from the cut is not made; a worker leaves it unread when the cut does not look like a record's start.
  func take(_ index: Int, from start: Int, bytes: () throws -> PipeChunks.Buffer?) rethrows -> ChunkResult {
    let cut = range(of: index)
    if workers == 0 {
      if cut.lowerBound == start { return take(index) }
      condition.lock()
      let unread = buffers.removeValue(forKey: index)
      condition.unlock()
      if let unread { stream?.recycle(unread) }
    } else {
      // Read from the cut on a worker, or left unread there (`scan(_:)`): read here when that is not the start.
      let first = take(index)
      if cut.lowerBound == start && !first.unread { return first }
    }
    if cut.lowerBound != start { movedStarts += 1 }
    let range = start..<cut.upperBound
    condition.lock()
    chunks[index] = range
    let last = chunksKnown && index == chunks.count - 1
    condition.unlock()
    return scan(index, range: range, buffer: try bytes(), last: last)
  }
}
