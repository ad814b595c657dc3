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
    out.append("**Look log**")
    out.append("")
    out.append(table(ReportTables.lookLog(s)))
    out.append("")
    return out
  }
}
