import StrataAnalysis
import StrataStats

extension AnalysisText {
  /// The sequential section of the terminal output (empty for a fixed design's only look).
  static func sequentialLines(_ analysis: Analysis) -> [String] {
    guard let s = analysis.look.sequential else { return [] }
    var out = [""]
    let horizon = s.plannedLooks.map { " of \($0)" } ?? ""
    let information =
      s.informationFraction.map {
        ", least-informed comparison at \(NumberText.percent($0, digits: 0)) of its planned maximum"
      } ?? ""
    out.append(
      "Sequential look \(s.look)\(horizon) (\(s.method)\(s.spending.map { ", \($0) spending" } ?? "")\(information)): \(s.action.rawValue.replacingOccurrences(of: "_", with: " ").uppercased())"
    )
    if s.unplanned {
      out.append("!! UNPLANNED LOOK: naive p-values of \(s.rows.first?.metric ?? "the primary metric") are withheld.")
    }
    out.append("  \(s.reason)")
    out.append("  \(s.lookNote)\(s.logFile.map { " Look log: \($0)." } ?? "")")
    out.append(table(ReportTables.sequentialDecisions(s, plan: analysis.plan)))
    return out
  }
}
