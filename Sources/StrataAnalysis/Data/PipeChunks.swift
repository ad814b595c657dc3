import Foundation

/// A pipe's data rows taken as they arrive and cut where `DataChunks.ranges` cuts a file of the same bytes, each chunk
/// read in place by `ChunkedUnitReader` (the file's chunked read and deferred duplicate check), while its bytes go on
/// to the pipe's temporary copy (`InputSpool`), written past the page cache.
///
/// The copy is there for what a pipe cannot do: read its bytes a second time, when the check finds repeated units (the
/// chunks read again, dropping them) or a chunk did not end cleanly (the rest read in one piece). Written through the
/// page cache, as the whole copy first was, its pages cost the kernel a copy and fresh memory for every byte (most of
/// the pipe's extra CPU over the file's, docs/performance.md, "A pipe through a temporary copy"); here whole 4 kB
/// blocks go to the disk directly (`O_DIRECT`), the rest (the first and last block's bytes, or all of them where the
/// file system refuses `O_DIRECT`) through the page cache. A second read reads the copy as a regular file.
///
/// Without the duplicate check there is no copy (`spool` nil, `keepsOriginals`): a chunk is its reader's as soon as
/// it is cut, and the only second read, of the rest of the data from a chunk that did not end cleanly, reads the
/// chunks' bytes as they arrived (`remainder`): their buffers are handed back only once merged, and a chunk with a
/// quote is copied before it is read, as its reader may unquote fields in place (`Buffer.keepOriginalIfQuoted`).
///
/// Memory: each buffer holds one chunk (`chunkSize` bytes and up to the next line end) and the bytes read past it; the
/// buffers of chunks read are reused: one thread holds three (the chunk being read, the next being written to the
/// copy, the one after it being read from the pipe), `n` threads `n + 2`; without a copy one fewer.
final class PipeChunks: @unchecked Sendable {
  /// `O_DIRECT` writes start, end and sit at multiples of this (the largest logical block size in use).
  static let block = 4096

  /// How far past a chunk's threshold a line end is looked for: more than the longest record a chunk's reader takes
  /// (`CSVScanner(inPlace:)`'s window, 4 MiB), so a cut there falls inside a record that is refused anyway.
  static let longestSearch = (1 << 22) + (1 << 16)

  /// The pipe (owned: closed with this, unless handed on to a `ReadPrefix`).
  var source: Int32
  /// The temporary copy, or nil when there is none (the duplicate check is off): then a second read, needed only
  /// from a chunk that did not end cleanly, reads the chunks' bytes as they arrived and the rest of the pipe.
  let spool: InputSpool?
  /// The input as given, for messages.
  let name: String
  let chunkSize: Int
  /// The copy opened again with `O_DIRECT`, or -1 (refused, or not written directly any more).
  var direct: Int32 = -1
  /// The buffer that holds the bytes read last.
  private(set) var current: Buffer
  /// Buffers of chunks read, for later chunks.
  private var spare: [Buffer] = []
  private let lock = NSLock()
  /// Whether the pipe has ended.
  private(set) var ended: Bool
  /// Where the next chunk starts, and how far a line end was looked for after its threshold.
  private(set) var cutStart: Int
  private var searched: Int

  /// After the header: `source` has given the copy's bytes so far (`spool.bytes`; `ended` when it gave its last), the
  /// data rows start at `dataStart`.
  init(source: Int32, spool: InputSpool, dataStart: Int, ended: Bool, chunkSize: Int) throws(DataError) {
    self.source = source
    self.spool = spool
    name = spool.name
    self.chunkSize = max(1, chunkSize)
    self.ended = ended
    cutStart = dataStart
    searched = dataStart
    current = Buffer(capacity: Self.capacity(chunkSize: self.chunkSize))
    // The bytes from the block the data starts in, read back from the copy (the header's part is in the page cache).
    let from = dataStart / Self.block * Self.block
    current.start = from
    while current.end < spool.bytes {
      if current.filled == current.capacity { grow() }
      let got = pread(
        spool.descriptor, current.base + current.filled,
        min(current.capacity - current.filled, spool.bytes - current.end),
        off_t(current.end))
      guard got > 0 else {
        throw DataError(
          file: spool.name, line: nil,
          message: "cannot be read back from its temporary copy (\(String(cString: strerror(got < 0 ? errno : EIO))))")
      }
      current.filled += got
    }
    // Glibc declares O_DIRECT only under _GNU_SOURCE, which Swift's Glibc module does not define: Linux's own values
    // (0o40000 on x86, 0o200000 on arm64). Elsewhere no direct writes: the copy goes through the page cache.
    #if os(Linux) && (arch(x86_64) || arch(i386))
      direct = open(spool.path, O_WRONLY | O_CLOEXEC | 0o40000)
    #elseif os(Linux) && arch(arm64)
      direct = open(spool.path, O_WRONLY | O_CLOEXEC | 0o200000)
    #endif
  }

