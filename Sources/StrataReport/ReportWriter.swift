import Foundation
import StrataAnalysis

/// Writes `DIR/<experiment-id>.html` and `DIR/<experiment-id>.md`, each atomically (temp file + rename).
public enum ReportWriter {
  @discardableResult
  public static func write(_ analysis: Analysis, to directory: URL) throws -> [URL] {
    let html = directory.appendingPathComponent("\(analysis.plan.id).html")
    let markdown = directory.appendingPathComponent("\(analysis.plan.id).md")
    try AtomicFile.write(HTMLReport.render(analysis), to: html)
    try AtomicFile.write(MarkdownReport.render(analysis), to: markdown)
    return [html, markdown]
  }
}
