import Foundation
import Testing

@testable import StrataReport

/// A results table with a segment's name longer than `HTML.longRowName` characters: each name on a row of its own.
///
/// Each segment's name is above its variants' rows (`HTML.groupedTable`): the 91-character name took five lines of a
/// 195 px first column at 1,280 px, on each of its rows. Scripts/check-reports.sh renders the long-names snapshots
/// at every width it checks and in print.
@Suite("Grouped results tables")
struct GroupedTableTests {
  /// The first results table ("n (control / variant)" in its header) of a rendered report.
  static func resultsTable(_ html: String) throws -> Substring {
    let header = try #require(html.range(of: "n (control / variant)"))
    let start = try #require(
      html.range(of: "<div class=\"table-wrap", options: .backwards, range: html.startIndex..<header.lowerBound))
    let end = try #require(html.range(of: "</table></div>", range: header.upperBound..<html.endIndex))
    return html[start.lowerBound..<end.upperBound]
  }

  @Test func aLongSegmentNameGroupsTheResultsTable() throws {
    let table = try Self.resultsTable(HTMLReport.render(try LongNameReportTests.analysis()))
    #expect(
      table.hasPrefix("<div class=\"table-wrap\"><table class=\"grouped\"><thead><tr><th scope=\"col\">Variant</th>"))
    let groups = table.components(separatedBy: "<tbody>").dropFirst()
    #expect(groups.count == 3)
    let names = groups.map { group in
      group.components(separatedBy: "scope=\"rowgroup\" data-label=\"Segment\">").dropFirst().first.map {
        $0.components(separatedBy: "</th>")[0].replacingOccurrences(of: "<wbr/>", with: "")
      }
    }
    #expect(names == [LongNameReportTests.longWord, LongNameReportTests.longPhrase, "All segments"])
    // One header cell a column but the segment's: the name rows span the other 12.
    #expect(table.components(separatedBy: "scope=\"col\"").count - 1 == 12)
    #expect(groups.allSatisfy { $0.contains("<th colspan=\"12\" scope=\"rowgroup\"") })
    // Each variant's row is headed by the variant.
    for group in groups {
      let rows = group.components(separatedBy: "</tr>").dropFirst().filter { $0.hasPrefix("<tr") }
      #expect(rows.count == 1)
      #expect(rows.allSatisfy { $0.contains("><th scope=\"row\" data-label=\"Variant\">winback_offer</th><td") })
    }
    #expect(groups.last?.hasPrefix("<tr class=\"group overall\">") == true)
    #expect(groups.last?.contains("<tr class=\"overall significant-up continued\">") == true)
  }

  @Test func shortNamesKeepTheFlatTable() throws {
    let html = HTMLReport.render(try ReportSnapshotTests.analysis())
    #expect(!html.contains("class=\"grouped\""))
    #expect(try Self.resultsTable(html).contains("<th scope=\"col\">Segment</th>"))
  }

  @Test func groupsAreRunsOfTheFirstColumnAndLongerThanTheLimitGroups() {
    let name = String(repeating: "n", count: HTML.longRowName)
    let table = ReportTables.Table(
      header: ["Segment", "Variant", "p"],
      rows: [[name, "a", "0.1"], [name, "b", "0.2"], ["All segments", "a", "0.3"], ["All segments", "b", "0.4"]],
      classes: ["", "underpowered", "overall", "overall continued"])
    #expect(HTML.resultsTable(table) == HTML.table(table))
    var longer = table
    longer.rows[0][0] += "n"
    longer.rows[1][0] += "n"
    let grouped = HTML.resultsTable(longer)
    #expect(grouped == HTML.groupedTable(longer))
    #expect(grouped.components(separatedBy: "<tbody>").count - 1 == 2)
    #expect(grouped.contains("<tr class=\"group\"><th colspan=\"2\" scope=\"rowgroup\" data-label=\"Segment\">"))
    #expect(grouped.contains("<tr class=\"underpowered\"><th scope=\"row\" data-label=\"Variant\">b</th>"))
    #expect(
      grouped.contains(
        "<tr class=\"group overall\"><th colspan=\"2\" scope=\"rowgroup\" data-label=\"Segment\">All segments</th></tr><tr class=\"overall continued\"><th scope=\"row\" data-label=\"Variant\">a</th><td class=\"num\" data-label=\"p\">0.3</td></tr><tr class=\"overall continued\">"
      ))
    // A segment named "All segments" is not merged with the overall rows.
    var named = longer
    named.rows[0][0] = "All segments"
    named.rows[1][0] = "All segments"
    let apart = HTML.groupedTable(named)
    #expect(apart.components(separatedBy: "<tbody>").count - 1 == 2)
    #expect(
      apart.contains(
        "<tbody><tr class=\"group\"><th colspan=\"2\" scope=\"rowgroup\" data-label=\"Segment\">All segments"))
    // Up to 12 rows, name rows included, a table is kept on one page in print; more, it may break between groups.
    #expect(!grouped.contains("table-wrap long"))
    longer.rows = Array(repeating: longer.rows[0], count: 11) + [longer.rows[2]]
    longer.classes = Array(repeating: "", count: 11) + ["overall"]
    #expect(HTML.groupedTable(longer).hasPrefix("<div class=\"table-wrap long\">"))
  }
}
