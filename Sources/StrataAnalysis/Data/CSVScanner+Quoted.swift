extension CSVScanner {
  /// The slow path for records with quotes: `quoted` first (its taking the record returns a field count of 0, and the
  /// line ends inside the record's quotes that it counted plus its own), then `splitQuotedRecord` (the usual quoted
  /// record, split where it stands), else find the record end first, then unquote fields in place.
  ///
  /// A quote opens a quoted field only at the start of a field; elsewhere it is literal (and the record is marked
  /// malformed, as is text after a closing quote or a quote still open at the end of the file). Outside quotes a
  /// carriage return is dropped.
  mutating func scanQuotedRecord(
    from start: Int, to end: Int, atEndOfFile: Bool, quoted: (UnsafeMutablePointer<UInt8>, Int, Int, inout Int) -> Int
  ) -> (Int, Int, Int)? {
    var takenLineEnds = 0
    let taken = quoted(base, start, end, &takenLineEnds)
    if taken > start { return (0, taken, takenLineEnds &+ 1) }
    if let (fieldCount, next) = splitQuotedRecord(from: start, to: end) {
      recordEndedLine = true
      return (fieldCount, next, 1)
    }
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

  /// The record at `bytes[start...]` when it is the usual quoted record, split where its bytes stand: its field count
  /// and the offset just past its line end; nil when `scanQuotedRecord`'s byte loop must read it.
  ///
  /// The usual quoted record (`csv.QUOTE_ALL`, `QUOTE_NONNUMERIC`, R's `write.csv`) ends with a line end (LF or CRLF)
  /// before `end`, and each of its fields is quoted with no quote or line feed between its quotes and its separator or
  /// line end right after the closing quote, or unquoted with no quote or carriage return (but a CRLF line end's). The
  /// scanner's unquoting leaves such a field's bytes as they are (between the quotes, a carriage return included), so
  /// its start and end are set to them, nothing is copied, and the bytes are read once, a word at a time to the next
  /// byte that can end the field (`candidateBytes`). Anything else (`""`, a line end inside quotes, text after a closing
  /// quote, a literal quote, a carriage return the byte loop drops, a record not complete before `end`) is nil: the byte
  /// loop decides, as before. Field bounds may have been written then; the byte loop writes them again.
  @inline(never)
  mutating func splitQuotedRecord(from start: Int, to end: Int) -> (Int, Int)? {
    let bytes = base
    var position = start
    var field = 0
    while position < end {
      let quoted = bytes[position] == UInt8(ascii: "\"")
      let from = quoted ? position &+ 1 : position
      guard let stop = Self.fieldStop(bytes, from, end, quoted: quoted) else { return nil }
      starts[field] = from
      ends[field] = stop
      var after = stop
      if quoted {
        guard bytes[stop] == UInt8(ascii: "\"") else { return nil }  // a line feed inside the quotes
        after = stop &+ 1
        guard after < end else { return nil }
      }
      let byte = bytes[after]
      if byte == UInt8(ascii: ",") {
        field &+= 1
        if field == starts.count { growFieldArrays() }
        position = after &+ 1
        continue
      }
      if byte == UInt8(ascii: "\n") { return (field &+ 1, after &+ 1) }
      if byte == UInt8(ascii: "\r") && after &+ 1 < end && bytes[after &+ 1] == UInt8(ascii: "\n") {
        return (field &+ 1, after &+ 2)
      }
      return nil
    }
    return nil
  }

  /// The first byte at or after `from` (before `end`) that can end a field, or nil when there is none before `end`.
  ///
  /// A quote or line feed for a `quoted` field's bytes, also a comma or carriage return for an unquoted one. Words are
  /// loaded only while 8 bytes remain before `end`, then bytes.
  @inline(__always)
  private static func fieldStop(_ bytes: UnsafeMutablePointer<UInt8>, _ from: Int, _ end: Int, quoted: Bool) -> Int? {
    @inline(__always)
    func stops(_ byte: UInt8) -> Bool {
      byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n")
        || (!quoted && (byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\r")))
    }
    var at = from
    while at &+ 8 <= end {
      var mask = candidateBytes(UInt64(littleEndian: UnsafeRawPointer(bytes + at).loadUnaligned(as: UInt64.self)))
      while mask != 0 {
        let candidate = at &+ mask.trailingZeroBitCount &>> 3
        if stops(bytes[candidate]) { return candidate }
        mask &= mask &- 1
      }
      at &+= 8
    }
    while at < end {
      if stops(bytes[at]) { return at }
      at &+= 1
    }
    return nil
  }

  private mutating func growQuotedLineEnds() {
    let bigger = UnsafeMutableBufferPointer<Int>.allocate(capacity: quotedLineEnds.count * 2)
    _ = bigger.initialize(from: quotedLineEnds)
    quotedLineEnds.deallocate()
    quotedLineEnds = bigger
  }
}
