import Foundation
import StrataAnalysis

extension Analyze {
  /// Runs the sequential guard: sequential plans always keep a look log (unless `--no-look-log`); fixed
  /// designs only when `--look-log` is given or the log already exists (then a second look is unplanned).
  func guardLooks(_ analysis: inout Analysis, plan: AnalysisPlan) throws {
    let url = lookLog.map { URL(fileURLWithPath: $0) } ?? LookLog.defaultURL(forData: data)
    var sequentialGuard = SequentialGuard(plan: plan, look: look)
    let keepLog =
      !noLookLog && (sequentialGuard.isSequential || lookLog != nil || FileManager.default.fileExists(atPath: url.path))
    guard keepLog || sequentialGuard.isSequential || look != nil else { return }
    sequentialGuard.log = keepLog ? try LookLog(url: url) : nil
    try sequentialGuard.apply(to: &analysis)
  }
}
