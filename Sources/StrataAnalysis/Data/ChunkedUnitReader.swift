import Foundation

/// Reads a regular unit-level CSV file on several threads, with results that do not depend on how many.
///
/// The data rows are cut into chunks of about `chunkSize` bytes at line ends, by the file's bytes alone
/// (`DataChunks`). Worker threads read chunks into cell statistics of their own, at most `2 × threads` chunks
/// ahead of the merge; the calling thread merges them strictly in file order with the exact Chan merge
/// (`SufficientStatistics.merge`), so one thread and eight give byte-identical cells. A file within one chunk gives
/// exactly what reading it row by row gives.
///
/// The duplicate-unit check stays exact and first-occurrence-wins in file order, and costs the merge nothing: a
/// chunk's first pass uses every row and keeps the 64-bit hash of each unit id, grouped by radix partition
/// (`PartitionedHashes`); the merge appends them to the log of `UnitHashSet`, 7 or 8 bytes per row. Once the file has
/// been read, `UnitHashSet.repeats(since:threads:)` looks for keys that occur twice, one cache-sized partition at a
/// time on every thread. When there is none (the usual case) the merged cells stand. When there are, the file's
/// chunks are read a second time, each dropping the rows whose unit occurred earlier in file order (known from the
/// log: the chunk of each repeated key's first occurrence), and merged afresh: the same rows are dropped, with the
/// same issues and lines, as by a sequential read.
///
/// A line-end cut inside quotes (a quoted field with a line end across it) moves the chunk's start back to the start
/// of the record across it (`DataChunks`): the chunk before it stops there, and the chunk is read again from there
/// (its first reading, from the line-end cut, started inside the quotes); the chunks after it stand.
///
/// Line numbers of issues and errors are the file's: each chunk counts its line ends. Whenever a chunk did not run
/// cleanly (a bad row under `--strict`, a read error, a record longer than the scanner's buffer), the rest of the
/// file from that chunk's start is read in one piece exactly as a sequential read would, so the first error in file
/// order is the one reported.
final class ChunkedUnitReader: @unchecked Sendable {
  /// 8 MiB: small enough for many chunks per file (and per thread), large enough that merging cells per chunk
  /// costs nothing next to reading it, even with thousands of segments.
  static let chunkSize = 8 << 20

  let path: String
  /// Grows as a pipe's chunks arrive (`stream`; guarded by `condition` then), else fixed.
  var chunks: [Range<Int>]
  /// A pipe's chunks, read from memory as they arrive (`readStream`), with the buffers of chunks not yet read; nil
  /// for a file.
  let stream: PipeChunks?
  var buffers: [Int: PipeChunks.Buffer] = [:]
  /// Whether `chunks` is every chunk (always, for a file).
  var chunksKnown = true
  /// The reader built from the header; every chunk reads with a copy of it.
  let template: UnitLevelRows
  /// Worker threads (0: the calling thread reads every chunk itself).
  let workers: Int
  /// Guards everything below.
  let condition = NSCondition()
  var firstPasses: [Int: ChunkResult] = [:]
  var nextChunk = 0
  /// Workers start only chunks below this (the merge moves it forward), which bounds the memory in flight.
  var startLimit = 0
  var cancelled = false
  var running = 0
  /// Cell tables of chunks already merged, for later chunks to reuse (`recycle`, `spareTable`).
  var spareTables: [SufficientStatistics] = []
  /// How every chunk is read: `.collect` on the first pass, `.dropRepeats` on a second.
  let mode: UnitLevelRows.DuplicateMode
  /// The log's partitions (`UnitHashSet.partitionBits`) and the log index of chunk 0.
  let partitionBits: Int
  let logBase: Int
  /// Where a first pass places each chunk's grouped keys (the log's, `UnitHashSet.arena`).
  let arena: LogArena?
  /// Hash buffers of chunks already grouped, for later chunks to reuse (`HashScratch`); freed with the reader.
  var spareScratch: [HashScratch] = []
  /// Chunks whose start moved back from their line-end cut to a record's start (`take(_:from:bytes:)`; the merging
  /// thread's).
  var movedStarts = 0

  init(
    path: String, chunks: [Range<Int>], template: UnitLevelRows, threads: Int,
    mode: UnitLevelRows.DuplicateMode = .collect, repeats: [UInt64: Int] = [:], logBase: Int = 0,
    partitionBits: Int = 0, arena: LogArena? = nil, stream: PipeChunks? = nil
  ) {
    self.path = path
    self.chunks = chunks
    self.stream = stream
    chunksKnown = stream == nil
    var template = template
    template.repeats = repeats
    self.template = template
    self.mode = mode
    self.logBase = logBase
    self.partitionBits = partitionBits
    self.arena = arena
    if threads < 2 {
      workers = 0
    } else if stream != nil {
      workers = threads  // chunks yet to come
    } else {
      workers = chunks.count > 1 ? min(threads, chunks.count) : 0
    }
    startLimit = 2 * workers
  }

