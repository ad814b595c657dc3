import Foundation
import StrataAnalysis

extension Analyze {
  /// Runs the sequential guard: sequential plans always keep a look log (unless `--no-look-log`); fixed
  /// designs only when `--look-log` is given or the log already exists (then a second look is unplanned).
  /// The log is read and appended under `LookLogLock` (an exclusive `flock` on `<log>.lock`).
  func guardLooks(_ analysis: inout Analysis, plan: AnalysisPlan) throws {
    let url = lookLog.map { URL(fileURLWithPath: $0) } ?? LookLog.defaultURL(forData: data)
    var sequentialGuard = SequentialGuard(plan: plan, look: look)
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
}
