#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a regular file's data rows are cut into chunks that can be read on their own.
///
/// The cuts depend on the file's bytes and the chunk size alone, never on the number of threads or the machine:
/// each chunk runs from the previous cut for `chunkSize` bytes and then on to just after the next line end (LF; a
/// CRLF is never split, as the cut follows its LF). A cut can still fall inside a quoted field that holds a line
/// end; `ChunkedUnitReader` notices that when the chunk before it does not end at a line end outside quotes, and
/// reads the rest of the file in one piece.
enum DataChunks {
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
      var position = start + max(1, chunkSize) - 1
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
