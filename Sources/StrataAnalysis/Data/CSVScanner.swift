#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A streaming CSV record scanner over raw bytes (RFC 4180: `,` separators, `"` quoting with `""` escapes,
/// LF or CRLF line ends, newlines allowed inside quotes).
///
/// Goals, in order: memory independent of file size (one fixed buffer, refilled with POSIX `read`), speed
/// (a byte loop over an unsafe buffer, no `String` per line or field: FIELD-NOTES measured ~650 MB/s for raw
/// bytes vs ~30 MB/s for `readLine()`), and exact line numbers for error messages.
///
/// Each record is handed to the visitor as the buffer plus the start and end offset of every field; the
/// offsets are valid only during the call. Quoted fields are unquoted in place. A UTF-8 byte order mark at the start
/// of the file (as spreadsheet exports write) is skipped. Malformed quoting does not stop the scan: the record says
/// what is wrong (`malformation`) and its caller decides.
public struct CSVScanner {
  /// One record's fields: byte ranges into `bytes`.
  public struct Record {
    public let bytes: UnsafeMutableBufferPointer<UInt8>
    public let starts: UnsafeMutableBufferPointer<Int>
    public let ends: UnsafeMutableBufferPointer<Int>
    public let fieldCount: Int
    /// The 1-based line number where the record starts.
    public let line: Int
    /// What is wrong with the record's quoting, or nil.
    public let malformation: Malformation?
    /// `forEachRecord`: the file offset just past the record, and those of the line ends inside its quotes, in order
    /// (none for most records), so that a reader of the records can cut them where `DataChunks` cuts a file.
    public var end = 0
    public var quotedLineEnds = UnsafeBufferPointer<Int>(start: nil, count: 0)

    /// Field `index` as bytes (valid during the visit only).
    @inline(__always)
    public func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
      UnsafeBufferPointer(rebasing: UnsafeBufferPointer(bytes)[starts[index]..<ends[index]])
    }

    /// Field `index` as a `String` (allocates: for headers and messages, not the hot path).
    public func string(_ index: Int) -> String { String(decoding: field(index), as: UTF8.self) }

