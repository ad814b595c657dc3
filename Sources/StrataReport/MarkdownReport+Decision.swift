import StrataAnalysis

extension MarkdownReport {
  /// The decision as a heading, the headline, at most three bullets, the next step, and the rest folded.
  static func decisionSection(_ analysis: Analysis) -> [String] {
    var out = ["## Decision: \(escape(DecisionText.label(analysis.decision)))", ""]
    out.append("**\(escape(DecisionText.headline(analysis)))**")
    out.append("")
    let bullets = DecisionText.bullets(analysis)
    for bullet in bullets { out.append("- \(escape(bullet))") }
    if !bullets.isEmpty { out.append("") }
    out.append("**Next step:** \(escape(DecisionText.nextStep(analysis)))")
    out.append("")
    out.append("**Scorecard**")
    out.append("")
    out.append(table(ReportTables.scorecard(analysis)))
    out.append("")
    let more = DecisionText.moreDetails(analysis)
    if !more.isEmpty {
      out.append("<details><summary>More about this decision</summary>")
      out.append("")
      for detail in more { out.append("- \(escape(detail))") }
      out.append("")
      out.append("</details>")
      out.append("")
    }
    return out
  }
}
