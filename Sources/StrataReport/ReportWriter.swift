import Foundation
import StrataAnalysis

/// Writes `DIR/<experiment-id>.html` and `DIR/<experiment-id>.md` as one pair: both temporary files are
/// written before either is renamed into place, so a failure leaves the old pair whole (`AtomicFile`).
public enum ReportWriter {
  @discardableResult
  public static func write(_ analysis: Analysis, to directory: URL) throws(FileWriteError) -> [URL] {
    let html = directory.appendingPathComponent("\(analysis.plan.id).html")
    let markdown = directory.appendingPathComponent("\(analysis.plan.id).md")
    try AtomicFile.write([
      (Data(HTMLReport.render(analysis).utf8), html), (Data(MarkdownReport.render(analysis).utf8), markdown),
    ])
    return [html, markdown]
  }
}
