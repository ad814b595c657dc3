import Foundation

/// Reads a regular unit-level CSV file on several threads, with results that do not depend on how many.
///
/// The data rows are cut into chunks of about `chunkSize` bytes at line ends, by the file's bytes alone
/// (`DataChunks`). Worker threads read chunks into cell statistics of their own, at most `2 × threads` chunks
/// ahead of the merge; the calling thread merges them strictly in file order with the exact Chan merge
/// (`SufficientStatistics.merge`), so one thread and eight give byte-identical cells. A file within one chunk gives
/// exactly what reading it row by row gives.
///
/// The duplicate-unit check stays exact and first-occurrence-wins in file order: a chunk's first pass uses every
/// row and keeps the 64-bit hash of each unit id; the merge inserts those hashes into the one `UnitHashSet`, in
/// file order, and a chunk in which any repeat an earlier unit is read again without them before its cells are
/// merged. The set is the same as for a sequential read (same bytes per unit); the hashes waiting to be checked
/// take 8 bytes per row of the chunks in flight.
///
/// Line numbers of issues and errors are the file's: each chunk counts its line ends. Whenever a chunk did not run
/// cleanly to its end (a bad row under `--strict`, a read error, a record longer than the scanner's buffer, or a
/// quoted field with a line end across the cut), the rest of the file from that chunk's start is read in one
/// piece exactly as a sequential read would, so the first error in file order is the one reported.
final class ChunkedUnitReader: @unchecked Sendable {
  /// 8 MiB: small enough for many chunks per file (and per thread), large enough that merging cells per chunk
  /// costs nothing next to reading it, even with thousands of segments.
  static let chunkSize = 8 << 20

  let path: String
  let chunks: [Range<Int>]
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

  init(path: String, chunks: [Range<Int>], template: UnitLevelRows, threads: Int) {
    self.path = path
    self.chunks = chunks
    self.template = template
    workers = threads > 1 && chunks.count > 1 ? min(threads, chunks.count) : 0
    startLimit = 2 * workers
  }

  /// Reads `path` in chunks when it is a regular file with unit-level data; nil when the sequential reader should
  /// read it instead (a pipe or device, an empty file, aggregated data).
  static func read(path: String, plan: AnalysisPlan, options: DataReadOptions, seen: UnitHashSet) throws
    -> DataSummary?
  {
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    var scanner = try CSVScanner(path: path)
    defer { scanner.close() }
    var header: [String] = []
    try scanner.forEachRecord { record in
      try record.rejectCarriageReturnLineEnds(path: path)
      header = (0..<record.fieldCount).map { record.string($0).trimmingSpaces }
      return false
    }
    guard !header.isEmpty, !AggregatedRows.recognizes(header: header, plan: plan) else { return nil }
    let template = try UnitLevelRows(header: header, plan: plan, path: path, options: options, seen: seen)
    let fileSize = scanner.fileSize
    let chunks = try DataChunks.ranges(
      path: path, data: scanner.nextOffset..<max(fileSize, scanner.nextOffset), chunkSize: options.chunkSize)
    let reader = ChunkedUnitReader(path: path, chunks: chunks, template: template, threads: options.threads)
    reader.start()
    defer { reader.stop() }
    var merged = Merged(
      statistics: template.statistics, regressionRows: template.regressionRows, bytes: scanner.nextOffset,
      line: scanner.nextLine)
    for index in chunks.indices {
      var result = reader.take(index)
      guard result.complete else {
        reader.stop()
        try reader.readRest(from: chunks[index].lowerBound, into: &merged, options: options)
        break
      }
      if template.checksDuplicates {
        if index == 0 {
          // Size the table once, from the first chunk's rows per byte (a resize rehashes every unit).
          let rate = Double(result.hashes.count) / Double(chunks[0].count)
          seen.reserve(template.unitsBefore + Int(rate * Double(fileSize - chunks[0].lowerBound)))
        }
        let duplicates = Self.insert(result.hashes, into: seen)
        if !duplicates.isEmpty {
          result = reader.scan(index, mode: .drop, drop: duplicates)
          if let error = result.error { throw Self.shifted(error, by: merged.line - 1) }
        }
      }
      merged.add(result, bytes: chunks[index].count)
      reader.recycle(result.takeStatistics())
      options.progress?(merged.bytes, fileSize)
    }
    var summary = DataSummary(
      file: path, format: .unitLevel, bytes: merged.bytes, rowsRead: merged.rowsRead, rowsUsed: merged.rowsUsed,
      issues: merged.issues, statistics: merged.statistics, duplicatesChecked: template.checksDuplicates,
      duplicateDetectorBytes: template.checksDuplicates ? seen.memoryBytes : 0)
    summary.missingUnitColumn = template.unitColumn == nil ? plan.unitColumn : nil
    summary.header = header
    summary.regressionRows = merged.regressionRows.isEmpty ? nil : merged.regressionRows
    summary.zeroFillsCounted = true
    return summary
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

    mutating func add(_ result: ChunkResult, bytes: Int) {
      statistics.merge(result.statistics)
      if let rows = result.regressionRows, !rows.isEmpty { regressionRows.append(rows) }
      issues.merge(result.issues.shiftingLines(by: line - 1), file: nil)
      rowsRead += result.rowsRead
      rowsUsed += result.rowsUsed
      self.bytes += bytes
      line += result.newlines
    }
  }

  /// Inserts a chunk's hashes in order, a batch at a time; returns the ordinals of those already present.
  static func insert(_ hashes: [UInt64], into seen: UnitHashSet) -> [Int] {
    var duplicates: [Int] = []
    let batch = UnitLevelRows.batchSize
    var inserted = [Bool](repeating: true, count: batch)
    hashes.withUnsafeBufferPointer { all in
      inserted.withUnsafeMutableBufferPointer { flags in
        var start = 0
        while start < all.count {
          let count = min(batch, all.count - start)
          seen.insert(
            batch: UnsafeBufferPointer(rebasing: all[start..<start + count]),
            inserted: UnsafeMutableBufferPointer(rebasing: flags[0..<count]))
          for position in 0..<count where !flags[position] { duplicates.append(start + position) }
          start += count
        }
      }
    }
    return duplicates
  }

  /// Reads the file from `offset` (a record start) to its end in one piece, the way the sequential reader does,
  /// and adds it to `merged`.
  func readRest(from offset: Int, into merged: inout Merged, options: DataReadOptions) throws {
    var rows = template
    rows.fileSize = max(0, (chunks.last?.upperBound ?? offset) - offset)
    do {
      var scanner = try CSVScanner(path: path, range: offset..<Int.max)
      defer { scanner.close() }
      try scanner.forEachRecord { record in
        if !record.isBlank { try rows.consume(record) }
        return true
      }
      try rows.flush()
      var rest = ChunkResult(statistics: rows.statistics, regressionRows: rows.regressionRows, issues: rows.issues)
      rest.rowsRead = rows.rowsRead
      rest.rowsUsed = rows.rowsUsed
      merged.add(rest, bytes: scanner.bytesRead)
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
