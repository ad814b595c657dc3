import Foundation
import StrataAnalysis

extension Analyze {
  /// The look log this run reads and writes: `--look-log`, else `<data>.looks.jsonl` (the first file), else
  /// (`--database`) `<experiment>.looks.jsonl`.
  ///
  /// Standard input first (`--data -`) has no default: see ``hasDefaultLookLog``.
  var lookLogURL: URL {
    lookLog.map { URL(fileURLWithPath: $0) } ?? LookLog.defaultURL(forData: data.first ?? experiment)
  }

  /// Whether the look log may be the default one: not when the first data file is standard input or any other
  /// file that is not a regular one (a pipe as `/dev/stdin`, a FIFO, `/dev/fd/N`), which has no place to keep a log
  /// next to, nor when it is named by a system path (``isSystemPath(_:)``).
  var hasDefaultLookLog: Bool {
    guard lookLog == nil else { return true }
    let first = data.first ?? experiment
    return !StandardInput.isReadOnce(first) && !Self.isSystemPath(first)
  }

  /// Whether `path` names a system file that has no default look log next to it.
  ///
  /// That is, as named (`..` taken out): under `/proc`, `/dev/fd` or `/dev/std*` (`/dev/stdin`, `/dev/fd/0`,
  /// `/proc/self/fd/0`), or under `/dev` and not a regular file by its own name (`lstat`: a link is not followed).
  /// Even when it leads to a regular file (`--data /dev/stdin < data.csv`), the default log would be named after it,
  /// in a directory of the system (`/dev/stdin.looks.jsonl`), not next to that file. A regular file under `/dev`
  /// (`/dev/shm/data.csv`, on a tmpfs) keeps its default log next to it.
  static func isSystemPath(_ path: String) -> Bool {
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    var parts: [Substring] = []
    for part in absolute.split(separator: "/") where part != "." {
      if part == ".." { _ = parts.popLast() } else { parts.append(part) }
    }
    guard parts.count > 1 else { return false }
    if parts[0] == "proc" { return true }
    guard parts[0] == "dev" else { return false }
    if parts[1] == "fd" || parts[1].hasPrefix("std") { return true }
    var info = stat()
    return lstat("/" + parts.joined(separator: "/"), &info) != 0 || info.st_mode & S_IFMT != S_IFREG
  }

  /// Checks `--look` against the plan (its looks + a margin) and that the look log is not the data or the
  /// definition, before the data is read.
  func checkLookOptions(plan: AnalysisPlan) throws {
    let maximum = SequentialGuard.maximumLook(plan)
    if let look, look > maximum {
      throw InvalidInput(
        "--look must be at most \(maximum) for this plan (its \(plan.looks) looks + \(SequentialGuard.unplannedLookMargin) unplanned), got \(look)"
      )
    }
    guard !noLookLog else { return }
    if !hasDefaultLookLog && SequentialGuard(plan: plan).isSequential {
      let first = data.first ?? experiment
      let what =
        StandardInput.isStandardInput(first)
        ? "- (standard input)"
        : StandardInput.isReadOnce(first) ? "\(first) (not a regular file)" : "\(first) (a path under /dev or /proc)"
      throw InvalidInput(
        "--data \(what) with a sequential plan needs --look-log FILE to record the look in, or --no-look-log")
    }
    for (flag, path) in data.map({ ("--data", $0) }) + [("--experiment", experiment)]
    where OutputDestination.isSameFile(lookLogURL.path, as: path) {
      throw InvalidInput(
        "the look log \(lookLogURL.path) is the same file as \(flag) \(path); choose another --look-log")
    }
  }

