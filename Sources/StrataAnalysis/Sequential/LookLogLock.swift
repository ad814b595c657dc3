import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive advisory lock (`flock(2)`) on a look log, held around its read-modify-write.
///
/// Two `strata analyze` runs on the same data at once would otherwise both read look N, both decide
/// look N + 1 and both rewrite the file from what they read, so one look would be lost. The lock lives on
/// a sibling file `<log>.lock` (never renamed, unlike the log, which `AtomicFile` replaces on every
/// append), so every process locks the same inode. The lock file is left in place: deleting it while
/// another process waits on it would let a third process lock a new inode.
///
/// `flock` locks belong to the open file description, so two threads of one process that each call
/// `withLock` also exclude each other. Advisory: only cooperating writers (Strata) are excluded.
public enum LookLogLock {
  /// The lock file for a log: `<log>.lock` next to it.
  public static func lockURL(for log: URL) -> URL {
    log.deletingLastPathComponent().appendingPathComponent(log.lastPathComponent + ".lock")
  }

  /// Runs `body` while holding the exclusive lock of `log`, waiting for another holder to finish.
  ///
  /// Throws `DataError` naming the lock file when it cannot be created or locked.
  public static func withLock<Result>(_ log: URL, _ body: () throws -> Result) throws -> Result {
    let url = lockURL(for: log)
    try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw DataError(
        file: url.path, line: nil, message: "cannot open the look log's lock file: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    var status: Int32
    repeat { status = flock(descriptor, LOCK_EX) } while status != 0 && errno == EINTR
    guard status == 0 else {
      throw DataError(
        file: url.path, line: nil, message: "cannot lock the look log: \(String(cString: strerror(errno)))")
    }
    defer { _ = flock(descriptor, LOCK_UN) }
    return try body()
  }
}
