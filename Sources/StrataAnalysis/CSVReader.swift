import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A streaming reader of RFC 4180 CSV over raw bytes (POSIX `read` in 1 MiB chunks): memory stays flat
/// however many rows there are, and no `String` is built unless the caller asks for one.
///
/// Quoted fields may hold commas, doubled quotes and newlines; `\r\n` and `\n` both end a record; blank
/// lines are skipped. A malformed record (text after a closing quote, a quote inside an unquoted field,
/// a quote left open at the end of the file) is still returned, with `problem` set, so the caller can
/// report its line and go on.
public final class CSVReader {
  /// 1-based line on which the current record starts.
  public private(set) var line = 0
  /// Why the current record is malformed, or nil.
  public private(set) var problem: String?

  private let descriptor: Int32
  private let path: String
  private var chunk: [UInt8]
  private var chunkCount = 0
  private var chunkPosition = 0
  private var atEnd = false
  private var nextLine = 1
  private var bytes: [UInt8] = []
  private var fieldEnds: [Int] = []

  /// Opens `path` for reading.
  public init(path: String, chunkSize: Int = 1 << 20) throws(CSVReaderError) {
    descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
      throw CSVReaderError(message: "cannot open \(path): \(String(cString: strerror(errno)))")
    }
    self.path = path
    chunk = [UInt8](repeating: 0, count: chunkSize)
    bytes.reserveCapacity(4096)
    fieldEnds.reserveCapacity(64)
  }

  deinit { close(descriptor) }

  /// Number of fields in the current record.
  public var fieldCount: Int { fieldEnds.count }

  /// The bytes of field `index` of the current record (unquoted), valid until the next `next()` call.
  public func withField<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
    let start = index == 0 ? 0 : fieldEnds[index - 1]
    let end = fieldEnds[index]
    return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
  }

  /// Field `index` as a `String` (invalid UTF-8 is repaired with U+FFFD).
  public func string(_ index: Int) -> String {
    withField(index) { String(decoding: $0, as: UTF8.self) }
  }

  /// Whether field `index` is empty.
  public func isEmpty(_ index: Int) -> Bool {
    fieldEnds[index] == (index == 0 ? 0 : fieldEnds[index - 1])
  }

  /// Advances to the next record; false at the end of the file.
  public func next() throws(CSVReaderError) -> Bool {
    while true {
      guard try readRecord() else { return false }
      // A blank line is one empty field: skip it.
      if fieldEnds.count == 1 && fieldEnds[0] == 0 && problem == nil { continue }
      return true
    }
  }

  private func refill() throws(CSVReaderError) -> Bool {
    if atEnd { return false }
    let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    guard count >= 0 else { throw CSVReaderError(message: "cannot read \(path): \(String(cString: strerror(errno)))") }
    if count == 0 {
      atEnd = true
      return false
    }
    chunkCount = count
    chunkPosition = 0
    return true
  }

  private func readRecord() throws(CSVReaderError) -> Bool {
    // Work on locals (swapped out of the object and back), so the byte loop pays no dynamic
    // exclusivity checks on class properties.
    var bytes: [UInt8] = []
    var fieldEnds: [Int] = []
    swap(&bytes, &self.bytes)
    swap(&fieldEnds, &self.fieldEnds)
    defer {
      swap(&bytes, &self.bytes)
      swap(&fieldEnds, &self.fieldEnds)
    }
    bytes.removeAll(keepingCapacity: true)
    fieldEnds.removeAll(keepingCapacity: true)
    var problem: String?
    var nextLine = self.nextLine
    line = nextLine
    var fieldStart = 0
    var inQuotes = false
    var afterQuote = false
    var sawAnything = false
    while true {
      if chunkPosition >= chunkCount {
        guard try refill() else { break }
      }
      sawAnything = true
      var position = chunkPosition
      let count = chunkCount
      var finished = false
      chunk.withUnsafeBufferPointer { buffer in
        while position < count {
          let byte = buffer[position]
          position &+= 1
          if inQuotes {
            if byte == 0x22 {
              inQuotes = false
              afterQuote = true
            } else {
              if byte == 0x0A { nextLine += 1 }
              bytes.append(byte)
            }
            continue
          }
          switch byte {
          case 0x2C:  // ,
            fieldEnds.append(bytes.count)
            fieldStart = bytes.count
            afterQuote = false
          case 0x0A:  // \n
            nextLine += 1
            finished = true
            return
          case 0x0D:  // \r, part of a line end
            break
          case 0x22:  // "
            if afterQuote {
              bytes.append(0x22)
              inQuotes = true
              afterQuote = false
            } else if bytes.count == fieldStart {
              inQuotes = true
            } else {
              if problem == nil { problem = "a quote inside an unquoted field (field \(fieldEnds.count + 1))" }
              bytes.append(byte)
            }
          default:
            if afterQuote, problem == nil { problem = "text after a closing quote (field \(fieldEnds.count + 1))" }
            bytes.append(byte)
          }
        }
      }
      chunkPosition = position
      if finished { break }
    }
    self.nextLine = nextLine
    self.problem = problem
    if !sawAnything && bytes.isEmpty && fieldEnds.isEmpty { return false }
    if inQuotes { self.problem = "a quoted field is not closed before the end of the file" }
    fieldEnds.append(bytes.count)
    return true
  }
}

/// The input file cannot be opened or read.
public struct CSVReaderError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var description: String { message }
}
