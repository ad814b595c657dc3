import Foundation

extension ChunkedUnitReader {
  /// What `readStream` gave: the pipe's summary, or, when a write to its copy failed, a reader of the data row by
  /// row from its start (the note posted, the log as before the read).
  enum StreamOutcome {
    case summary(DataSummary)
    case copyStopped(ReadPrefix)
  }

  /// Reads a pipe's unit-level data as it arrives, in the chunks of a file of the same bytes (`PipeChunks`), with the
  /// file's deferred duplicate check, and gives the file's summary: the chunks with repeats are read again from the
  /// copy, and so is the rest of the data from a chunk that did not end cleanly, once the whole pipe has been copied.
  ///
  /// `spool` holds the header (`dataStart`: where the rows start) and `source` the rest (`InputSpool.Plan.streamed`).
  static func readStream(
    spool: InputSpool, source: Int32, dataStart: Int, ended: Bool, plan: AnalysisPlan, options: DataReadOptions,
    seen: UnitHashSet
  ) throws -> StreamOutcome {
    // As while the header was copied: a write past the file-size limit fails (the note) instead of ending the process.
    let previousHandler = signal(SIGXFSZ, SIG_IGN)
    defer { _ = signal(SIGXFSZ, previousHandler) }
    let path = spool.path
    let pipe = try PipeChunks(
      source: source, spool: spool, dataStart: dataStart, ended: ended, chunkSize: options.chunkSize)
    defer { pipe.waitForWrite() }  // none left in flight, even after an error (before SIGXFSZ is restored)
    var scanner = try CSVScanner(path: path, range: 0..<dataStart)
    defer { scanner.close() }
    let header = try Self.header(&scanner, path: path)
    let template = try UnitLevelRows(header: header, plan: plan, path: path, options: options, seen: seen)
    // The log's partitions are chosen before the size is known: from the rows when the pipe has already ended, else
    // for 32 M rows (2¹¹ partitions; a file of 10 M rows gets 2¹⁰, of 30 M 2¹¹, and the results do not depend on it).
    let rows = pipe.knownRows(from: dataStart)
    let logBase = seen.startLog(expectedRows: rows ?? 1 << 25, mostRows: rows.map { $0 + 1 } ?? 1 << 27)
    let reader = ChunkedUnitReader(
      path: path, chunks: [], template: template, threads: options.threads, logBase: logBase,
      partitionBits: seen.partitionBits, arena: seen.arena, stream: pipe)
    reader.start()
    defer { reader.stop() }
    let start = Merged(
      statistics: SufficientStatistics(plan: plan), regressionRows: template.regressionRows, bytes: dataStart,
      line: scanner.nextLine)
    /// The copy stopped: what was read is dropped, and the data is read again row by row, as when the copy stops
    /// before the rows (`InputSpool`).
    func stopped(_ reason: Int32) -> StreamOutcome {
      reader.stop()
      seen.dropLog(from: logBase)
      InputSpool.postStopped(spool, reason: reason)
      return .copyStopped(pipe.prefix())
    }
    var merged = start
    var stoppedAt: Int? = nil
    // Chunks cut ahead of the merge: one per worker (a file's reader lets them run two ahead, but here each chunk
    // ahead is a buffer of the process's memory), or the one the calling thread reads next.
    let ahead = max(1, reader.workers)
    var index = 0
    while true {
      while !reader.chunksKnown && reader.chunks.count < index + ahead {
        switch try pipe.next() {
        case .chunk(let range, let buffer, let last): reader.add(chunk: range, in: buffer, last: last)
        case .none: reader.endChunks()
        case .copyStopped(let reason): return stopped(reason)
        }
      }
      guard index < reader.chunks.count else { break }
      var result = reader.take(index)
      guard result.complete else {
        stoppedAt = index
        break
      }
      if template.checksDuplicates, let hashes = result.hashes { seen.appendToLog(hashes) }
      merged.add(&result, bytes: reader.chunks[index].count)
      reader.recycle(emptied: result.takeStatistics())
      options.progress?(merged.bytes, 0)
      index += 1
    }
    reader.stop()
    if stoppedAt != nil, let reason = try pipe.copyRest() { return stopped(reason) }
    return .summary(
      try reader.summary(
        of: merged, start: start, stoppedAt: stoppedAt, header: header, plan: plan, options: options, seen: seen,
        total: 0, end: spool.bytes))
  }
}
