import StrataAnalysis
import StrataStats

extension MarkdownReport {
  /// Each discovered segment's effect against the rest's (Welch), per metric and treatment.
  static func contrastSection(_ analysis: Analysis) -> [String] {
    let rows = analysis.metrics.flatMap { metric in metric.segmentContrasts.map { (metric.metric.name, $0) } }
    guard !rows.isEmpty else { return [] }
    var out = [
      "**Each segment against the rest** (Welch t on the difference of effects; a small p says the treatment works "
        + "differently in that segment)", "",
      "| Metric | Treatment | Segment | Effect here − effect in the rest | t | df | p |",
      "|---|---|---|---|---|---|---|",
    ]
    for (metric, c) in rows {
      out.append(
        "| \(escape(metric)) | \(escape(c.treatment)) | \(escape(c.segment)) | \(NumberText.number(c.difference, digits: 4, sign: true)) "
          + "| \(NumberText.number(c.statistic)) | \(NumberText.number(c.degreesOfFreedom, digits: 0)) "
          + "| \(NumberText.pValue(c.pValue)) |")
    }
    out.append("")
    return out
  }
}
