import Foundation
import StrataAnalysis

/// Writes the reports of one analysis as a set.
///
/// `DIR/<experiment-id>.html`, `.md` and `-results.csv`: every temporary file is written before any is
/// renamed into place, so a failure leaves the old set whole (`AtomicFile`). A destination that is one of
/// the data files is refused before anything is written. `segments` (by default `ReportSegments(analysis)`) is the
/// one ranking of the segments both reports show: made once, where each report made its own (about 80 M
/// instructions a ranking at 20,000 segments).
public enum ReportWriter {
  @discardableResult
  public static func write(
    _ analysis: Analysis, to directory: URL, segments: ReportSegments? = nil
  ) throws(FileWriteError) -> [URL] {
    let html = directory.appendingPathComponent("\(analysis.plan.id).html")
    let markdown = directory.appendingPathComponent("\(analysis.plan.id).md")
    let csv = directory.appendingPathComponent("\(analysis.plan.id)-results.csv")
    let inputs = Set(analysis.data.files.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath() })
    for url in [html, markdown, csv] where inputs.contains(url.standardizedFileURL.resolvingSymlinksInPath()) {
      throw FileWriteError(
        path: url.path, reason: "it is a data file of this analysis; choose another --report directory")
    }
    let shown = segments ?? ReportSegments(analysis)
    try AtomicFile.write([
      (Data(HTMLReport.render(analysis, segments: shown).utf8), html),
      (Data(MarkdownReport.render(analysis, segments: shown).utf8), markdown),
      (Data(ResultsCSV.render(analysis).utf8), csv),
    ])
    return [html, markdown, csv]
  }
}
