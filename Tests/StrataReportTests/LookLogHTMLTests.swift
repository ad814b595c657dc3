import Foundation
import StrataAnalysis
import StrataReport
import StrataStats
import Testing

/// The HTML look log, on screen and printed (issue 18: with 14 comparisons, one z column each, it was wider than
/// an A4 page and Chromium printed the whole page at 5.8 pt; on screen it was 1,981 px wide at 1,280 px and
/// scrolled sideways): the looks in one table, then one row per comparison with its z at each look, the same
/// numbers as the Markdown report's one-table log.
@Suite("Look log in HTML")
struct LookLogHTMLTests {
  @Test func theComparisonsAreRowsWithTheMarkdownNumbers() throws {
    let analysis = try SequentialReportSnapshotTests.analysis()
    let s = try #require(analysis.look.sequential)
    let markdown = ReportTables.lookLog(s)
    let tables = ReportTables.lookLogTables(s)
    #expect(tables.count == 2)
    let looks = tables[0]
    #expect(looks.header == Array(markdown.header.prefix(5)))
    #expect(looks.rows == markdown.rows.map { Array($0.prefix(5)) })
    let z = tables[1]
    #expect(z.header == ["z of comparison"] + s.log.map { "look \($0.look)" })
    #expect(z.rows.count == s.rows.count)
    #expect(s.rows.count == 2 && s.log.count == 2)
    for (index, row) in z.rows.enumerated() {
      // The comparison's name as the Markdown column header has it, its z as that column holds them.
      #expect("z " + row[0] == markdown.header[5 + index])
      #expect(Array(row.dropFirst()) == markdown.rows.map { $0[5 + index] })
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
    let log = ReportTables.lookLog(s)
    let z = log.rows.flatMap { $0.dropFirst(5) }
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
