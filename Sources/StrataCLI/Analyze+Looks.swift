import Foundation
import StrataAnalysis

extension Analyze {
  /// Runs the sequential guard: sequential plans always keep a look log (unless `--no-look-log`); fixed
  /// designs only when `--look-log` is given or the log already exists (then a second look is unplanned).
  /// The log is read and appended under `LookLogLock` (an exclusive `flock` on `<log>.lock`).
  func guardLooks(_ analysis: inout Analysis, plan: AnalysisPlan) throws {
    let url = lookLog.map { URL(fileURLWithPath: $0) } ?? LookLog.defaultURL(forData: data[0])
    var sequentialGuard = SequentialGuard(plan: plan, look: look, now: try Self.lookTime())
    let keepLog =
      !noLookLog && (sequentialGuard.isSequential || lookLog != nil || FileManager.default.fileExists(atPath: url.path))
    guard keepLog || sequentialGuard.isSequential || look != nil else { return }
    guard keepLog else {
      try sequentialGuard.apply(to: &analysis)
      return
    }
    // Read, decide the look number and append under one exclusive lock: concurrent runs on the same data
    // would otherwise both take look N + 1 and one of the two lines would be lost.
    try LookLogLock.withLock(url) {
      sequentialGuard.log = try LookLog(url: url)
      try sequentialGuard.apply(to: &analysis)
    }
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
