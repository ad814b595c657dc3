import Foundation

extension PipeChunks {
  /// Writes `chunk`'s bytes on the queue (`writeOut`).
  func startWrite(_ chunk: Cut) {
    writing.enter()
    writes.async { [self] in
      writeFailure = writeOut(chunk.buffer, upTo: chunk.range.upperBound, final: chunk.last)
      writing.leave()
    }
  }

  /// Waits for the write in flight, if any; its failure's `errno`, or nil.
  @discardableResult
  func waitForWrite() -> Int32? {
    writing.wait()
    return writeFailure
  }

  /// Writes `buffer`'s bytes to the copy up to file offset `end` (all of them when `final`); nil, or the `errno` of a
  /// failed write.
  ///
  /// Whole blocks go with `O_DIRECT`, the bytes of a block begun or left over through the page cache; the bytes of an
  /// unfinished block wait for the next chunk.
  private func writeOut(_ buffer: Buffer, upTo end: Int, final: Bool) -> Int32? {
    let block = Self.block
    guard let spool else { return nil }
    while spool.bytes < end {
      let written = spool.bytes
      var stop = end
      var through: Int32? = nil
      if direct >= 0 {
        if written % block != 0 {
          stop = min(end, (written / block + 1) * block)
          if stop % block != 0 && !final { return nil }
        } else if end / block * block > written {
          stop = end / block * block
          through = direct
        } else if !final {
          return nil
        }
      }
      if let failure = spool.append(buffer.base + (written - buffer.start), count: stop - written, through: through) {
        if through != nil && failure.written == 0 && failure.reason == EINVAL {
          // The file system refuses `O_DIRECT` writes (or this one's alignment): the page cache from here on.
          _ = close(direct)
          direct = -1
          continue
        }
        return failure.reason
      }
    }
    return nil
  }

  /// After a failed write: a reader of the rest, row by row, that reads the copy's bytes, then those read from the pipe
  /// but not written, then the rest of the pipe (which it takes over).
  func prefix() -> ReadPrefix {
    var bytes: [UInt8] = []
    var at = spool?.bytes ?? 0
    var chain: [Buffer] = []
    for buffer in unwritten where !chain.contains(where: { $0 === buffer }) { chain.append(buffer) }
    for (index, buffer) in chain.enumerated() {
      let stop = index + 1 < chain.count ? chain[index + 1].start : buffer.end
      if at < stop {
        bytes.append(contentsOf: UnsafeBufferPointer(start: buffer.base + (at - buffer.start), count: stop - at))
        at = stop
      }
    }
    let prefix = ReadPrefix(source: source, spool: spool, leftover: bytes)
    source = -1
    return prefix
  }

  /// Reads the rest of the pipe into the copy (a chunk stopped, so the rest of the data is read from the copy as a
  /// file); nil, or the `errno` of a failed write.
  func copyRest() throws(DataError) -> Int32? {
    guard let spool else { return nil }
    if let reason = waitForWrite() {
      unwritten = [written?.buffer, current].compactMap { $0 }
      return reason
    }
    while true {
      if !ended && current.filled < current.capacity { try readMore() }
      if let reason = writeOut(current, upTo: current.end, final: ended) {
        unwritten = [current]
        return reason
      }
      if ended { return nil }
      if current.filled == current.capacity {
        // Written up to its last whole block: the rest moves to the front.
        let from = spool.bytes / Self.block * Self.block
        let keep = current.end - from
        current.base.update(from: current.base + (from - current.start), count: keep)
        current.start = from
        current.filled = keep
      }
    }
  }
}
