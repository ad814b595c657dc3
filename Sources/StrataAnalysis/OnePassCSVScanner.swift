#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The CSV scanner of `strata assign --input`: the same records as ``CSVScanner`` (fields, line numbers,
/// malformations, byte order mark, carriage returns), but a record with quotes is read in one pass instead of three.
///
/// ``CSVScanner`` scans a record up to its first quote, then again to find where it ends, then a third time to
/// unquote it in place (a record cannot be rewritten before it is known to be complete). Here the fields of a
/// record are unquoted as they are read into a scratch area beside the input buffer, so the input is never rewritten
/// and an incomplete record (at the end of the buffer) is simply scanned again after the refill. Records without
/// quotes take the same byte loop as ``CSVScanner``'s fast path and point into the input buffer.
///
/// The records are ``CSVScanner/Record`` values whose `bytes` cover the input buffer and the scratch area, valid until
/// the next call. Used by ``BatchAssignment`` alone, so analyze's scanner can change without moving assign.
struct OnePassCSVScanner {
  private let descriptor: Int32
  private let path: String
  /// The input buffer (`bufferSize` bytes) followed by the scratch area for unquoted fields (as many).
  private let storage: UnsafeMutableBufferPointer<UInt8>
  private let bufferSize: Int
  private let base: UnsafeMutablePointer<UInt8>
  private var starts: UnsafeMutableBufferPointer<Int>
  private var ends: UnsafeMutableBufferPointer<Int>
  private var filled = 0  // bytes of the input buffer in use
  private var consumed = 0  // start of the unparsed part
  private var line = 1
  private var endOfFile = false
  private var checkedByteOrderMark = false
  /// Whether a record was handed out since the last refill (a buffer that is full without one is an error).
  private var madeProgress = false

  /// Opens `path` for reading; `bufferSize` bounds the longest record (and half the memory used).
  init(path: String, bufferSize: Int = 1 << 22) throws(DataError) {
    let descriptor = StandardInput.openForReading(path)
    guard descriptor >= 0 else {
      throw DataError(file: path, line: nil, message: "cannot be opened (\(String(cString: strerror(errno))))")
    }
    self.descriptor = descriptor
    self.path = path
    self.bufferSize = bufferSize
    storage = .allocate(capacity: 2 * bufferSize)
    base = storage.baseAddress.unsafelyUnwrapped
    starts = .allocate(capacity: 64)
    ends = .allocate(capacity: 64)
  }

  /// Closes the file and frees the buffers.
  mutating func close() {
    _ = Glibc.close(descriptor)
    storage.deallocate()
    starts.deallocate()
    ends.deallocate()
  }

  /// The next record, or nil at the end of the file (blank lines included: a caller decides what they mean).
  ///
  /// A pull instead of a visitor closure, so a caller's loop keeps its state in locals.
  mutating func next() throws(DataError) -> CSVScanner.Record? {
    while true {
      if consumed < filled {
        var scan = RecordScan(base: base, scratch: bufferSize, starts: starts, ends: ends)
        if let after = scan.record(from: consumed, to: filled, atEndOfFile: endOfFile) {
          let record = CSVScanner.Record(
            bytes: storage, starts: starts, ends: ends, fieldCount: scan.fieldCount, line: line,
            malformation: scan.malformation)
          line &+= scan.newlines
          consumed = after
          madeProgress = true
          return record
        }
        if scan.needsMoreFields {
          growFieldArrays()
          continue
        }
        if !madeProgress && filled == bufferSize {
          throw DataError(
            file: path, line: line, message: "has a record longer than \(bufferSize) bytes (an unclosed quote?)")
        }
      } else if endOfFile {
        return nil
      }
      try refill()
    }
  }

  /// Moves the unparsed tail to the front and reads more; skips a byte order mark at the start of the file.
  private mutating func refill() throws(DataError) {
    madeProgress = false
    repeat {
      if consumed > 0 {
        if filled > consumed { base.update(from: base + consumed, count: filled - consumed) }
        filled -= consumed
        consumed = 0
      }
      let count = read(descriptor, base + filled, bufferSize - filled)
      guard count >= 0 else {
        if errno == EINTR { continue }
        throw DataError(file: path, line: line, message: "cannot be read (\(String(cString: strerror(errno))))")
      }
      if count == 0 { endOfFile = true }
      filled += count
      if !checkedByteOrderMark && (filled >= 3 || endOfFile || filled == bufferSize) {
        checkedByteOrderMark = true
        if filled >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { consumed = 3 }
      }
    } while !checkedByteOrderMark
  }

