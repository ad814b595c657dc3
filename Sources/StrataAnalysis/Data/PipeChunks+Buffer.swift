import Foundation

extension PipeChunks {
  /// One chunk's bytes and those read after them: file offsets `start..<start + filled` at `base`.
  final class Buffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    /// The file offset of `base[0]`, a multiple of `PipeChunks.block`.
    var start = 0
    var filled = 0
    /// Without a copy (`PipeChunks.keepsOriginals`): the bytes of the chunk it holds as they arrived, kept before its
    /// reader may unquote fields in place (`keepOriginalIfQuoted`), for a second read of them; nil when it cannot.
    var original: [UInt8]? = nil

    init(capacity: Int) {
      self.capacity = capacity
      var raw: UnsafeMutableRawPointer? = nil
      // Aligned for `O_DIRECT`; initialised, with room after it, as the scanner's loads may read a few bytes past the
      // bytes in use (`CSVScanner.loadMargin`).
      let bytes = capacity + CSVScanner.loadMargin
      guard posix_memalign(&raw, PipeChunks.block, bytes) == 0, let raw else {
        preconditionFailure("PipeChunks: cannot allocate \(bytes) bytes")
      }
      base = raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
    }

    deinit { free(base) }

    var end: Int { start + filled }

    /// Keeps the bytes of chunk `range` (file offsets, in this buffer) as they are, before its reader reads them, when
    /// they hold a quote: only quoted fields are unquoted in place (`CSVScanner`), so a chunk without one keeps its
    /// bytes as they arrived.
    func keepOriginalIfQuoted(_ range: Range<Int>) {
      let from = base + (range.lowerBound - start)
      guard memchr(from, Int32(UInt8(ascii: "\"")), range.count) != nil else { return }
      original = Array(UnsafeBufferPointer(start: from, count: range.count))
    }

    /// Appends the bytes of chunk `range` (file offsets, in this buffer) as they arrived to `bytes`.
    func appendArrived(_ range: Range<Int>, to bytes: inout [UInt8]) {
      if let original {
        bytes.append(contentsOf: original)
      } else {
        bytes.append(contentsOf: UnsafeBufferPointer(start: base + (range.lowerBound - start), count: range.count))
      }
    }
  }
}
