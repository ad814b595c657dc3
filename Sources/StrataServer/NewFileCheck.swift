import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whether a file that does not exist yet can be made at a path, checked without writing anything: `serve`'s start-up
/// checks of the SQLite database and the audit key file, before anything is created.
enum NewFileCheck {
  /// Nil when the directory of `path` exists and this process may create files in it; else why not, naming the
  /// directory (`no such directory D`, `D is not a directory`, `no permission to create files in D`, `D is on a
  /// read-only file system`).
  ///
  /// Writability is `access(2)` with `W_OK | X_OK`: it needs no temporary file, and it answers for root too (root may
  /// create files in a directory whatever its mode, but not on a read-only file system, which `access` reports).
  static func problem(making path: String) -> String? {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
      return "no such directory \(directory)"
    }
    guard isDirectory.boolValue else { return "\(directory) is not a directory" }
    guard access(directory, W_OK | X_OK) != 0 else { return nil }
    switch errno {
    case EACCES, EPERM: return "no permission to create files in \(directory)"
    case EROFS: return "\(directory) is on a read-only file system"
    case let code: return "cannot create files in \(directory): \(String(cString: strerror(code)))"
    }
  }
}