  deinit {
    for scratch in spareScratch { scratch.free() }
  }

  /// Reads `path` in chunks when it is a regular file with unit-level data; nil when the sequential reader should
  /// read it instead (a pipe or device, an empty file, aggregated data).
  static func read(path: String, plan: AnalysisPlan, options: DataReadOptions, seen: UnitHashSet) throws
    -> DataSummary?
  {
    guard StandardInput.isRegularFile(path) else { return nil }
    var scanner = try CSVScanner(path: path)
    defer { scanner.close() }
    let header = try Self.header(&scanner, path: path)
    guard !header.isEmpty, !AggregatedRows.recognizes(header: header, plan: plan) else { return nil }
    let template = try UnitLevelRows(header: header, plan: plan, path: path, options: options, seen: seen)
    let fileSize = scanner.fileSize
    let data = scanner.nextOffset..<max(fileSize, scanner.nextOffset)
    let chunks = try DataChunks.ranges(path: path, data: data, chunkSize: options.chunkSize)
    let checks = template.checksDuplicates
    let logBase =
      checks
      ? seen.startLog(
        expectedRows: estimatedRows(path: path, data: data), mostRows: data.count / max(1, header.count) + 1) : 0
    let reader = ChunkedUnitReader(
      path: path, chunks: chunks, template: template, threads: options.threads, logBase: logBase,
      partitionBits: seen.partitionBits, arena: checks ? seen.arena : nil)
    reader.start()
    defer { reader.stop() }
    let start = Merged(
      statistics: SufficientStatistics(plan: plan), regressionRows: template.regressionRows, bytes: scanner.nextOffset,
      line: scanner.nextLine)
    var merged = start
    var stopped: Int? = nil
    var next = data.lowerBound  // where the next chunk starts: a line-end cut, or a record's start before it
    for index in chunks.indices {
      var result = reader.take(index, from: next) { nil }
      guard result.complete else {
        stopped = index
        break
      }
      if checks, let hashes = result.hashes { seen.appendToLog(hashes) }
      reader.settle(index, next..<result.end)
      merged.add(&result, bytes: result.end - next)
      reader.recycle(emptied: result.takeStatistics())
      options.progress?(merged.bytes, fileSize)
      next = result.end
    }
    reader.stop()
    return try reader.summary(
      of: merged, start: start, stoppedAt: stopped, header: header, plan: plan, options: options, seen: seen,
      total: fileSize)
  }

  /// The header record of the data `scanner` reads (`path` names it), spaces around each name dropped; empty when the
  /// data has none.
  static func header(_ scanner: inout CSVScanner, path: String) throws -> [String] {
    var header: [String] = []
    try scanner.forEachRecord { record in
      try record.rejectUnreadableHeader(path: path)
      header = (0..<record.fieldCount).map { record.string($0).trimmingSpaces }
      return false
    }
    return header
  }

  /// The data's summary once this reader's chunks have been read and `merged` (from `start`) up to `stoppedAt`, the
  /// first chunk that did not end cleanly, or all of them: a file's (`read`) and a pipe's (`readStream`) alike.
  ///
  /// With the duplicate check, the chunks read so far are read again dropping the repeated units it found (`total`:
  /// the data's size for the progress, 0 when unknown); a stopped chunk's rows and the rest are then read row by row
  /// (`readRest`, up to `end`; from `rest` when given: a pipe read without a copy).
  func summary(
    of merged: Merged, start: Merged, stoppedAt: Int?, header: [String], plan: AnalysisPlan,
    options: DataReadOptions, seen: UnitHashSet, total: Int, end: Int? = nil, rest: ReadPrefix? = nil
  ) throws -> DataSummary {
    var merged = merged
    if template.checksDuplicates {
      let repeats = seen.repeats(since: logBase, threads: options.threads)
      if !repeats.isEmpty {
        let again = ChunkedUnitReader(
          path: path, chunks: Array(chunks[..<(stoppedAt ?? chunks.count)]), template: template,
          threads: options.threads, mode: .dropRepeats, repeats: repeats, logBase: logBase,
          partitionBits: seen.partitionBits)
        merged = try again.readAll(from: start, total: total, progress: options.progress)
      }
    }
    if let stoppedAt {
      // The sequential reader checks row by row: the log's units (the chunks before this one) move to the table.
      try readRest(from: chunks[stoppedAt].lowerBound, into: &merged, options: options, end: end, prefix: rest)
    }
    var summary = DataSummary(
      file: path, format: .unitLevel, bytes: merged.bytes, rowsRead: merged.rowsRead, rowsUsed: merged.rowsUsed,
      issues: merged.issues, statistics: merged.statistics, duplicatesChecked: template.checksDuplicates,
      duplicateDetectorBytes: template.checksDuplicates ? seen.memoryBytes : 0)
    summary.missingUnitColumn = template.unitColumn == nil ? plan.unitColumn : nil
    summary.header = header
    summary.regressionRows = merged.regressionRows.isEmpty ? nil : merged.regressionRows
    summary.zeroFillsCounted = true
    summary.chunksMerged = stoppedAt ?? chunks.count
    summary.chunksMoved = movedStarts
    return summary
  }

