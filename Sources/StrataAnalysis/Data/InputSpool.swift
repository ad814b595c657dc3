#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A pipe's bytes copied into a temporary file as they arrive, so that the pipe can be read again as a regular file.
///
/// A regular file's duplicate check is deferred (`UnitHashSet+Log.swift`): each row's 64-bit id hash goes to a log,
/// repeats are looked for once the whole file has been read, and then the file's chunks are read again. A
/// pipe cannot be read again, so it checked each row against one table of every unit as it arrived: about 3× the
/// file's CPU at 10 M rows and 10.7–21.3 bytes per unit (docs/performance.md, "Through a pipe"). When the duplicate
/// check is on, `DataReader` copies a pipe, FIFO or socket into a file made in `$TMPDIR` (default /tmp) with `mkstemp` and removed at once, before any data is written:
/// nothing is left behind, even when the process is killed. The header is copied first and looked at; then the rows
/// are read as they arrive, in a file's chunks on every thread with the deferred check, each chunk's bytes written on
/// to the copy past the page cache (`PipeChunks`, `ChunkedUnitReader.readStream`), and the copy is read as a regular
/// file only when a second read is needed (repeated units, a chunk that did not end cleanly), so the results are the
/// file's byte for byte. With Lin's regression, which reads the data twice, the whole pipe is copied first (through
/// the page cache) and read twice as a file. The copy's blocks are on the disk, not in the process's memory; they are
/// freed when the read ends.
///
/// Standard input redirected from a regular file (`< FILE`, read from its start) is not copied: it is read in place,
/// as that file, with or without the check. Without the check a pipe of unit-level data is read as it arrives in the
/// same chunks with no copy (`Plan.arriving`).
///
/// The copy is made only for unit-level data whose header names the unit column: the data up to the first line end
/// is copied first and its header looked at. Otherwise (aggregated data, no unit column, a header the reader will
/// refuse), or when the temporary file cannot be made or written (no such directory, no permission, a full disk),
/// the input is read as before, row by row with the duplicate table in memory: the bytes already copied first
/// (`ReadPrefix`), then the rest of the pipe. When the temporary file is the reason, a note on standard error says so
/// (`FileNotices`).
final class InputSpool: @unchecked Sendable {
  /// The input as given (`-`, a FIFO's path): what results and messages name.
  let name: String
  /// The temporary file, open for reading and writing, its name already removed.
  let descriptor: Int32
  /// A path that opens the temporary file afresh (`/proc/self/fd/N`), for the readers, which open paths.
  let path: String
  /// The directory it was made in, for notes.
  let directory: String
  /// Bytes copied into it.
  private(set) var bytes = 0

  /// Bytes read from the input before each write (a pipe hands over at most its buffer, 64 kB, per read).
  static let blockSize = 1 << 20
  /// How far the first line end is looked for before giving up on the copy (the scanner's buffer is 4 MiB).
  static let headerLimit = 8 << 20

  /// Where the temporary file goes: `$TMPDIR`, or /tmp when it is unset or empty.
  static var temporaryDirectory: String {
    if let value = getenv("TMPDIR"), value.pointee != 0 { return String(cString: value) }
    return "/tmp"
  }

