extension CSVScanner {
  /// The slow path for records with quotes: `quoted` first (its taking the record returns a field count of 0, and the
  /// line ends inside the record's quotes that it counted plus its own), then find the record end first, then unquote
  /// fields in place.
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

  private mutating func growQuotedLineEnds() {
    let bigger = UnsafeMutableBufferPointer<Int>.allocate(capacity: quotedLineEnds.count * 2)
    _ = bigger.initialize(from: quotedLineEnds)
    quotedLineEnds.deallocate()
    quotedLineEnds = bigger
  }
}
