// Only the C library here: `stdout` is a C global, and Swift 6 accepts it only through a `@preconcurrency`
// import, which does not take effect in a file that also imports Foundation (it brings the same names in).
#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  @preconcurrency import Darwin
#endif

/// Failed writes to standard output: remembered, so a command whose output could not be written ends with an
/// error (exit 1) instead of exiting 0 as if the output had been delivered.
///
/// `print` goes through the C library's buffered `stdout`, which marks the stream on a failed write
/// (`ferror`) and keeps no bytes; ``printChunk(_:)`` writes the descriptor itself and notes its own failure.
/// A closed pipe is not among these: it raises SIGPIPE, which ends the process as usual (status 141).
enum StandardOutput {
  /// The `errno` of the first failed write; only the main thread writes standard output.
  nonisolated(unsafe) private static var firstFailure: Int32?

  /// Notes a failed write of ``printChunk(_:)`` (the first one is kept).
  static func noteFailure(_ code: Int32) {
    if firstFailure == nil { firstFailure = code }
  }

  /// Flushes what `print` has buffered and returns why writing standard output failed, if it ever did.
  static func flushAndCheck() -> Int32? {
    if fflush(stdout) != 0 { noteFailure(errno) }
    if ferror(stdout) != 0 { noteFailure(EIO) }
    return firstFailure
  }

  /// The one sentence for a failed write of standard output (no "strata: error: " prefix).
  static func failureSentence(_ code: Int32) -> String {
    "could not write standard output: \(String(cString: strerror(code)))"
  }
}