  /// Without a copy: `source` has given `read` (file offsets from 0; `ended` when it gave its last), the data rows
  /// start at `dataStart` (within `read`); `name` is the input as given.
  init(source: Int32, name: String, read: [UInt8], dataStart: Int, ended: Bool, chunkSize: Int) {
    self.source = source
    spool = nil
    self.name = name
    self.chunkSize = max(1, chunkSize)
    self.ended = ended
    cutStart = dataStart
    searched = dataStart
    let from = dataStart / Self.block * Self.block
    let capacity = Self.capacity(chunkSize: self.chunkSize)
    current = Buffer(capacity: max(capacity, read.count - from + capacity))
    current.start = from
    current.filled = read.count - from
    read.withUnsafeBufferPointer { bytes in
      if let base = bytes.baseAddress { current.base.update(from: base + from, count: read.count - from) }
    }
  }

  /// Whether there is no copy: a chunk's bytes as they arrived are then kept before its reader may change them
  /// (`Buffer.keepOriginalIfQuoted`), and its buffer is handed back only once it has been merged (`recycleMerged`),
  /// so that the chunks from one that did not end cleanly can be read again (`remainder`).
  var keepsOriginals: Bool { spool == nil }

  deinit {
    if direct >= 0 { _ = close(direct) }
    if source >= 0 { _ = close(source) }
  }

  /// A chunk's buffer: the chunk size, room for the block before it, and 256 kB to read past it to its line end (a
  /// read takes at most what the pipe holds, 64 kB; a longer record grows the buffer).
  static func capacity(chunkSize: Int) -> Int {
    (chunkSize + block - 1) / block * block + 2 * block + (1 << 18)
  }

  /// What `next()` found.
  enum Step {
    /// A chunk: its file offsets, at `buffer.base + range.lowerBound - buffer.start`; whether it is the data's last.
    /// Its bytes are in the copy or in the next chunk's buffer already, so its reader may change them (unquoting).
    case chunk(Range<Int>, Buffer, last: Bool)
    /// The data has no more bytes.
    case none
    /// A write to the copy failed (`errno`): the pipe can no longer be read as a file.
    case copyStopped(Int32)
  }

  /// A chunk cut from the pipe: its file offsets, its buffer, whether it is the data's last.
  typealias Cut = (range: Range<Int>, buffer: Buffer, last: Bool)

  /// The next chunk, once its bytes are in the copy (or, for its last block's, in the next chunk's buffer).
  ///
  /// Its writes overlap the reading of the chunk after it from the pipe and, once it is returned, the reading of its
  /// rows: each chunk is written on a queue of its own while the next is cut, and returned once written, so that its
  /// reader may change its bytes in place.
  func next() throws(DataError) -> Step {
    if spool == nil {
      // No copy to write: the chunk is its reader's at once, its bytes kept when its reader may change them.
      guard !(ended && cutStart >= current.end) else { return .none }
      let chunk = try cut()
      chunk.buffer.keepOriginalIfQuoted(chunk.range)
      return .chunk(chunk.range, chunk.buffer, last: chunk.last)
    }
    while true {
      let following = ended && cutStart >= current.end ? nil : try cut()
      if let reason = waitForWrite() {
        unwritten = [written?.buffer, following?.buffer, current].compactMap { $0 }
        return .copyStopped(reason)
      }
      let done = written
      written = following
      if let following { startWrite(following) }
      if let done { return .chunk(done.range, done.buffer, last: done.last) }
      if following == nil { return .none }
    }
  }

