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
  private var buffer: [UInt8] = []
  private let capacity: Int
  private var committed = false

  /// Creates the temporary file (mode 0644) in the destination's directory.
  public init(path: String, bufferSize: Int = 1 << 20) throws(CSVReaderError) {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    self.path = path
    temporaryPath = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
    descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
      throw CSVReaderError(message: "cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
    }
    capacity = bufferSize
    buffer.reserveCapacity(bufferSize + 4096)
  }

  deinit {
    if !committed {
      if descriptor >= 0 { close(descriptor) }
      unlink(temporaryPath)
    }
  }

  /// Appends bytes and flushes when the buffer is full.
  public func write(_ bytes: [UInt8]) throws(CSVReaderError) {
    buffer.append(contentsOf: bytes)
    try flushIfNeeded()
  }

  /// Appends bytes to the buffer (call ``flushIfNeeded()`` once per row).
  @inline(__always)
  public func append(_ bytes: UnsafeRawBufferPointer) {
    buffer.append(contentsOf: bytes)
  }

  @inline(__always)
  public func append(_ bytes: [UInt8]) {
    buffer.append(contentsOf: bytes)
  }

  /// Whether the buffer has reached its size.
  public var needsFlush: Bool { buffer.count >= capacity }

  /// Writes the buffer out when it is full.
  public func flushIfNeeded() throws(CSVReaderError) {
    if buffer.count >= capacity { try flush() }
  }

  @inline(__always)
  public func write(byte: UInt8) {
    buffer.append(byte)
  }

  /// Appends the decimal digits of a non-negative integer.
  public func write(decimal value: Int) {
    precondition(value >= 0)
    if value < 10 {
      buffer.append(UInt8(48 + value))
      return
    }
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    var rest = value
    withUnsafeMutableBytes(of: &digits) { storage in
      while rest > 0 {
        storage[count] = UInt8(48 + rest % 10)
        rest /= 10
        count += 1
      }
      for index in stride(from: count - 1, through: 0, by: -1) { buffer.append(storage[index]) }
    }
  }

  private func flush() throws(CSVReaderError) {
    var offset = 0
    while offset < buffer.count {
      let written = buffer.withUnsafeBytes { bytes -> Int in
        guard let base = bytes.baseAddress else { return 0 }
        return systemWrite(descriptor, base + offset, bytes.count - offset)
      }
      guard written > 0 else { throw CSVReaderError(message: "cannot write \(temporaryPath): \(String(cString: strerror(errno)))") }
      offset += written
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Flushes, closes and renames the temporary file over `path`.
  public func commit() throws(CSVReaderError) {
    try flush()
    guard close(descriptor) == 0 else { throw CSVReaderError(message: "cannot close \(temporaryPath): \(String(cString: strerror(errno)))") }
    descriptor = -1
    guard rename(temporaryPath, path) == 0 else {
      throw CSVReaderError(message: "cannot rename \(temporaryPath) to \(path): \(String(cString: strerror(errno)))")
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
