import Foundation
import StrataAnalysis
import StrataStats
import Testing

@testable import StrataReport

/// The look log, in HTML on screen and printed and in Markdown (issue 18: with 14 comparisons, one z column each,
/// it was wider than an A4 page and Chromium printed the whole page at 5.8 pt; on screen it was 1,981 px wide at
/// 1,280 px and scrolled sideways; in Markdown its header line was 464 characters): the looks in one table, then
/// one row per comparison with its z at each look, the same tables in both reports.
@Suite("Look log in HTML and Markdown")
struct LookLogHTMLTests {
  @Test func theComparisonsAreRowsWithTheRecordedNumbers() throws {
    let analysis = try SequentialReportSnapshotTests.analysis()
    let s = try #require(analysis.look.sequential)
    let tables = ReportTables.lookLogTables(s)
    #expect(tables.count == 2)
    let looks = tables[0]
    #expect(looks.header == ["look", "time (UTC)", "units", "information", "decision"])
    #expect(looks.rows.map(\.[0]) == s.log.map { "\($0.look)" })
    #expect(looks.rows.map(\.[1]) == s.log.map(\.timestamp))
    let z = tables[1]
    #expect(z.header == ["z of comparison"] + s.log.map { "look \($0.look)" })
    #expect(s.rows.count == 2 && s.log.count == 2)
    #expect(z.rows.map(\.[0]) == s.rows.map { row in row.segment.map { "\(row.treatment) · \($0)" } ?? row.treatment })
    for (row, comparison) in zip(z.rows, s.rows) {
      for (cell, record) in zip(row.dropFirst(), s.log) {
        let logged = try #require(
          record.comparisons.first { $0.treatment == comparison.treatment && $0.segment == comparison.segment })
        let shown = try #require(Double(cell.replacingOccurrences(of: "−", with: "-")), "\(cell)")
        #expect(abs(shown - logged.z) <= 0.005, "\(cell) for \(logged.z)")
      }
    }
  }

  /// The Markdown report's look log is the same tables as the HTML's, in the same order; each table's width does
  /// not grow with the number of comparisons (the long-names plan: 4 comparisons named by 84- and 91-character
  /// identifiers).
  @Test func theMarkdownHasTheSameTables() throws {
    for analysis in [try SequentialReportSnapshotTests.analysis(), try LongNameReportTests.variantAnalysis()] {
      let s = try #require(analysis.look.sequential)
      let markdown = MarkdownReport.render(analysis)
      let log = try #require(markdown.range(of: "**Look log**\n\n").map { markdown[$0.upperBound...] })
      let section = log.range(of: "\n## ").map { log[..<$0.lowerBound] } ?? log
      let tables = ReportTables.lookLogTables(s)
      // The section ends where the next heading's line starts.
      #expect(String(section) + "\n" == tables.map { MarkdownReport.table($0) + "\n\n" }.joined())
      let headers: [String] = section.split(separator: "\n").map(String.init).filter {
        $0.hasPrefix("| look |") || $0.hasPrefix("| z of")
      }
      let looks: String = s.log.map { " look \($0.look) |" }.joined()
      #expect(headers == ["| look | time (UTC) | units | information | decision |", "| z of comparison |\(looks)"])
    }
  }

  @Test func manyLooksAreSplitIntoTablesOfAtMostTheLimit() throws {
    let analysis = try SequentialReportSnapshotTests.analysis()
    let s = try #require(analysis.look.sequential)
    let tables = ReportTables.lookLogTables(s, looksPerTable: 1)
    #expect(tables.count == 1 + s.log.count)
    for (index, table) in tables.dropFirst().enumerated() {
      #expect(table.header == ["z of comparison", "look \(s.log[index].look)"])
    }
  }

  @Test func theHTMLShowsAndPrintsTheRows() throws {
    let html = HTMLReport.render(try SequentialReportSnapshotTests.analysis())
    let log = try #require(html.range(of: "<h3>Look log</h3>").map { html[$0.upperBound...] })
    #expect(log.hasPrefix("<div class=\"look-log\">"))
    let section = try #require(log.range(of: "</section>").map { log[..<$0.lowerBound] })
    #expect(!section.contains("screen-only") && !section.contains("print-only"))
    #expect(section.components(separatedBy: "<table>").count - 1 == 2)
    #expect(section.contains("<th scope=\"col\">z of comparison</th>"))
  }

  /// A negative z in the look log, the decisions, the boundaries and the chart prints U+2212 as every other
  /// negative number of the report does (was ASCII "-2.33" beside "−0.4 pp"); the JSON keeps its numbers.
  @Test func negativeZPrintsTheReportsMinus() throws {
    let analysis = try SequentialReportSnapshotTests.analysis(swapArms: true)
    let s = try #require(analysis.look.sequential)
    #expect(s.log.allSatisfy { $0.comparisons.allSatisfy { $0.z < 0 } })
    let z = ReportTables.lookLogTables(s)[1].rows.flatMap { $0.dropFirst() }
    #expect(z.count == 4 && z.allSatisfy { $0.hasPrefix("−") && Double($0.dropFirst()) != nil }, "\(z)")
    let decisions = ReportTables.sequentialDecisions(s, plan: analysis.plan)
    #expect(decisions.rows.allSatisfy { $0[3].hasPrefix("−") }, "\(decisions.rows)")
    let boundaries = ReportTables.boundaries(s, plan: analysis.plan)
    #expect(boundaries.rows.prefix(2).allSatisfy { $0[5].hasPrefix("−") }, "\(boundaries.rows)")
    for rendering in [MarkdownReport.render(analysis), HTMLReport.render(analysis)] {
      let sequential = try #require(rendering.range(of: "Sequential monitoring").map { rendering[$0.lowerBound...] })
      let ascii = try NSRegularExpression(pattern: "(?<![0-9A-Za-z_.:-])-[0-9]")
      let text = String(sequential)
      let found = ascii.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
        String(text[Range($0.range, in: text)!.lowerBound...].prefix(20))
      }
      #expect(found.isEmpty, "\(found.prefix(5))")
    }
    #expect(NumberText.minus(-0.004) == "0.00" && NumberText.minus(-0.36) == "−0.36" && NumberText.minus(2) == "2.00")
  }
}
