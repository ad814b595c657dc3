import Foundation
import StrataAnalysis
import StrataReport
import Testing

/// The look log as printed (issue 18: with 14 comparisons, one z column each, it was wider than an A4 page
/// and Chromium printed the whole page at 5.8 pt): the looks in one table, then one row per comparison with
/// its z at each look, the same numbers as the screen's log.
@Suite("Look log in print")
struct LookLogPrintTests {
  @Test func theComparisonsAreRowsWithTheScreensNumbers() throws {
    let analysis = try SequentialReportSnapshotTests.analysis()
    let s = try #require(analysis.look.sequential)
    let screen = ReportTables.lookLog(s)
    let printed = ReportTables.lookLogForPrint(s)
    #expect(printed.count == 2)
    let looks = printed[0]
    #expect(looks.header == Array(screen.header.prefix(5)))
    #expect(looks.rows == screen.rows.map { Array($0.prefix(5)) })
    let z = printed[1]
    #expect(z.header == ["z of comparison"] + s.log.map { "look \($0.look)" })
    #expect(z.rows.count == s.rows.count)
    #expect(s.rows.count == 2 && s.log.count == 2)
    for (index, row) in z.rows.enumerated() {
      // The comparison's name as the screen's column header has it, its z as the screen's column holds them.
      #expect("z " + row[0] == screen.header[5 + index])
      #expect(Array(row.dropFirst()) == screen.rows.map { $0[5 + index] })
    }
  }

  @Test func manyLooksAreSplitIntoTablesOfAtMostTheLimit() throws {
    let analysis = try SequentialReportSnapshotTests.analysis()
    let s = try #require(analysis.look.sequential)
    let printed = ReportTables.lookLogForPrint(s, looksPerTable: 1)
    #expect(printed.count == 1 + s.log.count)
    for (index, table) in printed.dropFirst().enumerated() {
      #expect(table.header == ["z of comparison", "look \(s.log[index].look)"])
    }
  }

  @Test func theHTMLPrintsTheRowsAndShowsTheColumnsOnScreen() throws {
    let html = HTMLReport.render(try SequentialReportSnapshotTests.analysis())
    let log = try #require(html.range(of: "<h3>Look log</h3>").map { html[$0.upperBound...] })
    #expect(log.hasPrefix("<div class=\"look-log screen-only\">"))
    let section = try #require(log.range(of: "</section>").map { log[..<$0.lowerBound] })
    let printed = try #require(
      section.range(of: "<div class=\"look-log print-only\">").map { section[$0.upperBound...] })
    #expect(section.components(separatedBy: "<table>").count - 1 == 3)
    #expect(printed.components(separatedBy: "<table>").count - 1 == 2)
    #expect(printed.contains("<th scope=\"col\">z of comparison</th>"))
  }
}
