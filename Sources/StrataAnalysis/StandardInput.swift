#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `-` as an input path means standard input, as for every Unix tool (`cat data.csv | strata analyze --data -`).
///
/// The path stays `-` wherever a path is kept (`DataSummary.file`, the JSON's `data.file`), so it is the argument as
/// given; a file named `-` is `./-`. Messages name it `<stdin>` (`DataError`). A pipe on standard input is read once,
/// front to back (through a temporary copy when the duplicate check needs one, `InputSpool`); a regular file the shell
/// redirected to it, unread so far, is read in place as that file and standard input left at its end.
public enum StandardInput {
  /// The path that means standard input.
  public static let path = "-"
  /// How messages name it.
  public static let name = "<stdin>"

  /// Whether `path` means standard input.
  @inline(__always)
  public static func isStandardInput(_ path: String) -> Bool { path == Self.path }

  /// `path` as messages name it.
  public static func displayName(_ path: String) -> String { isStandardInput(path) ? name : path }

  /// A descriptor to read `path` from (a duplicate of standard input for `-`, so closing it leaves standard input
  /// open), or -1 with `errno` set.
  static func openForReading(_ path: String) -> Int32 {
    isStandardInput(path) ? dup(STDIN_FILENO) : open(path, O_RDONLY)
  }

  /// Whether `path` names a regular file (never standard input), the files that are cut into chunks or read twice.
  static func isRegularFile(_ path: String) -> Bool {
    !isStandardInput(path) && fileType(path) == S_IFREG
  }

  /// Whether `path` can be read only once, front to back.
  ///
  /// True for `-` and for a path that exists and is not a regular file (a pipe, a FIFO, a device such as
  /// `/dev/stdin` from a pipe); false for a path that does not exist, which reading it will name.
  public static func isReadOnce(_ path: String) -> Bool {
    isStandardInput(path) || fileType(path).map { $0 != S_IFREG } ?? false
  }

  /// The file type bits of what `path` leads to (links followed), nil when it cannot be looked up.
  private static func fileType(_ path: String) -> mode_t? {
    var info = stat()
    return stat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
  }
}