    /// Whether the record is one empty field (a blank line).
    public var isBlank: Bool { fieldCount == 1 && starts[0] == ends[0] }
  }

  private let descriptor: Int32
  private let path: String
  /// Bytes read before the descriptor's (see the internal initializer).
  private let prefix: ReadPrefix?
  /// The most bytes a record may span: the buffer's size, or, scanning bytes in place (`init(inPlace:range:path:)`),
  /// the size of the buffer a file's scan would have.
  private let window: Int
  /// The most bytes one refill reads from the file (at most `window`): the buffer's first `readSize` bytes, plus the
  /// unparsed tail moved before them, are the only ones in use until a record needs more.
  private let readSize: Int
  /// False when scanning bytes in place: the buffer is its owner's, and the scan moves along it instead of refilling.
  private let ownsBuffer: Bool
  /// Whether the end of `range` is a chunk's cut rather than the data's end (`DataChunks`): a record not complete
  /// there (a quoted field with a line end across the cut) is then neither unquoted nor visited, and the scan stops
  /// before it (`nextOffset` its start, `nextLine` its line), for the next chunk to read it whole.
  var endIsCut = false
  /// The buffer's start (never nil, unlike `buffer.baseAddress`).
  private let base: UnsafeMutablePointer<UInt8>
  private var buffer: UnsafeMutableBufferPointer<UInt8>
  private var starts: UnsafeMutableBufferPointer<Int>
  private var ends: UnsafeMutableBufferPointer<Int>
  /// The malformation found by the last `scanRecord`, if any.
  private var malformation: Malformation? = nil
  /// Bytes read from the file so far.
  public private(set) var bytesRead: Int = 0
  /// The file's size in bytes (0 for pipes).
  public let fileSize: Int
  /// The file offset where scanning starts, and how many bytes it may read from there.
  private let start: Int
  private let limit: Int
  /// After a visit (or the scan): the file offset just past the last record handed to the visitor, and the line
  /// number the next record starts on.
  public private(set) var nextOffset = 0
  public private(set) var nextLine = 1
  /// After the scan: whether the last record ended with a line end outside quotes (false when it ran into the end
  /// of the file or of the range, for example inside a quoted field).
  public private(set) var lastRecordEndedLine = true
  private var recordEndedLine = true
  /// The buffer positions of the line ends inside quotes of the record `scanQuotedRecord` scanned (`quotedLineEndCount`
  /// of them).
  private var quotedLineEnds: UnsafeMutableBufferPointer<Int>
  private var quotedLineEndCount = 0
  /// The end of the buffer's bytes that have been written (by a read or by zeroing), so that loads past the bytes in
  /// use read initialised memory (see `forEachRecord`).
  private var initialisedEnd = 0
  /// How far past the bytes in use a load may reach: `ByteNameTable` loads up to three eight-byte words from a
  /// field's start, the scanner one word; 64 covers both with room.
  static let loadMargin = 64

  /// Opens `path` for reading.
  ///
  /// `bufferSize` bounds the memory used and the longest record (a record that does not fit is an error naming its
  /// line). With `range`, only those bytes of the file are scanned, as if they were the whole file: for reading a
  /// regular file in parts that start at record boundaries (`range` must start where a record starts); line numbers
  /// then count from 1 at the range's start and no byte order mark is looked for unless it starts at 0.
  public init(path: String, range: Range<Int>? = nil, bufferSize: Int = 1 << 22) throws(DataError) {
    try self.init(path: path, range: range, bufferSize: bufferSize, prefix: nil)
  }

  /// As the public initializer; with `prefix`, its bytes are read first and then those of its input (a pipe whose
  /// copy to a temporary file stopped, `InputSpool`, or the rest of a pipe read without one, `PipeChunks`), and `path`
  /// only names it (`range` then gives the offset of the prefix's first byte, and no byte order mark is looked for
  /// unless it is 0).
  ///
  /// `readSize`: the most bytes one refill reads (the whole buffer when nil). Smaller reads keep the part of the
  /// buffer in use small, while a record may still span the whole buffer (more reads follow until it fits), so the
  /// records read and the errors are the same (`ChunkedUnitReader.readSize`).
  init(
    path: String, range: Range<Int>? = nil, bufferSize: Int = 1 << 22, prefix: ReadPrefix?, readSize: Int? = nil
  ) throws(DataError) {
    let descriptor = prefix.map { dup($0.source) } ?? StandardInput.openForReading(path)
    guard descriptor >= 0 else {
      throw DataError(file: path, line: nil, message: "cannot be opened (\(String(cString: strerror(errno))))")
    }
    var info = stat()
    fileSize = fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
    start = range?.lowerBound ?? 0
    limit = range?.count ?? Int.max
    nextOffset = start
    // With a prefix, `range` only numbers the bytes: the prefix's reader is at its start already.
    if prefix == nil && start > 0 && lseek(descriptor, off_t(start), SEEK_SET) != off_t(start) {
      let reason = String(cString: strerror(errno))
      _ = Glibc.close(descriptor)
      throw DataError(file: path, line: nil, message: "cannot be read (\(reason))")
    }
    self.descriptor = descriptor
    self.path = path
    self.prefix = prefix
    window = bufferSize
    self.readSize = max(1, min(readSize ?? bufferSize, bufferSize))
    ownsBuffer = true
    base = .allocate(capacity: bufferSize)
    buffer = UnsafeMutableBufferPointer(start: base, count: bufferSize)
    starts = .allocate(capacity: 64)
    ends = .allocate(capacity: 64)
    quotedLineEnds = .allocate(capacity: 8)
  }

  /// Scans a pipe's data in place, as the initializer with `range` scans those bytes of a file.
  ///
  /// The bytes of `range` are at `bytes` (`range.count` of them, followed by at least `loadMargin` initialised bytes).
  /// Records, offsets, line numbers and errors are the file's, a record longer than `bufferSize` included (the scan
  /// looks at most `bufferSize` bytes from a record's start, as that buffer holds). Quoted fields are unquoted in those
  /// bytes; `path` only names them.
  init(inPlace bytes: UnsafeMutablePointer<UInt8>, range: Range<Int>, path: String, bufferSize: Int = 1 << 22) {
    descriptor = -1
    self.path = path
    prefix = nil
    fileSize = 0
    start = range.lowerBound
    limit = range.count
    nextOffset = start
    window = bufferSize
    readSize = bufferSize
    base = bytes
    buffer = UnsafeMutableBufferPointer(start: bytes, count: range.count)
    ownsBuffer = false
    initialisedEnd = range.count
    starts = .allocate(capacity: 64)
    ends = .allocate(capacity: 64)
    quotedLineEnds = .allocate(capacity: 8)
  }

  /// Closes the file and frees the buffers.
  public mutating func close() {
    if descriptor >= 0 { _ = Glibc.close(descriptor) }
    if ownsBuffer { buffer.deallocate() }
    starts.deallocate()
    ends.deallocate()
    quotedLineEnds.deallocate()
  }

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
  /// unquoted, out of line: records without quotes never call it): for `UnitLevelRows.consumeOther`.
  @inline(__always)
  mutating func forEachRecord(
    progress: (Int) -> Void = { _ in }, fast: (UnsafeMutablePointer<UInt8>, Int, Int) -> Int,
    quoted: (UnsafeMutablePointer<UInt8>, Int, Int) -> Int = { _, _, _ in -1 }, _ visit: (Record) throws -> Bool
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
          // Taken by `quoted`, as by the fast path.
          state.line &+= 1
          consumed = next
          madeProgress = true
          fastLast = true
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

  /// Scans one record starting at `start`; returns its field count, the offset after it and the number of line ends
  /// it spans, or nil when the record is incomplete (more bytes are needed); a field count of 0 when `quoted` took the
  /// record (a record with a quote, `scanQuotedRecord`).
  ///
  /// Nothing is rewritten until the record is known to be complete, so an incomplete record can be scanned again.
  @inline(__always)
  private mutating func scanRecord(
    from start: Int, to end: Int, atEndOfFile: Bool, quoted: (UnsafeMutablePointer<UInt8>, Int, Int) -> Int
  ) -> (Int, Int, Int)? {
    let bytes = base
    // Fast path: no quotes. Split at commas until the line end, eight bytes at a time: a word's bytes below `-`
    // (commas, line ends and quotes among them) as one bit mask (`candidateBytes`), then only those bytes looked at,
    // in order. (Looking for each
    // field's end from its start, a word at a time, made every load wait for the previous field's end; writing a
    // word's commas out four at a time without branches cost more than the branches it saved.)
    var position = start
    var field = 0
    starts[0] = start
    while position + 8 <= end {
      var mask = Self.candidateBytes(
        UInt64(littleEndian: UnsafeRawPointer(bytes + position).loadUnaligned(as: UInt64.self)))
      while mask != 0 {
        let at = position + mask.trailingZeroBitCount >> 3
        switch split(at: at, field: &field) {
        case .field: mask &= mask &- 1
        case .lineEnd: return (field + 1, at + 1, 1)
        case .quote: return scanQuotedRecord(from: start, to: end, atEndOfFile: atEndOfFile, quoted: quoted)
        }
      }
      position += 8
    }
    while position < end {
      switch split(at: position, field: &field) {
      case .field: position += 1
      case .lineEnd: return (field + 1, position + 1, 1)
      case .quote: return scanQuotedRecord(from: start, to: end, atEndOfFile: atEndOfFile, quoted: quoted)
      }
    }
    guard atEndOfFile else { return nil }
    ends[field] = end
    trimCarriageReturn(field)
    recordEndedLine = false
    return (field + 1, end, 1)
  }

  /// What ``split(at:field:)`` found: a byte inside a field or a comma (the record goes on), a line end (the record
  /// ended), or a quote (the record must be scanned as a quoted one).
  private enum SplitStep { case field, lineEnd, quote }

  /// One byte of an unquoted record, for both of ``scanRecord(from:to:atEndOfFile:)``'s loops: a comma ends field
  /// `field` and starts the next, a line end ends the record.
  @inline(__always)
  private mutating func split(at position: Int, field: inout Int) -> SplitStep {
    let byte = base[position]
    if byte == UInt8(ascii: ",") {
      ends[field] = position
      field += 1
      if field == starts.count { growFieldArrays() }
      starts[field] = position + 1
      return .field
    } else if byte == UInt8(ascii: "\n") {
      ends[field] = position
      trimCarriageReturn(field)
      recordEndedLine = true
      return .lineEnd
    } else if byte == UInt8(ascii: "\"") {
      return .quote
    }
    return .field
  }

  /// The slow path for records with quotes: `quoted` first (its taking the record returns a field count of 0), then
  /// find the record end first, then unquote fields in place.
  ///
  /// A quote opens a quoted field only at the start of a field; elsewhere it is literal (and the record is marked
  /// malformed, as is text after a closing quote or a quote still open at the end of the file). Outside quotes a
  /// carriage return is dropped.
  private mutating func scanQuotedRecord(
    from start: Int, to end: Int, atEndOfFile: Bool, quoted: (UnsafeMutablePointer<UInt8>, Int, Int) -> Int
  ) -> (Int, Int, Int)? {
    let taken = quoted(base, start, end)
    if taken > start { return (0, taken, 1) }
    let bytes = base
    var quoting = QuoteState()
    var newlines = 0
    var recordEnd = start
    var next = end
    var complete = false
    var quotedLines = 0
    while recordEnd < end {
      let byte = bytes[recordEnd]
      if byte == UInt8(ascii: "\n") {
        newlines += 1
        if !quoting.inQuotes { next = recordEnd + 1; complete = true; break }
        if quotedLines == quotedLineEnds.count { growQuotedLineEnds() }
        quotedLineEnds[quotedLines] = recordEnd
        quotedLines += 1
      } else {
        _ = quoting.step(byte)
      }
      recordEnd += 1
    }
    if !complete {
      guard atEndOfFile else { return nil }
      newlines += 1
    }
    recordEndedLine = complete
    quotedLineEndCount = quotedLines
    quoting = QuoteState()
    var malformation: Malformation? = nil
    var write = start
    var field = 0
    starts[0] = start
    for read in start..<recordEnd {
      let byte = bytes[read]
      switch quoting.step(byte) {
      case .keep:
        bytes[write] = byte
        write += 1
      case .drop:
        break
      case .separator:
        ends[field] = write
        field += 1
        if field == starts.count { growFieldArrays() }
        starts[field] = write
      case .literalQuote:
        bytes[write] = byte
        write += 1
        if malformation == nil { malformation = .quoteInsideUnquotedField(field: field + 1) }
      case .textAfterClosingQuote:
        bytes[write] = byte
        write += 1
        if malformation == nil { malformation = .textAfterClosingQuote(field: field + 1) }
      }
    }
    ends[field] = write
    if quoting.inQuotes { malformation = .unclosedQuote }
    self.malformation = malformation
    return (field + 1, next, newlines)
  }

  /// The bytes of `word` (eight bytes, little-endian) below `-` (0x2D), as bit 7 of each such byte.
  ///
  /// Every other bit is clear. They include every comma (0x2C), line end (0x0A) and quote (0x22); the few others
  /// (space, `+`, a carriage return, other punctuation and controls) are candidates that ``split(at:field:)`` passes
  /// over. For a byte `b`, `(b & 0x7F) + 0x53` has bit 7 set exactly when `b & 0x7F` ≥ 0x2D, with no carry into the
  /// next byte (the sum is at most 0xD2); or-ed with `b` itself (bit 7 set for bytes ≥ 0x80), bit 7 is clear exactly
  /// for the bytes below 0x2D. Four operations, where the exact mask of the three bytes took twelve: `analyze` spent
  /// 0.93–1.00 of the exact mask's CPU per round, 0.95 at the median (2026-12-05).
  @inline(__always)
  static func candidateBytes(_ word: UInt64) -> UInt64 {
    let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    let high: UInt64 = 0x8080_8080_8080_8080
    return ~(((word & low) &+ 0x5353_5353_5353_5353) | word) & high
  }

  @inline(__always)
  private func trimCarriageReturn(_ field: Int) {
    if ends[field] > starts[field] && buffer[ends[field] - 1] == UInt8(ascii: "\r") { ends[field] -= 1 }
  }

  private mutating func growFieldArrays() {
    doubleFieldBounds(&starts, &ends)
  }

  private mutating func growQuotedLineEnds() {
    let bigger = UnsafeMutableBufferPointer<Int>.allocate(capacity: quotedLineEnds.count * 2)
    _ = bigger.initialize(from: quotedLineEnds)
    quotedLineEnds.deallocate()
    quotedLineEnds = bigger
  }
}

/// Doubles the capacity of a scanner's field-bound arrays (`starts`/`ends`), keeping their contents: shared by
/// `CSVScanner` and `OnePassCSVScanner`, which grow them when a record has more fields than seen so far.
func doubleFieldBounds(_ starts: inout UnsafeMutableBufferPointer<Int>, _ ends: inout UnsafeMutableBufferPointer<Int>) {
  let bigger = starts.count * 2
  let newStarts = UnsafeMutableBufferPointer<Int>.allocate(capacity: bigger)
  let newEnds = UnsafeMutableBufferPointer<Int>.allocate(capacity: bigger)
  _ = newStarts.initialize(from: starts)
  _ = newEnds.initialize(from: ends)
  starts.deallocate()
  ends.deallocate()
  starts = newStarts
  ends = newEnds
}
