import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An output file cannot be created, written or put in place: one sentence naming the file and the system's
/// reason (`cannot write reports/x.html: No space left on device`), never a Foundation error dump.
public struct FileWriteError: Error, CustomStringConvertible, Sendable, Hashable {
  public var message: String
  public var description: String { message }

  public init(message: String) { self.message = message }

  /// `cannot write PATH: REASON`.
  public init(path: String, reason: String) {
    message = "cannot write \(path): \(reason)"
  }

  /// `cannot write PATH: <strerror(code)>`.
  public init(path: String, errno code: Int32) {
    self.init(path: path, reason: String(cString: strerror(code)))
  }
}
