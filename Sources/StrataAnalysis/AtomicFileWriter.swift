import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The one output writer of Strata (`assign --output`, reports, the look log): never a half-written file, never
/// a replaced device.
///
/// Where the bytes go follows ``OutputDestination``: a regular file (or a new path) gets a temporary file
/// `.NAME.PID.tmp` beside the symlinks' final target, renamed over it on ``commit()`` (so a reader never sees half
/// a file and a failed run leaves the old one untouched); the replacement keeps the old file's permission bits
/// and, where the system permits, its owner, and a new file follows the umask. A device, FIFO or standard stream
/// is written in place (streaming), as `/dev/null` or a named pipe read by another tool expect. Temporary files
/// that a killed run left for the same destination are removed first, with a note (``FileNotices``); Ctrl-C,
/// SIGTERM or SIGHUP mid-write removes the temporary file before the process ends (``InterruptedWrites``).
///
/// Memory is one buffer, whatever the file size. Every failure is a ``FileWriteError`` naming the destination.
public final class AtomicFileWriter {
  /// The destination as given.
  public let path: String
  /// Where the bytes really go (symlinks followed); the rename target for regular files.
  public let destination: OutputDestination
  /// The temporary file, nil when writing in place.
  let temporaryPath: String?
  /// Its slot in ``InterruptedWrites`` (removed on Ctrl-C) until renamed into place or removed.
  private var interruptSlot: Int?
  private var descriptor: Int32
  // Unmanaged storage: appends pay no array uniqueness or exclusivity checks (several per output row).
  private let storage: UnsafeMutablePointer<UInt8>
  private var count = 0
  private let capacity: Int
  /// Room beyond `capacity` for one row's appends before the next flush check.
  private let slack = 1 << 16
  /// Closed and ready to be renamed into place.
  private var prepared = false
  private var committed = false

  /// Opens the destination: the temporary file for a regular file, the device, FIFO or stream itself otherwise.
  public init(path: String, bufferSize: Int = 1 << 20) throws(FileWriteError) {
    self.path = path
    destination = try OutputDestination.resolve(path)
    switch destination {
    case .descriptor(let number):
      descriptor = fcntl(number, F_DUPFD_CLOEXEC, 0)
      temporaryPath = nil
      guard descriptor >= 0 else { throw FileWriteError(path: path, errno: errno) }
    case .special(let target):
      descriptor = Self.openRetrying(target, O_WRONLY | O_CLOEXEC, 0)
      temporaryPath = nil
      guard descriptor >= 0 else { throw FileWriteError(path: path, errno: errno) }
    case .regular(let target, let existing):
      let (directory, name) = Self.split(target)
      try Self.makeDirectories(directory, for: path)
      Self.removeStaleTemporaries(in: directory, name: name)
      let temporary = Self.temporaryPath(directory: directory, name: name, suffix: "tmp")
      unlink(temporary)  // ours by name: left by an earlier process that had this pid
      // Registered before it exists: a signal between the create and a later registration would end the
      // process with the file left behind. A signal before the create unlinks a name that is ours anyway.
      interruptSlot = InterruptedWrites.register(temporary)
      // O_EXCL: never follow a symlink planted at the temporary name. A file that replaces an old one starts
      // private and takes the old one's owner and mode; a new file takes 0666 minus the umask.
      descriptor = Self.openRetrying(
        temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, existing == nil ? 0o666 : 0o600)
      guard descriptor >= 0 else {
        let code = errno
        if let interruptSlot { InterruptedWrites.unregister(interruptSlot) }
        throw FileWriteError(
          path: path, reason: "cannot create a temporary file there (\(String(cString: strerror(code))))")
      }
      temporaryPath = temporary
      if let existing {
        _ = fchown(descriptor, existing.owner, existing.group)  // permitted for root, or a group the user is in
        if fchmod(descriptor, existing.mode) != 0 {
          let code = errno
          close(descriptor)
          unlink(temporary)
          if let interruptSlot { InterruptedWrites.unregister(interruptSlot) }
          throw FileWriteError(path: path, reason: "cannot keep its permissions (\(String(cString: strerror(code))))")
        }
      }
    }
    capacity = bufferSize
    storage = .allocate(capacity: bufferSize + slack)
  }

  deinit {
    storage.deallocate()
    if descriptor >= 0 { close(descriptor) }
    if !committed, let temporaryPath { unlink(temporaryPath) }
    if let interruptSlot { InterruptedWrites.unregister(interruptSlot) }
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
          pendingError
          ?? FileWriteError(path: path, reason: "a single cell of \(bytes.count) bytes is too large to write")
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
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { throw FileWriteError(path: path, errno: written == 0 ? EIO : errno) }
      offset += written
    }
    count = 0
  }

  /// Flushes and closes, and for a regular file renames the temporary file over the destination.
  public func commit() throws(FileWriteError) {
    try prepare()
    try publish()
  }

  /// Flushes the buffer and closes the file (a regular file's bytes reach the disk first, so a crash after the
  /// rename cannot leave an empty file); nothing is visible at the destination yet.
  func prepare() throws(FileWriteError) {
    guard !prepared else { return }
    if let pendingError { throw pendingError }
    try flush()
    if temporaryPath != nil {
      var status: Int32
      repeat { status = fsync(descriptor) } while status != 0 && errno == EINTR
      guard status == 0 || errno == EINVAL else { throw FileWriteError(path: path, errno: errno) }
    }
    let closed = close(descriptor)
    descriptor = -1
    guard closed == 0 || errno == EINTR else { throw FileWriteError(path: path, errno: errno) }
    prepared = true
  }

  /// Renames a prepared temporary file over its destination (nothing to do when writing in place).
  func publish() throws(FileWriteError) {
    precondition(prepared, "publish() before prepare()")
    guard !committed else { return }
    if let temporaryPath, case .regular(let target, _) = destination {
      guard rename(temporaryPath, target) == 0 else { throw FileWriteError(path: path, errno: errno) }
    }
    committed = true
    if let interruptSlot { InterruptedWrites.unregister(interruptSlot) }
    interruptSlot = nil
  }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
    return Glibc.write(descriptor, bytes, count)
  #else
    return Darwin.write(descriptor, bytes, count)
  #endif
}
