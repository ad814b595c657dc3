extension CSVScanner {
  /// Scans one record starting at `start`; returns its field count, the offset after it and the number of line ends
  /// it spans, or nil when the record is incomplete (more bytes are needed); a field count of 0 when `quoted` took the
  /// record (a record with a quote, `scanQuotedRecord`).
  ///
  /// Nothing is rewritten until the record is known to be complete, so an incomplete record can be scanned again.
  @inline(__always)
  mutating func scanRecord(
    from start: Int, to end: Int, atEndOfFile: Bool, quoted: (UnsafeMutablePointer<UInt8>, Int, Int, inout Int) -> Int
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

  mutating func growFieldArrays() {
    doubleFieldBounds(&starts, &ends)
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
