import Foundation
import StrataAnalysis
import StrataStats

extension HTMLReport {
  /// The "Sequential monitoring" section: decision, boundary chart, boundary table and look log.
  static func sequentialSection(_ analysis: Analysis) -> String {
    guard let s = analysis.look.sequential else { return "" }
    var out = "<section class=\"sequential\"><h2>Sequential monitoring</h2>"
    out +=
      s.unplanned
      ? "<div class=\"banner srm-bad\" role=\"alert\"><strong>Unplanned look.</strong> \(HTML.escape(s.reason))</div>"
      : "<p class=\"sequential-reason\">\(HTML.escape(s.reason))</p>"
    out += "<p class=\"note\">\(HTML.escape(s.lookNote))</p>"
    out += HTML.table(ReportTables.sequentialDecisions(s, plan: analysis.plan), numericFrom: 2)
    out += "<figure>\(phoneLegend(BoundaryChart.legendEntries(s)))"
    out += "\(BoundaryChart.svg(s, alternative: analysis.plan.alternative))<figcaption>"
    out += HTML.escape(ReportTables.boundaryChartCaption(s))
    out += "</figcaption></figure>"
    if let lift = LiftChart.svg(s, binomial: DecisionText.binomial(analysis)) {
      let legend = phoneLegend(LiftChart.legendEntries(s, binomial: DecisionText.binomial(analysis)))
      out += "<h3>Cumulative lift by look</h3><figure>\(legend)\(lift)<figcaption>"
      out += HTML.escape(
        ReportTables.liftChartCaption(s, plan: analysis.plan) + " Filled dots: the interval excludes 0.")
      out += "</figcaption></figure>"
    }
    if !s.boundaries.isEmpty {
      out += "<h3>Boundaries</h3>" + HTML.table(ReportTables.boundaries(s, plan: analysis.plan), numericFrom: 1)
    }
    // The looks, then one row per comparison with its z at each look (`lookLogTables`), on screen and in print:
    // one z column per comparison made the log of a 14-comparison plan 1,981 px wide at 1,280 px (in the
    // 1,040 px text column, scrolling sideways) and wider than an A4 page; a plan has a few looks and may have
    // many comparisons.
    out +=
      "<h3>Look log</h3><div class=\"look-log\">"
      + ReportTables.lookLogTables(s).enumerated().map { index, table in
        HTML.table(table, numericFrom: index == 0 ? 2 : 1)
      }.joined() + "</div>"
    return out + "</section>"
  }

  /// A chart's legend as HTML, shown on phones only, above the chart.
  ///
  /// There the chart scrolls sideways and its own legend, at its right edge, is off-screen. Hidden from
  /// screen readers (the chart's description says the same).
  static func phoneLegend(_ entries: [(colour: String, text: String)]) -> String {
    "<ul class=\"chart-legend phone-only\" aria-hidden=\"true\">"
      + entries.map {
        "<li><span class=\"swatch\" style=\"border-color:\($0.colour)\"></span>\(HTML.escape($0.text))</li>"
      }.joined() + "</ul>"
  }
}