  /// Makes an empty temporary file in `directory` and removes its name; throws the reason when it cannot.
  ///
  /// `descriptors` is the directory whose entries reopen this process's descriptors (`/proc/self/fd`; tests name
  /// one that does not exist): the readers open the copy there.
  init(name: String, directory: String, descriptors: String = InputSpool.defaultDescriptorDirectory)
    throws(SpoolFailure)
  {
    if let problem = Self.descriptorDirectoryProblem(descriptors) {
      throw SpoolFailure.noDescriptorPaths(descriptors, problem)
    }
    var template = Array("\(directory)/strata-spool-XXXXXX".utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkstemp($0) } ?? -1 }
    guard descriptor >= 0 else { throw SpoolFailure.errno(errno) }
    let created = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard unlink(created) == 0 else {
      let reason = errno
      _ = close(descriptor)
      _ = unlink(created)
      throw SpoolFailure.errno(reason)
    }
    let path = "\(descriptors)/\(descriptor)"
    let check = open(path, O_RDONLY)
    guard check >= 0 else {
      let reason = errno
      _ = close(descriptor)
      throw SpoolFailure.noDescriptorPaths(descriptors, reason)
    }
    _ = close(check)
    self.name = name
    self.descriptor = descriptor
    self.path = path
    self.directory = directory
  }

  deinit { _ = close(descriptor) }

  /// Where this process's descriptors can be opened afresh by path.
  static let defaultDescriptorDirectory = "/proc/self/fd"

  /// Why `directory` cannot open descriptors by path (an `errno` code), or nil when it is a directory; looked at
  /// before any temporary file is made.
  static func descriptorDirectoryProblem(_ directory: String) -> Int32? {
    var info = stat()
    guard stat(directory, &info) == 0 else { return errno }
    return info.st_mode & S_IFMT == S_IFDIR ? nil : ENOTDIR
  }

  /// Appends `count` bytes, through `descriptor` when given (the copy opened with `O_DIRECT`, `PipeChunks`); on
  /// failure, how many were written and why.
  func append(_ bytes: UnsafePointer<UInt8>, count: Int, through other: Int32? = nil) -> (written: Int, reason: Int32)?
  {
    var done = 0
    while done < count {
      let written = pwrite(other ?? descriptor, bytes + done, count - done, off_t(self.bytes))
      if written < 0 {
        if errno == EINTR { continue }
        return (done, errno)
      }
      if written == 0 { return (done, ENOSPC) }
      done += written
      self.bytes += written
    }
    return nil
  }

  /// Why the temporary file could not be made or read back.
  enum SpoolFailure: Error, Equatable {
    /// Making or unlinking it failed (`mkstemp`, `unlink`): the directory's fault.
    case errno(Int32)
    /// The descriptor directory (`/proc/self/fd`) is missing or does not reopen the file: no directory would do.
    case noDescriptorPaths(String, Int32)

    /// The note for `name`'s copy in `directory` (standard error, `FileNotices`).
    func note(name: String, directory: String) -> String {
      let inMemory = "duplicate units are checked in memory as the rows arrive (about 11–21 bytes per unit)"
      switch self {
      case .errno(let code):
        return
          "\(StandardInput.displayName(name)): no temporary copy could be made in \(directory) (\(String(cString: strerror(code)))), so \(inMemory); set TMPDIR to a writable directory with room for the data"
      case .noDescriptorPaths(let descriptors, let code):
        return
          "\(StandardInput.displayName(name)): \(descriptors) is not available (\(String(cString: strerror(code)))), so no temporary copy is made and \(inMemory)"
      }
    }
  }

  /// How `DataReader` reads one input.
  enum Plan {
    /// As given (a regular file, a device, or the duplicate check is off).
    case direct
    /// The copy, at `spool.path`, as a regular file.
    case spooled(InputSpool)
    /// Row by row, `prefix`'s bytes first (the copy stopped or was never made).
    case sequential(ReadPrefix)
    /// Standard input redirected from a regular file, read from `path` (`/proc/self/fd/0`) as that file.
    case inPlace(String)
    /// The copy holds the header (and maybe more): the rest is read from `source` as it arrives, in chunks, each
    /// copied on (`PipeChunks`); the data rows start at `dataStart`; `ended` when `source` has given its last byte.
    case streamed(InputSpool, source: Int32, dataStart: Int, ended: Bool)
    /// Without the duplicate check, unit-level data: read as it arrives, in chunks, with no copy (`PipeChunks`).
    case arriving(Arrival)
  }

  /// A pipe read as it arrives without a copy (`Plan.arriving`): what was read of it for its header.
  struct Arrival {
    /// The input, opened (owned: the reader closes it).
    let source: Int32
    /// Its bytes read so far, from its first: the header's, and maybe rows.
    let bytes: [UInt8]
    let header: [String]
    /// Where the data rows start, and the line they start on.
    let dataStart: Int
    let dataLine: Int
    /// Whether `source` has given its last byte.
    let ended: Bool
  }

  /// A path that opens standard input afresh when it is a regular file read from its start (`--data - < FILE`).
  ///
  /// Then it is read as the file, with no copy. Standard input is then left at its end, as a read to
  /// the end would leave it. Nil for anything else (a pipe, a file read partly before, no `/proc`).
  private static func standardInputFile() -> String? {
    var info = stat()
    guard fstat(STDIN_FILENO, &info) == 0, info.st_mode & S_IFMT == S_IFREG, lseek(STDIN_FILENO, 0, SEEK_CUR) == 0
    else { return nil }
    let path = "/proc/self/fd/\(STDIN_FILENO)"
    let check = open(path, O_RDONLY)
    guard check >= 0 else { return nil }
    var opened = stat()
    let same = fstat(check, &opened) == 0 && opened.st_ino == info.st_ino && opened.st_dev == info.st_dev
    _ = close(check)
    guard same else { return nil }
    _ = lseek(STDIN_FILENO, 0, SEEK_END)
    return path
  }

  /// Decides how to read `name` and, for a pipe with unit-level data and the duplicate check, copies its header (and,
  /// for Lin's regression, all of it).
  ///
  /// `progress` hears the bytes copied so far (the size is unknown: 0).
  static func plan(
    for name: String, plan: AnalysisPlan, options: DataReadOptions, progress: ((Int) -> Void)? = nil
  ) throws -> Plan {
    if StandardInput.isStandardInput(name), let path = standardInputFile() { return .inPlace(path) }
    guard StandardInput.isReadOnce(name) else { return .direct }
    // Look before opening: a FIFO opened and closed unread would cut its writer off.
    var info = stat()
    let looked = StandardInput.isStandardInput(name) ? fstat(STDIN_FILENO, &info) : stat(name, &info)
    let kind = looked == 0 ? info.st_mode & S_IFMT : 0
    guard kind == S_IFIFO || kind == S_IFSOCK || kind == S_IFREG else { return .direct }  // not an endless device
    let source = StandardInput.openForReading(name)
    guard source >= 0 else { return .direct }  // the reader names the error
    guard options.checkDuplicates else {
      do {
        return try arriving(source, name: name, plan: plan, options: options)
      } catch {
        _ = close(source)  // a read error: nothing owns the input any more
        throw error
      }
    }
    let directory = options.spoolDirectory ?? temporaryDirectory
    // A write past the file-size limit (`ulimit -f`) raises SIGXFSZ, which would end the process with nothing said;
    // ignored while the copy is made, the write fails with EFBIG instead and the copy stops with the note.
    let previousHandler = signal(SIGXFSZ, SIG_IGN)
    defer { _ = signal(SIGXFSZ, previousHandler) }
    let spool: InputSpool
    do {
      spool = try InputSpool(name: name, directory: directory, descriptors: options.descriptorDirectory)
    } catch {
      FileNotices.post(error.note(name: name, directory: directory))
      return .sequential(ReadPrefix(source: source))
    }
    do {
      return try copy(source, into: spool, plan: plan, options: options, progress: progress)
    } catch {
      _ = close(source)  // a read error: nothing owns the input any more
      throw error
    }
  }

  /// Copies the header, looks at it, and copies the rest when the check will run (`plan(for:plan:options:progress:)`);
  /// the plan returned owns `source`, except after a read error (thrown).
  private static func copy(
    _ source: Int32, into spool: InputSpool, plan: AnalysisPlan, options: DataReadOptions,
    progress: ((Int) -> Void)?
  ) throws(DataError) -> Plan {
    let name = spool.name
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: blockSize)
    defer { buffer.deallocate() }
    // The header first: copied up to its line end, then looked at.
    var sawLineEnd = false
    var ended = false
    while !sawLineEnd && !ended && spool.bytes < headerLimit {
      let count = try readSome(source, into: buffer, count: blockSize, name: name)
      ended = count == 0
      sawLineEnd = memchr(buffer, Int32(UInt8(ascii: "\n")), count) != nil
      if let failure = spool.append(buffer, count: count) {
        return stop(spool, source: source, leftover: (buffer, failure.written, count), reason: failure.reason)
      }
      progress?(spool.bytes)
    }
    guard let dataStart = checksDuplicates(path: spool.path, plan: plan, options: options) else {
      return .sequential(ReadPrefix(source: source, spool: spool))
    }
    // Read as it arrives, unless Lin's regression reads the data twice (then the whole copy is made first, the data is
    // read from it twice as a file's, `DataReader.read(paths:plan:options:)`) or the header's line end was not in the
    // bytes copied (a quoted line end in a header cut short).
    let readsTwice = plan.metrics.contains { $0.regression != nil } && !options.keepsRegressionRows
    if !readsTwice && dataStart <= spool.bytes {
      return .streamed(spool, source: source, dataStart: dataStart, ended: ended)
    }
    while !ended {
      let count = try fill(source, buffer, name: name)
      ended = count < blockSize
      if let failure = spool.append(buffer, count: count) {
        return stop(spool, source: source, leftover: (buffer, failure.written, count), reason: failure.reason)
      }
      progress?(spool.bytes)
    }
    _ = close(source)
    return .spooled(spool)
  }

  /// Without the duplicate check, no copy: the header is read into memory and looked at; unit-level data is then read
  /// as it arrives in chunks (`Plan.arriving`), anything else (aggregated data, a header the reader will refuse or
  /// whose line end is not in the first 8 MiB) row by row after the bytes read (`Plan.sequential`).
  private static func arriving(_ source: Int32, name: String, plan: AnalysisPlan, options: DataReadOptions)
    throws(DataError) -> Plan
  {
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: blockSize)
    defer { buffer.deallocate() }
    var bytes: [UInt8] = []
    var sawLineEnd = false
    var ended = false
    while !sawLineEnd && !ended && bytes.count < headerLimit {
      let count = try readSome(source, into: buffer, count: blockSize, name: name)
      ended = count == 0
      sawLineEnd = memchr(buffer, Int32(UInt8(ascii: "\n")), count) != nil
      bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: count))
    }
    guard let header = unitLevelHeader(bytes, name: name, plan: plan, options: options) else {
      return .sequential(ReadPrefix(source: source, leftover: bytes))
    }
    return .arriving(
      Arrival(
        source: source, bytes: bytes, header: header.names, dataStart: header.dataStart, dataLine: header.dataLine,
        ended: ended))
  }

  /// The header at the start of `bytes` when it is unit-level data the reader takes and ends with a line end in them:
  /// its names, where the rows start and their first line; nil otherwise.
  static func unitLevelHeader(_ bytes: [UInt8], name: String, plan: AnalysisPlan, options: DataReadOptions)
    -> (names: [String], dataStart: Int, dataLine: Int)?
  {
    // As a file's scan: a UTF-8 byte order mark at the start is skipped.
    let from = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    let count = bytes.count - from
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: count + CSVScanner.loadMargin)
    defer { scratch.deallocate() }
    scratch.initialize(repeating: 0, count: count + CSVScanner.loadMargin)
    bytes.withUnsafeBufferPointer { if let base = $0.baseAddress { scratch.update(from: base + from, count: count) } }
    var scanner = CSVScanner(inPlace: scratch, range: from..<bytes.count, path: name)
    defer { scanner.close() }
    guard let names = try? ChunkedUnitReader.header(&scanner, path: name), !names.isEmpty,
      scanner.lastRecordEndedLine, !AggregatedRows.recognizes(header: names, plan: plan),
      (try? UnitLevelRows(header: names, plan: plan, path: name, options: options)) != nil
    else { return nil }
    return (names, scanner.nextOffset, scanner.nextLine)
  }

  /// The copy stopped at a write error: the input goes on row by row, from the copy's bytes, those of the block not
  /// written, and the rest of the pipe; a note says why.
  private static func stop(
    _ spool: InputSpool, source: Int32, leftover: (UnsafeMutablePointer<UInt8>, from: Int, to: Int), reason: Int32
  ) -> Plan {
    postStopped(spool, reason: reason)
    let rest = Array(UnsafeBufferPointer(start: leftover.0 + leftover.from, count: leftover.to - leftover.from))
    return .sequential(ReadPrefix(source: source, spool: spool, leftover: rest))
  }

  /// The note for a copy stopped by a failed write (`errno` `reason`), after which the pipe is read row by row.
  static func postStopped(_ spool: InputSpool, reason: Int32) {
    FileNotices.post(
      "\(StandardInput.displayName(spool.name)): the temporary copy in \(spool.directory) stopped after \(spool.bytes) bytes (\(String(cString: strerror(reason)))), so duplicate units are checked in memory as the rows arrive (about 11–21 bytes per unit); set TMPDIR to a directory with room for the data"
    )
  }

  /// Where the data rows start when the copy's header is unit-level data with the unit column, so the duplicate check
  /// will run; nil otherwise. (Past the bytes copied when the header's record did not end with a line end in them.)
  private static func checksDuplicates(path: String, plan: AnalysisPlan, options: DataReadOptions) -> Int? {
    guard var scanner = try? CSVScanner(path: path) else { return nil }
    defer { scanner.close() }
    var header: [String] = []
    try? scanner.forEachRecord { record in
      header = (0..<record.fieldCount).map { record.string($0).trimmingSpaces }
      return false
    }
    guard !header.isEmpty, !AggregatedRows.recognizes(header: header, plan: plan) else { return nil }
    guard (try? UnitLevelRows(header: header, plan: plan, path: path, options: options))?.checksDuplicates == true
    else { return nil }
    return scanner.lastRecordEndedLine ? scanner.nextOffset : Int.max
  }

  /// One read (what the pipe holds now, at least a byte unless it ended).
  private static func readSome(_ source: Int32, into buffer: UnsafeMutablePointer<UInt8>, count: Int, name: String)
    throws(DataError) -> Int
  {
    while true {
      let got = read(source, buffer, count)
      if got >= 0 { return got }
      if errno == EINTR { continue }
      throw DataError(file: name, line: nil, message: "cannot be read (\(String(cString: strerror(errno))))")
    }
  }

  /// Reads until the buffer is full or the input ends; the bytes read.
  private static func fill(_ source: Int32, _ buffer: UnsafeMutablePointer<UInt8>, name: String) throws(DataError)
    -> Int
  {
    var filled = 0
    while filled < blockSize {
      let got = try readSome(source, into: buffer + filled, count: blockSize - filled, name: name)
      if got == 0 { break }
      filled += got
    }
    return filled
  }
}

