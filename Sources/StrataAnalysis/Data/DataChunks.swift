#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where unit-level data rows are cut into chunks, each accumulated into cells of its own and merged in order.
///
/// The cuts depend on the data's bytes and the chunk size alone, never on the number of threads, the machine or how
/// the data arrives: each chunk runs from the previous cut for `chunkSize` bytes and then on to just after the next
/// line end (LF; a CRLF is never split, as the cut follows its LF). A cut can still fall inside a quoted field that
/// holds a line end; `ChunkedUnitReader` notices that when the chunk before it does not end at a line end outside
/// quotes, and reads the rest of the file in one piece. A regular file's cuts are found from its bytes up front
/// (`ranges`); a pipe's, record by record as the sequential reader reads it (`Cuts`), at the same positions.
enum DataChunks {
  /// A chunk that starts at `start` ends just after the first line end at or after this position.
  static func threshold(start: Int, chunkSize: Int) -> Int { start + max(1, chunkSize) - 1 }

  /// The chunks of `data` (a byte range of the file at `path`), in file order, none empty.
  static func ranges(path: String, data: Range<Int>, chunkSize: Int) throws(DataError) -> [Range<Int>] {
    guard !data.isEmpty else { return [] }
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
      throw DataError(file: path, line: nil, message: "cannot be opened (\(String(cString: strerror(errno))))")
    }
    defer { _ = close(descriptor) }
    let window = 1 << 16
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: window)
    defer { buffer.deallocate() }
    var ranges: [Range<Int>] = []
    var start = data.lowerBound
    while start < data.upperBound {
      var end = data.upperBound
      // The cut is the first position at or after start + chunkSize that follows a line end.
      var position = threshold(start: start, chunkSize: chunkSize)
      search: while position < data.upperBound {
        let count = pread(descriptor, buffer, min(window, data.upperBound - position), off_t(position))
        guard count > 0 else {
          if count == 0 { break search }  // the file shrank: the last chunk runs to its end
          throw DataError(file: path, line: nil, message: "cannot be read (\(String(cString: strerror(errno))))")
        }
        for offset in 0..<count where buffer[offset] == UInt8(ascii: "\n") {
          end = position + offset + 1
          break search
        }
        position += count
      }
      ranges.append(start..<end)
      start = end
    }
    return ranges
  }
}

extension DataChunks {
  /// The cuts `ranges` would make, found record by record (a pipe, which the sequential reader reads once).
  ///
  /// Given each record's end and the last line end inside its quotes (`CSVScanner.Record`), it says after which
  /// records a chunk ends. When the line end that ends a chunk lies inside a record's quotes, the chunked reader
  /// finds that chunk incomplete and reads the rest of the file from its start in one piece: from then on there is
  /// no cut (`runsToEnd`).
  struct Cuts {
    let chunkSize: Int
    /// Where the current chunk starts.
    private(set) var start: Int
    private(set) var runsToEnd = false

    init(dataStart: Int, chunkSize: Int) {
      start = dataStart
      self.chunkSize = chunkSize
    }

    /// Whether the current chunk ends with this record (then the next starts after it).
    ///
    /// A record that ends the data without a line end may say true too: no chunk follows it either way.
    mutating func endsChunk(_ record: CSVScanner.Record) -> Bool {
      guard !runsToEnd else { return false }
      let threshold = DataChunks.threshold(start: start, chunkSize: chunkSize)
      if record.quotedLineEnd >= threshold {
        runsToEnd = true
        return false
      }
      guard record.end - 1 >= threshold else { return false }
      start = record.end
      return true
    }
  }

  /// The sequential reader's unit-level rows cut into the chunks of `Cuts`.
  ///
  /// Each chunk goes into a fresh cell table merged into the running result in order with the exact Chan merge, as
  /// `ChunkedUnitReader` merges a file's chunks: so a pipe gives the file's cells byte for byte. Lin's kept rows are
  /// marked where each chunk ends (`RegressionRows.cut`), so that their replay merges the same chunks.
  struct Stream {
    private var cuts: Cuts
    private var merged: SufficientStatistics
    /// Whether records were read since the last cut (the current chunk has bytes).
    private var open = false

    /// After the header: `rows` is the header's reader, with no row yet.
    ///
    /// The merged cells are a table of their own from the start: taking `rows.statistics` would share its storage
    /// until the first row's write copied it, and keep the header's table alive beside the chunk's.
    init(rows: UnitLevelRows, dataStart: Int, chunkSize: Int) {
      cuts = Cuts(dataStart: dataStart, chunkSize: chunkSize)
      merged = SufficientStatistics(plan: rows.plan)
    }

    /// After the reader consumed `record` (or skipped it as blank): whether the chunk ends with it (then `cut`).
    mutating func endsChunk(_ record: CSVScanner.Record) -> Bool {
      open = true
      return cuts.endsChunk(record)
    }

    /// Ends the chunk: its rows' cells merged into the result, `rows` left with an empty table for the next.
    mutating func cut(_ rows: inout UnitLevelRows) throws {
      try rows.flush()
      merged.merge(rows.statistics)
      rows.resetCells()
      rows.regressionRows.cut()
      open = false
    }

    /// At the end of the data: merges the last chunk, and leaves the merged cells in `rows`.
    mutating func finish(_ rows: inout UnitLevelRows) throws {
      try rows.flush()
      if open {
        merged.merge(rows.statistics)
        rows.regressionRows.cut()
      }
      rows.statistics = merged
    }
  }
}
