import Foundation

extension PipeChunks {
  /// Without a copy, after a chunk did not end cleanly: a reader of the data from its start, row by row, that reads
  /// `carry` (its bytes before its line-end cut, as they arrived), the bytes of it and of the chunks cut after it as
  /// they arrived (`chunks`, each its line-end range with its buffer, not yet handed back), then those read past them,
  /// then the rest of the pipe (which it takes over).
  func remainder(carry: [UInt8] = [], chunks: [(range: Range<Int>, buffer: Buffer)]) -> ReadPrefix {
    var bytes = carry
    var at = chunks.first?.range.lowerBound ?? cutStart
    for chunk in chunks {
      chunk.buffer.appendArrived(chunk.range, to: &bytes)
      at = chunk.range.upperBound
    }
    if at < current.end {
      // `current` starts at or before `at` (its first block is the last chunk's last).
      bytes.append(contentsOf: UnsafeBufferPointer(start: current.base + (at - current.start), count: current.end - at))
    }
    let prefix = ReadPrefix(source: source, leftover: bytes)
    source = -1
    return prefix
  }

  /// About how many rows the data holds when the pipe has already ended (its line ends counted), else nil.
  func knownRows(from dataStart: Int) -> Int? {
    guard ended, cutStart == dataStart, current.start <= dataStart else { return nil }
    var lines = 0
    var position = current.base + (dataStart - current.start)
    let end = current.base + current.filled
    while position < end, let found = memchr(position, Int32(UInt8(ascii: "\n")), end - position) {
      lines += 1
      position = found.assumingMemoryBound(to: UInt8.self) + 1
    }
    return lines + 1
  }
}

extension PipeChunks {
  /// A write to the copy failed (`errno`).
  struct CopyStopped: Error {
    let reason: Int32
  }

  /// The buffer a chunk read again from a record's start before its cut is read from (`ChunkedUnitReader.take(_:from:
  /// bytes:)`, on the merging thread, one at a time), holding `count` bytes from file offset `start`.
  private func rereadBuffer(start: Int, count: Int) -> Buffer {
    let buffer: Buffer
    if let reread, reread.capacity >= count {
      buffer = reread
    } else {
      buffer = Buffer(capacity: max(count, Self.capacity(chunkSize: chunkSize)))
      reread = buffer
    }
    buffer.start = start
    buffer.filled = count
    return buffer
  }

  /// With a copy: the bytes `range` as they arrived (a chunk read again from a record's start before its cut), once
  /// the write in flight is done: those the copy holds, then those of `current` (the bytes of a block begun wait
  /// there for the next chunk's write); or the write's failure.
  func copied(_ range: Range<Int>) throws(DataError) -> Result<Buffer, CopyStopped> {
    guard let spool else { preconditionFailure("a pipe without a copy keeps its chunks' bytes") }
    if let reason = waitForWrite() {
      unwritten = [written?.buffer, current].compactMap { $0 }
      return .failure(CopyStopped(reason: reason))
    }
    let buffer = rereadBuffer(start: range.lowerBound, count: range.count)
    let fromCopy = max(range.lowerBound, min(range.upperBound, spool.bytes))
    var at = range.lowerBound
    while at < fromCopy {
      let got = pread(spool.descriptor, buffer.base + (at - range.lowerBound), fromCopy - at, off_t(at))
      guard got > 0 else {
        throw DataError(
          file: name, line: nil,
          message: "cannot be read back from its temporary copy (\(String(cString: strerror(got < 0 ? errno : EIO))))")
      }
      at += got
    }
    if at < range.upperBound {
      guard current.start <= at && range.upperBound <= current.end else {
        throw DataError(file: name, line: nil, message: "cannot be read back from its temporary copy (bytes missing)")
      }
      (buffer.base + (at - range.lowerBound)).update(
        from: current.base + (at - current.start), count: range.upperBound - at)
    }
    return .success(buffer)
  }

  /// Without a copy: `carry` (the bytes before the line-end range `cut`, from a record's start) and those of the
  /// chunk of `cut` in `buffer` as they arrived, in one buffer (a chunk read again from that record's start).
  func joined(_ carry: [UInt8], _ cut: Range<Int>, in buffer: Buffer) -> Buffer {
    let joined = rereadBuffer(start: cut.lowerBound - carry.count, count: carry.count + cut.count)
    carry.withUnsafeBufferPointer { carried in
      if let from = carried.baseAddress { joined.base.update(from: from, count: carried.count) }
    }
    let target = joined.base + carry.count
    if let original = buffer.original {
      original.withUnsafeBufferPointer { bytes in
        if let from = bytes.baseAddress { target.update(from: from, count: cut.count) }
      }
    } else {
      target.update(from: buffer.base + (cut.lowerBound - buffer.start), count: cut.count)
    }
    return joined
  }

  /// Without a copy, once a chunk from `start` whose line-end range was `cut` (its bytes in `buffer`, and those
  /// before it in `carry`) is merged, its records having ended at `end`: the bytes from `end` to the cut's end, as
  /// they arrived (the record across the cut, which the next chunk starts with; none when it ends at the cut).
  func carried(_ carry: [UInt8], from start: Int, to end: Int, cut: Range<Int>, in buffer: Buffer) -> [UInt8] {
    guard end < cut.upperBound else { return [] }
    var bytes: [UInt8] = []
    if end < cut.lowerBound { bytes.append(contentsOf: carry[(end - start)...]) }
    let from = max(end, cut.lowerBound)
    if let original = buffer.original {
      bytes.append(contentsOf: original[(from - cut.lowerBound)...])
    } else {
      bytes.append(
        contentsOf: UnsafeBufferPointer(start: buffer.base + (from - buffer.start), count: cut.upperBound - from))
    }
    return bytes
  }
}
