import StrataAnalysis
import StrataStats

extension MarkdownReport {
  /// Each discovered segment's effect against the rest's (Welch, Holm-adjusted over the segments), per metric and
  /// treatment: the segments the other tables show (``ReportSegments``).
  static func contrastSection(_ analysis: Analysis, segments: ReportSegments) -> [String] {
    guard let table = ReportTables.segmentVsRest(analysis, segments: segments) else { return [] }
    return [
      "## Each segment against the rest", "", escape(ReportTables.segmentVsRestNote(analysis, segments: segments)), "",
      self.table(table), "",
    ]
  }
}