  /// The next chunk read from the pipe (not yet written).
  ///
  /// It ends just after the first line end at or after
  /// `DataChunks.threshold`, or at the end of the data: the cut `DataChunks.ranges` makes in a file of the same bytes
  /// (which makes no empty chunk). Known to be the last only once the pipe has ended right after it.
  private func cut() throws(DataError) -> Cut {
    let threshold = DataChunks.threshold(start: cutStart, chunkSize: chunkSize)
    var end = 0
    while true {
      let from = max(threshold, searched)
      if from < current.end,
        let found = memchr(current.base + (from - current.start), Int32(UInt8(ascii: "\n")), current.end - from)
      {
        end = current.start + (UnsafeMutableRawPointer(current.base).distance(to: found)) + 1
        break
      }
      searched = max(searched, current.end)
      // No line end that far past the threshold: the record there is longer than a chunk's reader takes (a file's
      // read refuses it too), so the chunk ends inside it rather than holding the pipe in memory until a line end (a
      // 300 MB line took 843 MB): its reader stops at that record, and the rest is read from the copy, as a file's.
      if ended || current.end - threshold > Self.longestSearch {
        end = current.end
        break
      }
      try readMore()
    }
    while !ended && current.end == end { try readMore() }
    let last = ended && current.end == end
    let buffer = current
    if !last {
      // The bytes from the block the chunk ends in (those its write leaves, `writeOut`) move to the next buffer.
      let from = end / Self.block * Self.block
      let next = spareBuffer(holding: current.end - from)
      next.start = from
      next.filled = current.end - from
      next.base.update(from: current.base + (from - current.start), count: next.filled)
      current = next
    }
    let range = cutStart..<end
    cutStart = end
    searched = end
    return (range, buffer, last)
  }

  /// The chunk being written (`startWrite`), returned by `next()` once its write is done.
  private(set) var written: Cut? = nil
  let writes = DispatchQueue(label: "strata-pipe-copy")
  let writing = DispatchGroup()
  var writeFailure: Int32? = nil
  /// After a failed write: the buffers that hold the bytes not written, in order.
  var unwritten: [Buffer] = []
  /// The buffer of a chunk read again from a record's start before its cut (`rereadBuffer`).
  var reread: Buffer? = nil

  /// Reads what the pipe holds now into `current` (growing it when full); sets `ended` at its end.
  func readMore() throws(DataError) {
    if current.filled == current.capacity { grow() }
    while true {
      let got = read(source, current.base + current.filled, current.capacity - current.filled)
      if got > 0 {
        current.filled += got
        return
      }
      if got == 0 {
        ended = true
        return
      }
      if errno == EINTR { continue }
      throw DataError(file: name, line: nil, message: "cannot be read (\(String(cString: strerror(errno))))")
    }
  }

  /// Replaces `current` with a buffer twice its size holding its bytes (a record longer than a chunk's slack).
  private func grow() {
    let larger = Buffer(capacity: current.capacity * 2)
    larger.start = current.start
    larger.filled = current.filled
    larger.base.update(from: current.base, count: current.filled)
    current = larger
  }

  /// A buffer from a chunk already read, or a new one, with room for `bytes`.
  private func spareBuffer(holding bytes: Int) -> Buffer {
    lock.lock()
    let reused = spare.popLast()
    lock.unlock()
    if let reused, reused.capacity >= bytes + Self.block {
      reused.original = nil
      return reused
    }
    return Buffer(capacity: max(Self.capacity(chunkSize: chunkSize), bytes + Self.capacity(chunkSize: chunkSize)))
  }

  /// Hands back a chunk's buffer once the chunk has been read (any thread); without a copy, nothing: the buffer comes
  /// back once the chunk is merged (`recycleMerged`).
  ///
  /// The last chunk's buffer is still `current`: harmless, as no chunk follows it to reuse it (and its bytes stay).
  func recycle(_ buffer: Buffer) {
    guard spool != nil else { return }
    recycleMerged(buffer)
  }

  /// Hands back a chunk's buffer once the chunk has been merged.
  func recycleMerged(_ buffer: Buffer) {
    lock.lock()
    spare.append(buffer)
    lock.unlock()
  }
}
