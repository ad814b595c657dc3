import StrataAnalysis
import StrataStats

extension ReportTables {
  /// The sentence above the segment-against-the-rest table.
  public static func segmentVsRestNote(_ analysis: Analysis, segments: ReportSegments) -> String {
    var note =
      "Does the treatment work differently in a segment than in all other segments together? Each row compares "
      + "the segment's effect with the rest's (Welch t over the four arms). With k segments there are k such "
      + "tests per metric and variant, so the Holm-adjusted p decides \"differs\" (at α = \(analysis.plan.alpha))."
    if segments.isPartial {
      note +=
        " Only the segments the other tables show are listed; every segment's contrast is in segment_vs_rest of "
        + "strata analyze --json."
    }
    return note
  }

  /// Each segment's effect against the rest's, per metric and treatment (the segments `segments` shows, in the
  /// plan's order); nil when no metric has a contrast (fewer than two segments).
  ///
  /// The difference and its standard error read like the metric's effects (percentage points for rates); the
  /// last column says whether the Holm-adjusted p is below α and which way.
  public static func segmentVsRest(_ analysis: Analysis, segments: ReportSegments? = nil) -> Table? {
    let plan = analysis.plan
    let shown = segments ?? .all(of: plan)
    let order = Dictionary(plan.segments.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    var rows: [[String]] = []
    var classes: [String] = []
    for metric in analysis.metrics where !metric.segmentContrasts.isEmpty {
      let binomial = metric.metric.kind == .binomial
      var treatments: [String] = []
      for c in metric.segmentContrasts where !treatments.contains(c.treatment) { treatments.append(c.treatment) }
      for treatment in treatments {
        let contrasts = metric.segmentContrasts
          .filter { $0.treatment == treatment && shown.contains($0.segment) }
          .sorted { (order[$0.segment] ?? .max) < (order[$1.segment] ?? .max) }
        for c in contrasts {
          let differs =
            c.adjustedPValue < plan.alpha
            ? (c.difference > 0 ? "yes: larger here" : "yes: smaller here") : "no"
          rows.append([
            metric.metric.name, c.treatment, c.segment, NumberText.effect(c.difference, binomial: binomial),
            binomial
              ? NumberText.number(c.standardError * 100, digits: 2) + " pp"
              : NumberText.level(c.standardError, binomial: false),
            NumberText.number(c.statistic, sign: true), NumberText.number(c.degreesOfFreedom, digits: 0),
            NumberText.pValue(c.pValue), NumberText.pValue(c.adjustedPValue), differs,
          ])
          classes.append("")
        }
      }
    }
    guard !rows.isEmpty else { return nil }
    let header = [
      "Metric", "Variant", "Segment", "Effect here − in the rest", "Standard error", "t", "df", "p",
      "Holm-adjusted p", "Differs?",
    ]
    return Table(header: header, rows: rows, classes: classes, highlightColumn: nil)
  }
}
