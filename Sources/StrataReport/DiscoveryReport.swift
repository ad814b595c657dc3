import Foundation
import StrataAnalysis
import StrataDiscovery
import StrataStats

/// The report of `strata discover --report DIR`: how many segments and why, what each segment is like, and where
/// the frozen definition is; Markdown and a self-contained HTML page with the k-selection chart and a 2-D
/// projection scatter (inline SVG, no scripts).
public struct DiscoveryReport {
  public let result: DiscoveryResult
  public let projection: Projection?
  public let experimentID: String
  public let input: String
  public let definition: String
  public let sha256: String

  public init(
    result: DiscoveryResult, projection: Projection?, experimentID: String, input: String, definition: String,
    sha256: String
  ) {
    self.result = result
    self.projection = projection
    self.experimentID = experimentID
    self.input = input
    self.definition = definition
    self.sha256 = sha256
  }

  /// "k = 3 segments: the best silhouette among …", the report's one-line answer.
  var headline: String {
    let chosen = result.chosen
    let powered =
      result.options.minimumSegmentUnits.map {
        "whose smallest segment has the \(NumberText.count($0)) units the plan needs"
      }
      ?? "(segment sizes not checked against a plan)"
    return "\(chosen.clusterCount) segments: the best silhouette (\(String(format: "%.3f", chosen.silhouette))) "
      + "among the numbers of segments \(powered)."
  }

  var summary: String {
    "\(NumberText.count(result.audienceCount)) units in \(input): discovery half "
      + "\(NumberText.count(result.discoveryCount)) (\(NumberText.count(result.clusteredCount)) clustered), "
      + "confirmation half \(NumberText.count(result.confirmationCount)), split salt \"\(result.options.splitSalt)\"."
  }

  static let discoveredWarning =
    "These segments were discovered, not planned. Test them only on units the discovery did not read: the "
    + "confirmation half, or the next campaign (strata assign --stratified balances the variants within them)."

  /// The k table: one row per k tried.
  var candidateTable: ReportTables.Table {
    var rows: [[String]] = []
    var classes: [String] = []
    for c in result.candidates {
      var flags: [String] = []
      if c.clusterCount == result.chosen.clusterCount { flags.append("chosen") }
      if !c.powered { flags.append("too small to power") }
      rows.append([
        "\(c.clusterCount)", String(format: "%.4f", c.silhouette), String(format: "%.4f", c.daviesBouldin),
        NumberText.count(c.smallestSegment), c.sizes.map(NumberText.count).joined(separator: " / "),
        flags.joined(separator: ", "),
      ])
      classes.append(
        c.clusterCount == result.chosen.clusterCount ? "significant-up" : (c.powered ? "" : "underpowered"))
    }
    return ReportTables.Table(
      header: ["k", "Silhouette", "Davies–Bouldin", "Smallest segment", "Sizes", "Flags"], rows: rows,
      classes: classes, highlightColumn: 5)
  }

  /// The segments and their profiles.
  var segmentTable: ReportTables.Table {
    let rows = result.segments.map { segment in
      [
        segment.name, NumberText.count(segment.size),
        String(format: "%.0f%%", 100 * Double(segment.size) / Double(max(result.clusteredCount, 1))),
        SegmentProfile.phrases(segment, in: result).joined(separator: "; "),
      ]
    }
    return ReportTables.Table(
      header: ["Segment", "Units", "Share", "Profile against the average"], rows: rows,
      classes: rows.map { _ in "" })
  }

