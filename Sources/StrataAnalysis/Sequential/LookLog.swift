import Foundation
import StrataDefinitions

/// The look log file of an experiment's data (`<data>.looks.jsonl` by default): one `LookRecord` per line,
/// oldest first, the ``LookStore`` of the command line.
///
/// Append-only: a new look adds a line; replacing the latest look adds a line with the same number, which
/// supersedes the earlier one (kept as history, ``history()``); only dropping a look removes its lines. Every
/// change rewrites the file through ``AtomicFile`` (a reader never sees half a line; earlier lines stay byte for
/// byte; a symlinked log is written through to its target). ``withExclusiveAccess(_:)`` holds
/// ``LookLogLock`` (an `flock` on `<log>.lock`), so concurrent runs cannot lose a look.
///
/// Lines are split on bytes (LF, with or without CR before it). A line that is not a look record, or whose
/// look number is below 1 or above ``maximumLook``, is a `DataError` naming the file and line.
public final class LookLog: LookStore {
  public let url: URL
  /// The highest look number accepted in the file (the plan's looks plus a margin, or ``absoluteMaximumLook``).
  public let maximumLook: Int

  /// No log, whatever the plan, holds more looks than this.
  public static let absoluteMaximumLook = 10_000

  public var location: String { url.path }

  /// Opens the log and reads it once, so that a broken log fails here; a missing file is an empty log.
  public init(url: URL, maximumLook: Int = LookLog.absoluteMaximumLook) throws {
    self.url = url
    self.maximumLook = min(max(1, maximumLook), Self.absoluteMaximumLook)
    _ = try lines()
  }

  /// The default log path for a data file: `<data>.looks.jsonl` next to it.
  public static func defaultURL(forData path: String) -> URL {
    URL(fileURLWithPath: path + ".looks.jsonl")
  }

  /// Every record in file order, superseded ones included.
  public func history() throws -> [LookRecord] { try lines().map(\.record) }

  public func list() throws -> [LookRecord] { Self.current(try history()) }

  public func append(_ record: LookRecord) throws {
    let existing = try lines()
    try checkAppend(record, after: Self.current(existing.map(\.record)))
    try write(existing.map(\.bytes) + [try Self.encode(record)])
  }

  public func replaceLatest(with record: LookRecord) throws {
    let existing = try lines()
    try checkReplacement(record, of: Self.current(existing.map(\.record)))
    try write(existing.map(\.bytes) + [try Self.encode(record)])
  }

  public func dropLatest() throws -> LookRecord? {
    let existing = try lines()
    guard let latest = Self.current(existing.map(\.record)).last else { return nil }
    try write(existing.filter { $0.record.look != latest.look }.map(\.bytes))
    return latest
  }

  public func withExclusiveAccess<Result>(_ body: () throws -> Result) throws -> Result {
    try LookLogLock.withLock(url, body)
  }

  /// The latest record of each look number, by look number.
  static func current(_ records: [LookRecord]) -> [LookRecord] {
    var latest: [Int: LookRecord] = [:]
    for record in records { latest[record.look] = record }
    return latest.keys.sorted().compactMap { latest[$0] }
  }

  /// One record per line: the line's bytes as stored (without its line end) and what they decode to.
  private func lines() throws -> [(bytes: [UInt8], record: LookRecord)] {
    let data: [UInt8]
    do {
      data = try FileBytes.read(url.path)
    } catch {
      switch error {
      case .missing: return []
      case .directory:
        throw DataError(
          file: url.path, line: nil,
          message: "is a directory, not a look log (a file of JSON lines, one per look, that strata analyze writes)")
      case .tooLarge, .system: throw DataError(file: url.path, line: nil, message: "the look log \(error.reason)")
      }
    }
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    var result: [(bytes: [UInt8], record: LookRecord)] = []
    for (index, rawLine) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
      let stored = Array(rawLine)  // kept byte for byte (a CR before the LF included) when the file is rewritten
      var line = stored
      if line.last == 0x0D { line.removeLast() }  // CRLF line ends (a log edited on Windows)
      guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
      let record: LookRecord
      do {
        record = try decoder.decode(LookRecord.self, from: Data(line))
      } catch {
        throw DataError(
          file: url.path, line: index + 1,
          message: "not a look record (expected one JSON object per line with look, fingerprint, comparisons, ...)")
      }
      if let problem = Self.problem(record, maximumLook: maximumLook) {
        throw DataError(file: url.path, line: index + 1, message: problem.message, hint: problem.hint)
      }
      result.append((stored, record))
    }
    return result
  }

  /// What makes a decoded record unusable, if anything, and what can be done about it.
  static func problem(_ record: LookRecord, maximumLook: Int) -> (message: String, hint: ErrorHint?)? {
    guard record.look >= 1 else { return ("look must be at least 1, got \(record.look)", nil) }
    guard record.look <= maximumLook else {
      return (
        "look \(record.look) is beyond the largest look this plan allows (\(maximumLook)); remove the line",
        .dropLooks
      )
    }
    guard record.rowsUsed >= 0, record.unitsPerVariant.values.allSatisfy({ $0 >= 0 }) else {
      return ("rows_used and units_per_variant must not be negative", nil)
    }
    return nil
  }

  private static func encode(_ record: LookRecord) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Written as strings, read back by the same strategy in `lines()`.
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return Array(try encoder.encode(record))
  }

  private func write(_ lines: [[UInt8]]) throws {
    var bytes: [UInt8] = []
    for line in lines {
      bytes += line
      bytes.append(0x0A)
    }
    try AtomicFile.write(Data(bytes), to: url)
  }
}