/// What a sequential read of a pipe reads before the pipe's own bytes.
///
/// Those are the bytes a stopped copy already took from it (`InputSpool`): the copy's, then those of the block that
/// could not be written. Owns the pipe's descriptor (the scanner reads a duplicate of it).
final class ReadPrefix: @unchecked Sendable {
  /// The input, opened (the scanner reads a `dup` of it).
  let source: Int32
  /// The stopped copy, until its bytes have been read (then emptied and let go, so a full disk is freed at once).
  private var spool: InputSpool?
  private var offset = 0
  private let leftover: [UInt8]
  private var leftoverOffset = 0

  init(source: Int32, spool: InputSpool? = nil, leftover: [UInt8] = []) {
    self.source = source
    self.spool = spool
    self.leftover = leftover
  }

  deinit { _ = close(source) }

  /// Reads at most `count` of the prefix's bytes; nil once it has none left (then the input is read).
  ///
  /// Once the copy's bytes have all been read, the copy is truncated to nothing and closed (when nothing else holds
  /// it): a copy stopped by a full disk would otherwise keep the disk full while the rest of the pipe is read.
  func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Int? {
    if let spool {
      if offset < spool.bytes {
        let got = pread(spool.descriptor, buffer, min(count, spool.bytes - offset), off_t(offset))
        if got > 0 {
          offset += got
          return got
        }
        if got < 0 { return -1 }
      }
      // All read (or the copy shrank, which it cannot): free it and go on with the rest.
      _ = ftruncate(spool.descriptor, 0)
      self.spool = nil
    }
    if leftoverOffset < leftover.count {
      let take = min(count, leftover.count - leftoverOffset)
      leftover.withUnsafeBufferPointer { bytes in
        if let base = bytes.baseAddress { buffer.update(from: base + leftoverOffset, count: take) }
      }
      leftoverOffset += take
      return take
    }
    return nil
  }
}
