import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where an output path really leads, decided before a byte is written.
///
/// - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` (directly or through symlinks) are the
///   process's own descriptor: written in place, so `--output /dev/stdout >> log` appends as the shell asked.
/// - Anything else that exists and is not a regular file (a device such as `/dev/null`, a FIFO a downstream
///   tool reads) is opened and written in place: renaming a file over it would replace the device or pipe.
/// - A regular file, or a path that does not exist yet, is replaced atomically: bytes go to a temporary file
///   beside the symlinks' final target, which is then renamed over that target (the symlink itself stays).
public enum OutputDestination: Sendable, Hashable {
  /// Write to a duplicate of this descriptor of the current process.
  case descriptor(Int32)
  /// Open this path for writing and stream in place (a device, FIFO or other special file).
  case special(path: String)
  /// Write a temporary file and rename it over `path` (symlinks resolved); `existing` is the file being replaced.
  case regular(path: String, existing: ExistingFile?)

  /// The owner and permission bits of a regular file about to be replaced: the replacement keeps them.
  public struct ExistingFile: Sendable, Hashable {
    public var mode: mode_t
    public var owner: uid_t
    public var group: gid_t
  }

  /// How `path` is to be written; throws `FileWriteError` naming `path` when it cannot be (a directory, a
  /// symlink loop, an unreadable parent).
  public static func resolve(_ path: String) throws(FileWriteError) -> OutputDestination {
    guard !path.isEmpty else { throw FileWriteError(path: path, reason: "the output path is empty") }
    var current = absolute(path)
    for _ in 0..<40 {
      if let descriptor = descriptorNumber(current) { return .descriptor(descriptor) }
      var info = stat()
      guard lstat(current, &info) == 0 else {
        let code = errno
        if code == ENOTDIR, let file = firstNonDirectory(above: current) {
          throw FileWriteError(path: path, reason: "\(file) is not a directory")
        }
        guard code == ENOENT else { throw FileWriteError(path: path, errno: code) }
        return .regular(path: current, existing: nil)
      }
      switch info.st_mode & S_IFMT {
      case S_IFLNK:
        guard let target = readLink(current) else { throw FileWriteError(path: path, errno: errno) }
        current =
          target.hasPrefix("/")
          ? target
          : (URL(fileURLWithPath: current).deletingLastPathComponent().path as NSString)
            .appendingPathComponent(target)
      case S_IFREG:
        return .regular(
          path: current,
          existing: ExistingFile(mode: info.st_mode & 0o7777, owner: info.st_uid, group: info.st_gid))
      case S_IFDIR:
        throw FileWriteError(path: path, reason: "it is a directory, not a file")
      default:
        return .special(path: current)
      }
    }
    throw FileWriteError(path: path, errno: ELOOP)
  }

  /// Whether writing `output` would overwrite the regular file `input`.
  ///
  /// Compares device and inode, so `./m.csv` and `m.csv`, hard links and symlinks all count. Devices and pipes
  /// never count: writing to them destroys nothing. An `input` of `-` is standard input (what it was redirected from).
  public static func isSameFile(_ output: String, as input: String) -> Bool {
    var outputInfo = stat()
    var inputInfo = stat()
    let inputFound =
      StandardInput.isStandardInput(input) ? fstat(STDIN_FILENO, &inputInfo) == 0 : stat(input, &inputInfo) == 0
    guard stat(output, &outputInfo) == 0, inputFound else { return false }
    return outputInfo.st_mode & S_IFMT == S_IFREG && outputInfo.st_dev == inputInfo.st_dev
      && outputInfo.st_ino == inputInfo.st_ino
  }

  /// The nearest ancestor of `path` that exists but is not a directory.
  static func firstNonDirectory(above path: String) -> String? {
    var current = (path as NSString).deletingLastPathComponent
    var found: String?
    while current.count > 1 {
      var info = stat()
      if stat(current, &info) == 0 && info.st_mode & S_IFMT != S_IFDIR { found = current }
      current = (current as NSString).deletingLastPathComponent
    }
    return found
  }

  /// The descriptor a path names when it is one of this process's standard streams or `fd` entries.
  static func descriptorNumber(_ path: String) -> Int32? {
    switch path {
    case "/dev/stdout": return 1
    case "/dev/stderr": return 2
    default: break
    }
    for prefix in ["/dev/fd/", "/proc/self/fd/", "/proc/\(getpid())/fd/"] where path.hasPrefix(prefix) {
      let rest = path.dropFirst(prefix.count)
      if !rest.isEmpty, rest.count < 10, rest.allSatisfy(\.isASCIIDigitCharacter), let number = Int32(rest) {
        return number
      }
    }
    return nil
  }

  /// `path` made absolute against the working directory, with `.` and `..` segments left to the kernel.
  static func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
  }

  private static func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink(path, &buffer, Int(PATH_MAX))
    guard count > 0 else { return nil }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

extension Character {
  fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
