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
  /// copy, and so is the rest of the data from a chunk that did not end cleanly, once the whole pipe has been copied
  /// (a chunk after a quoted line end across its cut is read again from the record's start as it goes,
  /// `PipeChunks.copied`).
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
    let arrived = try mergeArriving(pipe, reader: reader, from: start, options: options, seen: seen)
    if let reason = arrived.copyStopped { return stopped(reason) }
    let stoppedAt = arrived.stoppedAt
    let merged = arrived.merged
    reader.stop()
    if stoppedAt != nil, let reason = try pipe.copyRest() { return stopped(reason) }
    var summary = try reader.summary(
      of: merged, start: start, stoppedAt: stoppedAt, header: header, plan: plan, options: options, seen: seen,
      total: 0, end: spool.bytes)
    summary.chunksArrived = reader.chunks.count
    return .summary(summary)
  }

  /// What `mergeArriving` merged: up to the first chunk that did not end cleanly (`stoppedAt`), or every chunk; or,
  /// with a copy, the `errno` of a failed write to it.
  struct Arrived {
    var merged: Merged
    var stoppedAt: Int? = nil
    var copyStopped: Int32? = nil
    /// Without a copy: the buffers of the chunks cut and not merged, in order (from `stoppedAt`'s).
    var held: [PipeChunks.Buffer] = []
    /// Without a copy: the bytes as they arrived from where the next chunk starts (`stoppedAt`'s, when it stopped) to
    /// its line-end cut (those of a record across that cut; none when the chunk starts at its cut).
    var carry: [UInt8] = []
  }

  /// Cuts `pipe`'s chunks as they arrive, hands them to `reader`, and merges their results in order onto `start`,
  /// their hashes appended to the log when the reader checks duplicates.
  ///
  /// Chunks are cut ahead of the merge one per worker (a file's reader lets them run two ahead, but here each chunk
  /// ahead is a buffer of the process's memory), or the one the calling thread reads next. Without a copy, a chunk's
  /// buffer is handed back once the chunk is merged, so that those from a chunk that did not end cleanly still hold
  /// their bytes (`PipeChunks.remainder`).
  static func mergeArriving(
    _ pipe: PipeChunks, reader: ChunkedUnitReader, from start: Merged, options: DataReadOptions, seen: UnitHashSet
  ) throws -> Arrived {
    var arrived = Arrived(merged: start)
    let ahead = max(1, reader.workers)
    let checks = reader.template.checksDuplicates
    var index = 0
    var next = start.bytes  // where the next chunk starts: its line-end cut, or a record's start before it
    while true {
      while !reader.chunksKnown && reader.chunks.count < index + ahead {
        switch try pipe.next() {
        case .chunk(let range, let buffer, let last):
          reader.add(chunk: range, in: buffer, last: last)
          if pipe.keepsOriginals { arrived.held.append(buffer) }
        case .none: reader.endChunks()
        case .copyStopped(let reason):
          arrived.copyStopped = reason
          return arrived
        }
      }
      guard index < reader.chunks.count else { break }
      let cut = reader.range(of: index)
      // A chunk read here from its start (before its cut when a record is across it) is read from the bytes as they
      // arrived.
      let from = next
      let held = pipe.keepsOriginals ? arrived.held[0] : nil
      let carry = arrived.carry
      var result: ChunkResult
      do {
        result = try reader.take(index, from: from) {
          if let held { return pipe.joined(carry, cut, in: held) }
          return try pipe.copied(from..<cut.upperBound).get()
        }
      } catch let stopped as PipeChunks.CopyStopped {
        arrived.copyStopped = stopped.reason
        return arrived
      }
      let last = reader.chunksKnown && index == reader.chunks.count - 1
      // A pipe's last chunk may have been read before the pipe was known to end there: a last record left, without
      // a line end, is read with the rest.
      guard result.complete, !(last && result.end < cut.upperBound) else {
        arrived.stoppedAt = index
        break
      }
      if checks, let hashes = result.hashes { seen.appendToLog(hashes) }
      reader.settle(index, next..<result.end)
      arrived.merged.add(&result, bytes: result.end - next)
      reader.recycle(emptied: result.takeStatistics())
      if pipe.keepsOriginals {
        let buffer = arrived.held.removeFirst()
        arrived.carry = pipe.carried(arrived.carry, from: next, to: result.end, cut: cut, in: buffer)
        pipe.recycleMerged(buffer)
      }
      options.progress?(arrived.merged.bytes, 0)
      next = result.end
      index += 1
    }
    return arrived
  }

  /// Reads a pipe's unit-level data as it arrives, without a copy (the duplicate check is off), in the chunks of a
  /// file of the same bytes, on every thread, and gives the file's summary.
  ///
  /// `start` holds what was read of it for its header (`InputSpool.Plan.arriving`). A chunk after a quoted line end
  /// across its cut is read again from that record's start in the bytes as they arrived (`Arrived.carry`,
  /// `PipeChunks.joined`). The rest is read a second time only from a chunk that did not end cleanly (a `--strict`
  /// error, a record too long): row by row from that chunk's bytes as they arrived, those read after them, and the
  /// rest of the pipe, as a file's rest is read from the file.
  static func readArriving(
    _ arrival: InputSpool.Arrival, name: String, plan: AnalysisPlan, options: DataReadOptions, seen: UnitHashSet
  ) throws -> DataSummary {
    let pipe = PipeChunks(
      source: arrival.source, name: name, read: arrival.bytes, dataStart: arrival.dataStart, ended: arrival.ended,
      chunkSize: options.chunkSize)
    let template = try UnitLevelRows(header: arrival.header, plan: plan, path: name, options: options, seen: seen)
    precondition(!template.checksDuplicates, "a pipe read without a copy is read without the duplicate check")
    let reader = ChunkedUnitReader(
      path: name, chunks: [], template: template, threads: options.threads, stream: pipe)
    reader.start()
    defer { reader.stop() }
    let start = Merged(
      statistics: SufficientStatistics(plan: plan), regressionRows: template.regressionRows,
      bytes: arrival.dataStart, line: arrival.dataLine)
    let arrived = try mergeArriving(pipe, reader: reader, from: start, options: options, seen: seen)
    reader.stop()
    let rest = arrived.stoppedAt.map { stoppedAt in
      // The stopped chunk's bytes before its line-end cut are the carry's.
      let cut = reader.chunks[stoppedAt].lowerBound + arrived.carry.count..<reader.chunks[stoppedAt].upperBound
      return pipe.remainder(
        carry: arrived.carry,
        chunks: (stoppedAt..<reader.chunks.count).map {
          ($0 == stoppedAt ? cut : reader.chunks[$0], arrived.held[$0 - stoppedAt])
        })
    }
    var summary = try reader.summary(
      of: arrived.merged, start: start, stoppedAt: arrived.stoppedAt, header: arrival.header, plan: plan,
      options: options, seen: seen, total: 0, rest: rest)
    summary.chunksArrived = reader.chunks.count
    return summary
  }
}
