import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The whole of a file, read with `read(2)` (so a device or FIFO such as `/dev/null` or `<(...)` reads like a
/// file), or why it cannot be read, for the caller to put in one sentence naming the file.
package enum FileBytes {
  /// Why a file could not be read.
  package enum Failure: Error, Equatable, Sendable {
    /// Nothing at the path (`ENOENT`).
    case missing
    /// The path names a directory.
    case directory
    /// More than `limit` bytes: a device such as `/dev/zero` named by mistake, or not the kind of file asked for.
    case tooLarge(limit: Int)
    /// Any other failure of `open(2)` or `read(2)`, as the system words it ("Permission denied").
    case system(String)

    /// The reason as the end of a sentence that starts with the path: "is a directory", "cannot be read
    /// (Permission denied)".
    package var reason: String {
      switch self {
      case .missing: "no such file"
      case .directory: "is a directory"
      case .tooLarge(let limit): "is larger than \(limit >> 20) MB"
      case .system(let text): "cannot be read (\(text))"
      }
    }
  }

  /// The bytes of the file at `path`, at most `limit` of them.
  package static func read(_ path: String, limit: Int = Int.max) throws(Failure) -> [UInt8] {
    var descriptor: Int32
    repeat { descriptor = open(path, O_RDONLY | O_CLOEXEC) } while descriptor < 0 && errno == EINTR
    guard descriptor >= 0 else {
      let code = errno
      throw code == ENOENT ? .missing : code == EISDIR ? .directory : .system(String(cString: strerror(code)))
    }
    defer { close(descriptor) }
    var info = stat()
    if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { throw .directory }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
      if count == 0 { break }
      if count < 0 {
        let code = errno
        if code == EINTR { continue }
        throw code == EISDIR ? .directory : .system(String(cString: strerror(code)))
      }
      bytes += chunk[..<count]
      if bytes.count > limit { throw .tooLarge(limit: limit) }
    }
    return bytes
  }

  /// `bytes` without a leading UTF-8 byte-order mark (`EF BB BF`, which some editors and spreadsheet programs write
  /// first), as `String(contentsOfFile:encoding: .utf8)` read text: the first name in a CSV header stays the name.
  package static func withoutByteOrderMark(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
    bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
  }
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  #if canImport(Glibc)
    return Glibc.read(descriptor, buffer, count)
  #else
    return Darwin.read(descriptor, buffer, count)
  #endif
}