  /// About how many rows `data` holds, from the line ends in its first 64 kB (early rows tend to be shorter, so it
  /// runs high); a tenth of its bytes when that cannot be read.
  static func estimatedRows(path: String, data: Range<Int>) -> Int {
    let fallback = data.count / 10
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return fallback }
    defer { _ = close(descriptor) }
    let window = min(1 << 16, data.count)
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(window, 1))
    defer { buffer.deallocate() }
    let count = pread(descriptor, buffer, window, off_t(data.lowerBound))
    guard count > 0 else { return fallback }
    var lines = 0
    for offset in 0..<count where buffer[offset] == UInt8(ascii: "\n") { lines += 1 }
    guard lines > 0 else { return fallback }
    return Int(Double(data.count) * Double(lines) / Double(count)) + 1
  }

  /// The chunks' results merged so far, in file order.
  struct Merged {
    var statistics: SufficientStatistics
    /// In file order: each chunk's rows appended after the previous chunk's.
    var regressionRows: RegressionRows
    var issues = DataIssues()
    var rowsRead = 0
    var rowsUsed = 0
    /// File bytes read (header included) and the line the next chunk starts on.
    var bytes: Int
    var line: Int

    /// Merges `result` after the chunks so far, leaving its cells empty (`SufficientStatistics.merge(emptying:)`), so
    /// that its table can serve a later chunk as it is.
    mutating func add(_ result: inout ChunkResult, bytes: Int) {
      statistics.merge(emptying: &result.statistics)
      if let rows = result.regressionRows, !rows.isEmpty { regressionRows.append(rows) }
      issues.merge(result.issues.shiftingLines(by: line - 1), file: nil)
      rowsRead += result.rowsRead
      rowsUsed += result.rowsUsed
      self.bytes += bytes
      line += result.newlines
    }
  }

  /// Reads every chunk (a second pass, which the first found complete) and merges them in order onto `start`,
  /// reporting the bytes merged to `progress` as the first pass does (so the progress line starts again).
  func readAll(from start: Merged, total: Int, progress: (@Sendable (Int, Int) -> Void)?) throws -> Merged {
    self.start()
    defer { stop() }
    var merged = start
    for index in chunks.indices {
      var result = take(index)
      if let error = result.error { throw Self.shifted(error, by: merged.line - 1) }
      guard result.complete, result.end == chunks[index].upperBound else {
        throw DataError(file: path, line: nil, message: "changed while it was being read (read it again)")
      }
      merged.add(&result, bytes: chunks[index].count)
      recycle(emptied: result.takeStatistics())
      progress?(merged.bytes, total)
    }
    return merged
  }

  /// Reads the file from `offset` (a record start) to its end in one piece, the way the sequential reader does,
  /// and adds it to `merged`.
  ///
  /// `end`: where the file ends, when not where its last chunk does (a pipe's copy, `readStream`). `prefix`: the
  /// data from `offset` on, when it is not in a file (a pipe read without a copy, `PipeChunks.remainder`).
  func readRest(
    from offset: Int, into merged: inout Merged, options: DataReadOptions, end: Int? = nil, prefix: ReadPrefix? = nil
  ) throws {
    var rows = template
    rows.fileSize = prefix != nil ? 0 : max(0, (end ?? chunks.last?.upperBound ?? offset) - offset)
    do {
      var scanner = try CSVScanner(path: path, range: offset..<Int.max, prefix: prefix)
      defer { scanner.close() }
      try scanner.forEachRecord { record in
        if !record.isBlank { try rows.consume(record) }
        return true
      }
      try rows.flush()
      var rest = ChunkResult(statistics: rows.statistics, regressionRows: rows.regressionRows, issues: rows.issues)
      rest.rowsRead = rows.rowsRead
      rest.rowsUsed = rows.rowsUsed
      merged.add(&rest, bytes: scanner.bytesRead)
    } catch let error as DataError {
      throw Self.shifted(error, by: merged.line - 1)
    }
  }

  /// `error` with its line number moved by `delta`.
  static func shifted(_ error: DataError, by delta: Int) -> DataError {
    var moved = error
    moved.line = error.line.map { $0 + delta }
    return moved
  }
}
