#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where unit-level data rows are cut into chunks, each accumulated into cells of its own and merged in order.
///
/// The cuts depend on the data's bytes and the chunk size alone, never on the number of threads, the machine or how
/// the data arrives. First the line-end cuts: from the data's start, each runs `chunkSize` bytes on from the previous
/// one and then to just after the next line end (LF; a CRLF is never split, as the cut follows its LF), quotes not
/// looked at (`ranges`). Then each chunk holds the records that end after its own line-end cut and at or before the
/// next one: where a line-end cut falls inside a quoted field that holds a line end, the record across it goes to
/// the next chunk, whose start moves back to that record's start (a record across several cuts leaves the chunks
/// between them empty). Where no cut falls inside quotes (any file without a quoted line end there) the chunks are
/// the line-end ranges themselves.
///
/// `ChunkedUnitReader` reads each chunk from its line-end cut, stopping before a record across its end (`CSVScanner
/// .endIsCut`), and reads a chunk again from its true start when the chunk before it stopped before its own end: so
/// a cut inside quotes costs one chunk read twice, and the chunks after it are read in parallel as before. A regular
/// file's line-end cuts are found from its bytes up front (`ranges`); a pipe's as its bytes arrive (`PipeChunks`), or
/// record by record as the sequential reader reads it (`Cuts`), at the same positions.
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
  /// The chunks of `ranges` (the records moved across line-end cuts inside quotes), found record by record (a pipe
  /// read by the sequential reader, once).
  ///
  /// Given each record's end and the line ends inside its quotes (`CSVScanner.Record`), it says which records start a
  /// new chunk: those that end past the current chunk's line-end cut.
  struct Cuts {
    let chunkSize: Int
    /// The current chunk's line-end cut (just after the first line end at or after `threshold`), once a record has
    /// shown where that line end is.
    private(set) var cut: Int? = nil
    /// Where the current line-end range's cut is looked for (`DataChunks.threshold`).
    private var threshold: Int

    init(dataStart: Int, chunkSize: Int) {
      threshold = DataChunks.threshold(start: dataStart, chunkSize: chunkSize)
      self.chunkSize = chunkSize
    }

    /// Whether the chunk so far ends before `record` (the record is then a later chunk's first).
    ///
    /// It does when the record ends past the current line-end cut. Called for every record in order, blank ones too.
    /// A record may pass several cuts (a quoted field longer than a chunk): the chunks between them are empty.
    mutating func startsChunk(_ record: CSVScanner.Record) -> Bool {
      var starts = false
      while true {
        if cut == nil {
          // The first line end at or after the threshold, in this record (inside its quotes, or the one that ends
          // it); a record that ends the data without one ends no range either.
          if let inside = record.quotedLineEnds.first(where: { $0 >= threshold }) {
            cut = inside + 1
          } else if record.end - 1 >= threshold {
            cut = record.end
          } else {
            return starts
          }
        }
        guard let cut, record.end > cut else { return starts }
        starts = true
        threshold = DataChunks.threshold(start: cut, chunkSize: chunkSize)
        self.cut = nil
      }
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

    /// Before the reader consumes `record` (or skips it as blank): whether the chunk so far ends before it.
    ///
    /// Then `cut`, and the record is the next chunk's first. A chunk with no record is not merged (a file's empty
    /// chunk, merged, adds nothing to any cell).
    mutating func startsChunk(_ record: CSVScanner.Record) -> Bool {
      let starts = cuts.startsChunk(record) && open
      open = true
      return starts
    }

    /// Ends the chunk before the record `startsChunk` was asked about: its rows' cells merged into the result, `rows`
    /// left with an empty table for the next chunk, which that record opens.
    mutating func cut(_ rows: inout UnitLevelRows) throws {
      try rows.flush()
      merged.merge(rows.statistics)
      rows.resetCells()
      rows.regressionRows.cut()
      open = true
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