  private mutating func growFieldArrays() {
    doubleFieldBounds(&starts, &ends)
  }
}

/// One record's scan: fills `starts`/`ends` (offsets into the storage) and says how far the record reaches.
private struct RecordScan {
  let base: UnsafeMutablePointer<UInt8>
  /// Where the scratch area starts (an offset into the storage).
  let scratch: Int
  let starts: UnsafeMutableBufferPointer<Int>
  let ends: UnsafeMutableBufferPointer<Int>
  var fieldCount = 0
  var newlines = 0
  var malformation: CSVScanner.Malformation? = nil
  /// Set when the record has more fields than `starts` holds: grow the arrays and scan it again.
  var needsMoreFields = false

  init(
    base: UnsafeMutablePointer<UInt8>, scratch: Int, starts: UnsafeMutableBufferPointer<Int>,
    ends: UnsafeMutableBufferPointer<Int>
  ) {
    self.base = base
    self.scratch = scratch
    self.starts = starts
    self.ends = ends
  }

  /// Scans the record at `start`; returns the offset after it, or nil when it is incomplete (more bytes are needed)
  /// or has more fields than the arrays hold (`needsMoreFields`).
  ///
  /// Without quotes: split at commas up to the line end, a carriage return before it trimmed (others kept), as
  /// ``CSVScanner``'s fast path. At the first quote the quoting state machine takes over from the start of the current
  /// field, or from the record's start when a carriage return came before (that path drops them).
  @inline(__always)
  mutating func record(from start: Int, to end: Int, atEndOfFile: Bool) -> Int? {
    let bytes = base
    let capacity = starts.count
    var position = start
    var field = 0
    var fieldStart = start
    var sawCarriageReturn = false
    starts[0] = start
    while position < end {
      let byte = bytes[position]
      if byte == UInt8(ascii: ",") {
        ends[field] = position
        field &+= 1
        if field == capacity {
          needsMoreFields = true
          return nil
        }
        fieldStart = position &+ 1
        starts[field] = fieldStart
      } else if byte == UInt8(ascii: "\n") {
        ends[field] = position > fieldStart && bytes[position &- 1] == UInt8(ascii: "\r") ? position &- 1 : position
        fieldCount = field &+ 1
        newlines = 1
        return position &+ 1
      } else if byte == UInt8(ascii: "\"") {
        return sawCarriageReturn
          ? quoted(from: start, field: 0, to: end, atEndOfFile: atEndOfFile)
          : quoted(from: fieldStart, field: field, to: end, atEndOfFile: atEndOfFile)
      } else if byte == UInt8(ascii: "\r") {
        sawCarriageReturn = true
      }
      position &+= 1
    }
    guard atEndOfFile else { return nil }
    ends[field] = end > fieldStart && bytes[end &- 1] == UInt8(ascii: "\r") ? end &- 1 : end
    fieldCount = field &+ 1
    newlines = 1
    return end
  }

  /// The rest of a record with quotes, from field number `field` starting at `start`, copied unquoted to the scratch
  /// area byte by byte with ``CSVScanner/QuoteState``'s rules.
  private mutating func quoted(from start: Int, field firstField: Int, to end: Int, atEndOfFile: Bool) -> Int? {
    let bytes = base
    let capacity = starts.count
    var quoting = CSVScanner.QuoteState()
    var write = scratch
    var field = firstField
    var inner = 0  // line ends inside quotes
    starts[field] = write
    var position = start
    while position < end {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\n") {
        if !quoting.inQuotes {
          ends[field] = write
          fieldCount = field &+ 1
          newlines = inner &+ 1
          return position &+ 1
        }
        inner &+= 1
        bytes[write] = byte
        write &+= 1
        position &+= 1
        continue
      }
      switch quoting.step(byte) {
      case .keep:
        bytes[write] = byte
        write &+= 1
      case .drop:
        break
      case .separator:
        ends[field] = write
        field &+= 1
        if field == capacity {
          needsMoreFields = true
          return nil
        }
        starts[field] = write
      case .literalQuote:
        bytes[write] = byte
        write &+= 1
        if malformation == nil { malformation = .quoteInsideUnquotedField(field: field &+ 1) }
      case .textAfterClosingQuote:
        bytes[write] = byte
        write &+= 1
        if malformation == nil { malformation = .textAfterClosingQuote(field: field &+ 1) }
      }
      position &+= 1
    }
    guard atEndOfFile else { return nil }
    ends[field] = write
    fieldCount = field &+ 1
    newlines = inner &+ 1
    if quoting.inQuotes { malformation = .unclosedQuote }
    return end
  }
}