  var method: [String] {
    let options = result.options
    var lines = [
      "Method: \(result.methodName), k \(options.clusterCounts.lowerBound)..\(options.clusterCounts.upperBound), "
        + "n_init \(options.restarts), seed \(options.seed).",
      "Features: \(result.scales.map(\.name).joined(separator: ", "))"
        + (result.categoricalNames.isEmpty ? "" : "; categorical \(result.categoricalNames.joined(separator: ", "))")
        + "; scaling \(options.scaling == .standard ? "z-scores" : "median and interquartile range")"
        + "; missing values \(options.missing == .impute ? "at the feature's centre" : "left out").",
      "Silhouette over \(NumberText.count(result.silhouetteCount)) units; Davies–Bouldin over "
        + "\(NumberText.count(result.clusteredCount)).",
    ]
    if let gamma = result.gamma { lines.append("Categorical mismatch weight γ = \(String(format: "%.4g", gamma)).") }
    if let units = result.wardUnits, units < result.clusteredCount {
      lines.append(
        "Ward's tree on a seeded sample of \(NumberText.count(units)) units; the rest joined the nearest cluster mean.")
    }
    if let sentence = result.principalComponentsSentence { lines.append(sentence) }
    lines.append(result.ruleAgreementSentence)
    lines.append("Frozen definition: \(definition), SHA-256 \(sha256).")
    return lines
  }

  public func markdown() -> String {
    func row(_ cells: [String]) -> String {
      "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
    }
    func table(_ t: ReportTables.Table) -> [String] {
      [row(t.header), row(t.header.map { _ in "---" })] + t.rows.map(row)
    }
    var out = [
      "# Discovered segments: \(experimentID)", "", summary, "", "**\(headline)**", "", Self.discoveredWarning, "",
    ]
    out += ["## Choosing the number of segments", ""] + table(candidateTable) + [""]
    out += ["## The segments", ""] + table(segmentTable) + [""]
    out += ["## How they were found", ""] + method.map { "- " + $0 } + [""]
    return out.joined(separator: "\n")
  }

  public func html() -> String {
    var body = "<header><p class=\"kicker\">Segment discovery · <code>\(HTML.escape(experimentID))</code></p>"
    body += "<h1>Discovered segments</h1><p class=\"meta\">\(HTML.escape(summary))</p></header>"
    body +=
      "<section class=\"verdict\" aria-labelledby=\"decision\"><h2 id=\"decision\" class=\"verdict-label\">"
      + "Segments found</h2><p class=\"headline\">\(HTML.escape(headline))</p>"
      + "<ul><li>\(HTML.escape(Self.discoveredWarning))</li></ul></section>"
    body += "<section aria-labelledby=\"choosing\"><h2 id=\"choosing\">Choosing the number of segments</h2>"
    body += DiscoveryCharts.selection(result)
    body += HTML.table(candidateTable, numericFrom: 1, caption: "Every number of segments tried") + "</section>"
    body += "<section aria-labelledby=\"segments\"><h2 id=\"segments\">The segments</h2>"
    body += HTML.table(segmentTable, numericFrom: 1, caption: "Each segment against the audience average")
    if let projection { body += DiscoveryCharts.scatter(projection, segments: result.segments.map(\.name)) }
    body += "</section>"
    body += "<section aria-labelledby=\"method\"><h2 id=\"method\">How they were found</h2><ul>"
    for line in method { body += "<li>\(HTML.escape(line))</li>" }
    body += "</ul></section><footer>Generated by Strata (strata discover).</footer>"
    return """
      <!DOCTYPE html>
      <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
      <head>
      <meta charset="utf-8"/>
      <meta name="viewport" content="width=device-width, initial-scale=1"/>
      <title>\(HTML.escape(experimentID)): discovered segments</title>
      <style>\(HTMLStyle.css)</style>
      </head>
      <body><main>
      \(body)
      </main></body>
      </html>

      """
  }

  /// Writes `<id>-discovery.md` and `.html` into `directory` (created if needed); returns their URLs.
  public func write(to directory: URL) throws(FileWriteError) -> [URL] {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw FileWriteError(path: directory.path, reason: "cannot create the directory (\(error.localizedDescription))")
    }
    let markdownURL = directory.appendingPathComponent("\(experimentID)-discovery.md")
    let htmlURL = directory.appendingPathComponent("\(experimentID)-discovery.html")
    try AtomicFile.write([(Data(markdown().utf8), markdownURL), (Data(html().utf8), htmlURL)])
    return [markdownURL, htmlURL]
  }
}
