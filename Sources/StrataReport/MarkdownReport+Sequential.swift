import StrataAnalysis
import StrataStats

extension MarkdownReport {
  /// The "Sequential monitoring" section: the decision, the boundary table and the look log.
  static func sequentialSection(_ analysis: Analysis) -> [String] {
    guard let s = analysis.look.sequential else { return [] }
    var out = ["## Sequential monitoring", ""]
    if s.unplanned {
      out.append("**Warning: unplanned look.** \(escape(s.reason))")
    } else {
      out.append(escape(s.reason))
    }
    out.append("")
    out.append(escape(s.lookNote))
    out.append("")
    out.append(table(ReportTables.sequentialDecisions(s, plan: analysis.plan)))
    out.append("")
    if !s.boundaries.isEmpty {
      out.append(
        "**Boundaries** (\(escape(s.spending ?? "")) spending, α = \(NumberText.compact(s.alphaPerComparison)) per comparison)"
      )
      out.append("")
      out.append(table(ReportTables.boundaries(s, plan: analysis.plan)))
      out.append("")
    }
    if !s.trajectories().allSatisfy(\.points.isEmpty) {
      out.append("**Cumulative lift by look**")
      out.append("")
      out.append(escape(ReportTables.liftChartCaption(s, plan: analysis.plan)))
      out.append("")
      out.append(table(ReportTables.liftByLook(s, plan: analysis.plan)))
      out.append("")
    }
    // The looks, then one row per comparison with its z at each look, as the HTML report has them
    // (`lookLogTables`): one z column per comparison made the factorial example as a 3-look plan (14
    // comparisons) a table with a 464-character header line, unreadable in a terminal or a Markdown viewer.
    out.append("**Look log**")
    out.append("")
    for logTable in ReportTables.lookLogTables(s) {
      out.append(table(logTable))
      out.append("")
    }
    return out
  }
}