  /// Runs the sequential guard.
  ///
  /// Sequential plans always keep a look log (unless `--no-look-log`); fixed designs only when `--look-log` is
  /// given or the log already exists (then a second look is unplanned). The log is read and written under its exclusive lock (`LookStore.withExclusiveAccess`). Returns what was
  /// recorded (nil when no guard ran).
  func guardLooks(_ analysis: inout Analysis, plan: AnalysisPlan) throws -> LookOutcome? {
    let url = lookLogURL
    var sequentialGuard = SequentialGuard(plan: plan, look: look, now: try Self.lookTime())
    let keepLog =
      !noLookLog && hasDefaultLookLog
      && (sequentialGuard.isSequential || lookLog != nil || FileManager.default.fileExists(atPath: url.path))
    guard keepLog || sequentialGuard.isSequential || look != nil else { return nil }
    guard keepLog else { return try sequentialGuard.apply(to: &analysis) }
    // Read, decide the look number and write under one exclusive lock: concurrent runs on the same data
    // would otherwise both take look N + 1 and one of the two lines would be lost.
    let store = try LookLog(url: url, maximumLook: SequentialGuard.maximumLook(plan))
    return try store.withExclusiveAccess {
      sequentialGuard.log = store
      return try sequentialGuard.apply(to: &analysis)
    }
  }

  /// Says which look was recorded and how to replace or undo it (stdout for people, stderr with `--json`), and
  /// prints the look's warnings on stderr.
  func reportLook(_ outcome: LookOutcome, plan: AnalysisPlan) {
    for warning in outcome.warnings { printError("strata: warning: \(warning)") }
    let lines = Self.lookLines(outcome, plannedLooks: plan.looks)
    guard !lines.isEmpty else { return }
    if json {
      printError(lines.map { "strata: \($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: "\n"))
    } else {
      print(lines.joined(separator: "\n"))
    }
  }

  /// What the look log kept although the output was lost (nil when the run wrote nothing to it).
  static func lookKeptNote(_ outcome: LookOutcome, plan: AnalysisPlan) -> String? {
    guard let location = outcome.location else { return nil }
    let look = outcome.look
    let horizon = plan.looks > 1 ? " of \(plan.looks)" : ""
    switch outcome.action {
    case .recorded:
      return "look \(look)\(horizon) was recorded in \(location) all the same "
        + "(undo: strata looks drop --look-log \(shellQuoted(location)) --look \(look))"
    case .replaced:
      return "look \(look)\(horizon) was replaced in \(location) all the same (the earlier record is kept as history)"
    case .reused, .notRecorded:
      return nil
    }
  }

  /// The lines of ``reportLook(_:plan:)``.
  static func lookLines(_ outcome: LookOutcome, plannedLooks: Int) -> [String] {
    guard let location = outcome.location else { return [] }
    let log = shellQuoted(location)
    let look = outcome.look
    let horizon = plannedLooks > 1 ? " of \(plannedLooks)" : ""
    switch outcome.action {
    case .recorded:
      return [
        "Recorded look \(look)\(horizon) in \(location).",
        "  Corrected data for this same look? Re-run with --look \(look) to replace it instead of adding look \(look + 1).",
        "  Recorded by mistake? Undo: strata looks drop --look-log \(log) --look \(look)",
      ]
    case .replaced:
      let when = outcome.earlier.map { " (recorded \($0.timestamp), kept in the file as history)" } ?? ""
      return [
        "Replaced look \(look)\(horizon) in \(location)\(when).",
        "  The looks: strata looks list --look-log \(log)",
      ]
    case .reused:
      let when = outcome.earlier.map { " at \($0.timestamp)" } ?? ""
      return ["Look \(look) with this data was already recorded\(when) in \(location); nothing was added."]
    case .notRecorded:
      return []
    }
  }

  /// `text` quoted for a POSIX shell when it holds anything but safe characters.
  static func shellQuoted(_ text: String) -> String {
    let safe = text.unicodeScalars.allSatisfy {
      $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "/._-+=:,@".unicodeScalars.contains($0))
    }
    return safe && !text.isEmpty ? text : "'" + text.replacing(ascii: "'", with: "'\\''") + "'"
  }

  /// The time a new look is recorded at: the clock, or `SOURCE_DATE_EPOCH` when it is set (whole seconds
  /// since 1970-01-01 UTC, the reproducible-builds convention), so regenerated reports are byte-identical.
  static func lookTime(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Date {
    guard let text = environment["SOURCE_DATE_EPOCH"] else { return Date() }
    guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let seconds = Int64(text),
      seconds <= 253_402_300_799  // 9999-12-31T23:59:59Z: the last time the look log's format can write
    else {
      throw InvalidInput(
        "SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC (for example 1790000000), got \"\(text)\"")
    }
    return Date(timeIntervalSince1970: TimeInterval(seconds))
  }
}
