import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Streams bytes to a temporary file beside `path` and renames it over `path` on ``commit()``, so a
/// reader never sees a half-written file and a failed run leaves the old file (if any) untouched. The
/// streaming counterpart of ``AtomicFile``: memory is one buffer, whatever the file size.
public final class AtomicFileWriter {
  public let path: String
  private let temporaryPath: String
  private var descriptor: Int32
  // Unmanaged storage: appends pay no array uniqueness or exclusivity checks (several per output row).
  private let storage: UnsafeMutablePointer<UInt8>
  private var count = 0
  private let capacity: Int
  /// Room beyond `capacity` for one row's appends before the next flush check.
  private let slack = 1 << 16
  private var committed = false

  /// Creates the temporary file (mode 0644) in the destination's directory.
  public init(path: String, bufferSize: Int = 1 << 20) throws(FileWriteError) {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    self.path = path
    temporaryPath = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
    descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
      throw FileWriteError(message: "cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
    }
    capacity = bufferSize
    storage = .allocate(capacity: bufferSize + slack)
  }

  deinit {
    storage.deallocate()
    if !committed {
      if descriptor >= 0 { close(descriptor) }
      unlink(temporaryPath)
    }
  }

  /// Appends bytes and flushes when the buffer is full.
  public func write(_ bytes: [UInt8]) throws(FileWriteError) {
    append(bytes)
    try flushIfNeeded()
  }

  /// Appends bytes to the buffer (call ``flushIfNeeded()`` once per row; one row must fit in 64 KiB,
  /// longer pieces flush first).
  @inline(__always)
  public func append(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    if count + bytes.count > capacity + slack {
      // A huge cell: make room by flushing now (errors surface at the next flushIfNeeded/commit).
      do {
        try flush()
      } catch {
        pendingError = pendingError ?? error
      }
      if count + bytes.count > capacity + slack {
        pendingError =
          pendingError ?? FileWriteError(message: "a single cell of \(bytes.count) bytes is too large to write")
        return
      }
    }
    (storage + count).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
    count += bytes.count
  }

  @inline(__always)
  public func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { append($0) }
  }

  private var pendingError: FileWriteError?

  /// Whether the buffer has reached its size.
  public var needsFlush: Bool { count >= capacity }

  /// Writes the buffer out when it is full.
  public func flushIfNeeded() throws(FileWriteError) {
    if let pendingError { throw pendingError }
    if count >= capacity { try flush() }
  }

  @inline(__always)
  public func write(byte: UInt8) {
    storage[count] = byte
    count += 1
  }

  /// Appends the decimal digits of a non-negative integer.
  public func write(decimal value: Int) {
    precondition(value >= 0)
    if value < 10 {
      write(byte: UInt8(48 + value))
      return
    }
    var digits:
      (
        UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
        UInt8, UInt8, UInt8, UInt8
      ) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var length = 0
    var rest = value
    withUnsafeMutableBytes(of: &digits) { digits in
      while rest > 0 {
        digits[length] = UInt8(48 + rest % 10)
        rest /= 10
        length += 1
      }
      for index in stride(from: length - 1, through: 0, by: -1) { write(byte: digits[index]) }
    }
  }

  private func flush() throws(FileWriteError) {
    var offset = 0
    while offset < count {
      let written = systemWrite(descriptor, storage + offset, count - offset)
      guard written > 0 else {
        throw FileWriteError(message: "cannot write \(temporaryPath): \(String(cString: strerror(errno)))")
      }
      offset += written
    }
    count = 0
  }

  /// Flushes, closes and renames the temporary file over `path`.
  public func commit() throws(FileWriteError) {
    if let pendingError { throw pendingError }
    try flush()
    guard close(descriptor) == 0 else {
      throw FileWriteError(message: "cannot close \(temporaryPath): \(String(cString: strerror(errno)))")
    }
    descriptor = -1
    guard rename(temporaryPath, path) == 0 else {
      throw FileWriteError(message: "cannot rename \(temporaryPath) to \(path): \(String(cString: strerror(errno)))")
    }
    committed = true
  }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
    return Glibc.write(descriptor, bytes, count)
  #else
    return Darwin.write(descriptor, bytes, count)
  #endif
}

/// An output file cannot be created, written, closed or renamed into place; the message names the file and the
/// system's reason.
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var description: String { message }
}
