import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension AtomicFileWriter {
  /// Commits several files as one: every file is flushed and closed first, then all are renamed into place.
  ///
  /// A failure while writing any of them (a full disk, a file size limit) leaves every destination as it was.
  /// Should a rename fail after others succeeded, the ones already replaced get their old files back (kept as
  /// hard links `.NAME.PID.old` during the renames), so the set stays whole: all new or all old.
  public static func commit(_ writers: [AtomicFileWriter]) throws(FileWriteError) {
    for writer in writers { try writer.prepare() }
    var backups: [(writer: AtomicFileWriter, backup: String?)] = []
    defer { for case (_, let backup?) in backups { unlink(backup) } }
    for writer in writers {
      guard case .regular(let target, let existing) = writer.destination, existing != nil else {
        backups.append((writer, nil))
        continue
      }
      let (directory, name) = split(target)
      let backup = temporaryPath(directory: directory, name: name, suffix: "old")
      unlink(backup)
      backups.append((writer, link(target, backup) == 0 ? backup : nil))
    }
    for (index, writer) in writers.enumerated() {
      do {
        try writer.publish()
      } catch {
        for (done, backup) in backups[..<index] {
          guard case .regular(let target, _) = done.destination else { continue }
          if let backup { rename(backup, target) } else { unlink(target) }
        }
        throw error
      }
    }
  }

  /// `.NAME.PID.SUFFIX` in `directory`.
  static func temporaryPath(directory: String, name: String, suffix: String, pid: Int32 = getpid()) -> String {
    (directory as NSString).appendingPathComponent(".\(name).\(pid).\(suffix)")
  }

  /// The directory and the last component of an absolute path.
  static func split(_ path: String) -> (directory: String, name: String) {
    let url = URL(fileURLWithPath: path)
    return (url.deletingLastPathComponent().path, url.lastPathComponent)
  }

  /// Removes `.NAME.PID.tmp` and `.NAME.PID.old` files in `directory` whose process no longer runs.
  ///
  /// Such files are left by a run killed mid-write; each removal is announced through ``FileNotices``. Files of running
  /// processes (another Strata writing the same
  /// destination right now) are left alone.
  static func removeStaleTemporaries(in directory: String, name: String) {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    let prefix = ".\(name)."
    for entry in entries where entry.hasPrefix(prefix) {
      let rest = entry.dropFirst(prefix.count)
      guard let dot = rest.firstIndex(of: "."), ["tmp", "old"].contains(rest[rest.index(after: dot)...]) else {
        continue
      }
      let digits = rest[..<dot]
      guard !digits.isEmpty, digits.count < 11, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
        let pid = Int32(digits), pid > 0, pid != getpid()
      else { continue }
      guard kill(pid, 0) != 0 && errno == ESRCH else { continue }  // running (or not ours to signal): keep
      let stale = (directory as NSString).appendingPathComponent(entry)
      if unlink(stale) == 0 {
        FileNotices.post(
          "removed \(stale), a partial file left by an earlier run (process \(pid)) that stopped before finishing")
      }
    }
  }

  /// Creates `directory` and its missing parents (mode 0777 minus the umask); errors name `path`.
  static func makeDirectories(_ directory: String, for path: String) throws(FileWriteError) {
    var info = stat()
    if stat(directory, &info) == 0 {
      guard info.st_mode & S_IFMT == S_IFDIR else {
        throw FileWriteError(path: path, reason: "\(directory) is not a directory")
      }
      return
    }
    let parent = (directory as NSString).deletingLastPathComponent
    if parent != directory && !parent.isEmpty { try makeDirectories(parent, for: path) }
    guard mkdir(directory, 0o777) == 0 || errno == EEXIST else {
      throw FileWriteError(
        path: path, reason: "cannot create the directory \(directory) (\(String(cString: strerror(errno))))")
    }
  }

  /// `open(2)`, retried when a signal interrupts it (opening a FIFO waits for its reader).
  static func openRetrying(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    var descriptor: Int32
    repeat { descriptor = open(path, flags, mode) } while descriptor < 0 && errno == EINTR
    return descriptor
  }
}
