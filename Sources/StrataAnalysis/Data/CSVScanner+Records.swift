#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension CSVScanner {
  /// Reads every record and calls `visit` for each; `progress` is called after each buffer refill with the bytes read
  /// so far.
  ///
  /// Stops early (and returns) when `visit` returns false.
  ///
  /// Always inlined, so that the caller's `visit` is inlined into the record loop: a closure call per record cost
  /// about 60 instructions (its context, the record passed in memory, the caller's state reloaded on every record).
  /// The refill, once per buffer, is a call of its own (`refill(_:progress:)`).
  @inline(__always)
  public mutating func forEachRecord(
    progress: (Int) -> Void = { _ in }, _ visit: (Record) throws -> Bool
  ) throws {
    try forEachRecord(progress: progress, fast: { _, _, _ in -1 }, visit)
  }

  /// `forEachRecord(progress:_:)` with a fast path tried first at each record: `fast(bytes, start, end)` gets the
  /// buffer, the record's start and the end of the bytes read, and returns the offset just past the record's line end
  /// when it took the whole record (an unquoted record ending with a line end, LF or CRLF, within the bytes
  /// read), or -1 when it did nothing: the record is then scanned and visited as usual.
  ///
  /// Records the fast path takes are not visited; they advance the line count and `nextOffset`/`nextLine` as a visit
  /// would. For `UnitLevelRows.consumeFast`, which does the scanner's and the row's work in one pass over the bytes.
  ///
  /// `quoted`, the same for a record the fast path left, tried where the scan meets a quote in it (before it is
  /// unquoted, out of line: records without quotes never call it), with one more argument: when it takes the record,
  /// it sets it to the number of line ends inside the record's quotes (0 for most), which the line count advances by as
  /// well. After it took a record, the records that follow and start with a quote go to it first (before the fast path
  /// and the scan), until it leaves one. For `UnitLevelRows.consumeOther`.
  @inline(__always)
  mutating func forEachRecord(
    progress: (Int) -> Void = { _ in }, fast: (UnsafeMutablePointer<UInt8>, Int, Int) -> Int,
    quoted: (UnsafeMutablePointer<UInt8>, Int, Int, inout Int) -> Int = { _, _, _, _ in -1 },
    _ visit: (Record) throws -> Bool
  ) throws {
    var state = ScanState(checkedByteOrderMark: start != 0)
    while true {
      guard try refill(&state, progress: progress) else { return }
      // Parse every complete record in the buffer.
      let filled = state.filled
      var consumed = state.consumed
      var madeProgress = false
      // At a chunk's cut an incomplete record waits for the next chunk, as before the end of the bytes read.
      let atEnd = state.endOfFile && !endIsCut
      // Whether the last record was the fast path's (then `nextOffset`, `nextLine` and `lastRecordEndedLine` are set
      // when the loop ends, not per record).
      var fastLast = false
      defer {
        if fastLast {
          nextOffset = start + bytesRead - filled + consumed
          nextLine = state.line
          lastRecordEndedLine = true
        }
      }
      while consumed < filled {
        let taken = fast(base, consumed, filled)
        if taken > consumed {
          state.line &+= 1
          consumed = taken
          madeProgress = true
          fastLast = true
          continue
        }
        guard
          let (fieldCount, next, newlines) = scanRecord(
            from: consumed, to: filled, atEndOfFile: atEnd, quoted: quoted)
        else { break }
        if fieldCount == 0 {
          // Taken by `quoted`, as by the fast path (its line ends inside quotes counted).
          state.line &+= newlines
          consumed = next
          madeProgress = true
          fastLast = true
          // Files that quote one field quote it in every record (`csv.QUOTE_ALL`, `QUOTE_NONNUMERIC`, R's `write.csv`
          // quote the unit id): the records after this one that start with a quote go to `quoted` first, without the
          // fast path's attempt and the scan to the quote, until it leaves one. Here, not in the loop above: records
          // without quotes never come here.
          while consumed < filled && base[consumed] == UInt8(ascii: "\"") {
            var lineEnds = 0
            let taken = quoted(base, consumed, filled, &lineEnds)
            guard taken > consumed else { break }
            state.line &+= lineEnds &+ 1
            consumed = taken
          }
          continue
        }
        // Cleared only once a record is scanned: an incomplete one after fast records leaves them the last taken.
        fastLast = false
        let bufferOffset = start + bytesRead - filled
        var record = Record(
          bytes: buffer, starts: starts, ends: ends, fieldCount: fieldCount, line: state.line,
          malformation: malformation)
        record.end = bufferOffset + next
        if quotedLineEndCount > 0 {
          for index in 0..<quotedLineEndCount { quotedLineEnds[index] += bufferOffset }
          record.quotedLineEnds = UnsafeBufferPointer(rebasing: quotedLineEnds[..<quotedLineEndCount])
          quotedLineEndCount = 0
        }
        malformation = nil
        state.line += newlines
        consumed = next
        madeProgress = true
        nextOffset = record.end
        nextLine = state.line
        lastRecordEndedLine = recordEndedLine
        if try !visit(record) { return }
      }
      state.consumed = consumed
      if state.endOfFile && consumed >= filled { return }
      if !madeProgress && (ownsBuffer ? filled : filled - consumed) == window {
        throw DataError(
          file: path, line: state.line, message: "has a record longer than \(window) bytes (an unclosed quote?)")
      }
      if !madeProgress && state.endOfFile { return }
    }
  }

  /// Where `forEachRecord` is in the buffer and the file.
  private struct ScanState {
    var filled = 0  // bytes of buffer in use
    var consumed = 0  // start of the unparsed part
    var line = 1
    var endOfFile = false
    var checkedByteOrderMark: Bool
  }

  /// Moves the unparsed bytes to the front of the buffer and reads more after them; false when there is nothing left
  /// to scan (the file or range is done and the buffer is empty).
  ///
  /// Not inlined: once per buffer, and out of the record loop that `forEachRecord` inlines into its callers.
  @inline(never)
  private mutating func refill(_ state: inout ScanState, progress: (Int) -> Void) throws -> Bool {
    if !ownsBuffer {
      // In place: the next `window` bytes from the unparsed part's start (a buffer's worth, as a file's scan has).
      let end = min(state.consumed + window, limit)
      if end == limit { state.endOfFile = true }
      state.filled = end
      bytesRead = end
      progress(bytesRead)
      state.checkedByteOrderMark = true
      return state.consumed < end
    }
    while true {
      // Move the unparsed tail to the front and refill.
      if state.consumed > 0 {
        if state.filled > state.consumed {
          base.update(from: base + state.consumed, count: state.filled - state.consumed)
        }
        state.filled -= state.consumed
        state.consumed = 0
      }
      if !state.endOfFile && state.filled < buffer.count {
        let wanted = min(buffer.count - state.filled, limit - bytesRead, readSize)
        let into = base + state.filled
        let count = wanted == 0 ? 0 : prefix?.read(into: into, count: wanted) ?? read(descriptor, into, wanted)
        guard count >= 0 else {
          throw DataError(
            file: path, line: state.line, message: "cannot be read (\(String(cString: strerror(errno))))")
        }
        if count == 0 { state.endOfFile = true }
        state.filled += count
        bytesRead += count
        progress(bytesRead)
      }
      // Eight-byte loads may reach past the bytes in use (the name lookups' loads of a field, `ByteNameTable`, and
      // they mask the extra bytes off): the `loadMargin` bytes after them are zeroed where no read has written them
      // yet, so that every load reads initialised bytes (once per byte of the buffer: a later read's bytes land on
      // zeroed ones). Zeroing the whole buffer would cost a 4 MiB memset per scanner: per chunk of a file (about 30
      // for the 10 M-row file) and for each of the thousands of tiny chunks the chunk-boundary tests read.
      if initialisedEnd < buffer.count {
        let end = min(buffer.count, state.filled + Self.loadMargin)
        let from = max(state.filled, initialisedEnd)
        if end > from { (base + from).initialize(repeating: 0, count: end - from) }
        initialisedEnd = max(initialisedEnd, end)
      }
      if state.filled == 0 && state.endOfFile { return false }
      if !state.checkedByteOrderMark && (state.filled >= 3 || state.endOfFile || state.filled == buffer.count) {
        state.checkedByteOrderMark = true
        if state.filled >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { state.consumed = 3 }
      }
      if state.checkedByteOrderMark { return true }  // else fewer than 3 bytes so far: read more first
    }
  }
}
