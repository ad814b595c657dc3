import Testing

@testable import StrataReport

/// Numbers right-aligned and words left, decided by each column's content (never its position), the same way
/// in the HTML, the Markdown and the terminal tables.
@Suite("Table column alignment")
struct TableAlignmentTests {
  /// The header cells of a rendered HTML table, with whether each is right-aligned (class `num`).
  static func headerAlignment(_ html: String) -> [(String, Bool)] {
    html.components(separatedBy: "<th").dropFirst().compactMap { part in
      guard part.contains("scope=\"col\"") else { return nil }
      let text = part.split(separator: ">", maxSplits: 1)[1].split(separator: "<")[0]
      return (String(text), part.hasPrefix(" class=\"num\""))
    }
  }

  @Test("a look log: its last z column is right-aligned, the decision column is not")
  func lookLog() {
    let table = ReportTables.Table(
      header: ["look", "time (UTC)", "units", "information", "decision", "z a", "z b"],
      rows: [
        ["1", "2026-11-22T00:00:00Z", "12,000", "40%", "continue", "1.20", "0.85"],
        ["2", "2026-11-29T00:00:00Z", "24,000", "80%", "stop for efficacy", "3.10", "—"],
      ], classes: ["", ""])
    let aligned = Self.headerAlignment(HTML.table(table, numericFrom: 2))
    #expect(aligned.map(\.0) == table.header)
    #expect(aligned.map(\.1) == [false, false, true, true, false, true, true])
    let html = HTML.table(table, numericFrom: 2)
    #expect(html.contains("<td class=\"num\" data-label=\"z b\">0.85</td>"))
    #expect(html.contains("<td data-label=\"decision\">stop for efficacy</td>"))
    let markdown = MarkdownReport.table(table).split(separator: "\n")[1]
    #expect(markdown == "| --- | --- | ---: | ---: | --- | ---: | ---: |")
  }

  @Test("numbers as the reports write them; words, or words mixed with numbers, are text")
  func cells() {
    for number in [
      "0.031", "+2.1 pp", "[−0.5, +2.1]", "12,345 / 12,001", "> 99%", "< 0.01%", "±2.414", "4.6e-05",
      "+35.1% [+9.2%, +61.0%]", "+1.2 pp [−7.2, +9.6]", "1.183 [1.118, 1.252]", "78%",
    ] {
      #expect(ReportTables.isNumericCell(number), "\(number)")
    }
    for text in ["95% CI", "2 (REML)", "yes (Q = 4.46, df = 1, p = 0.035)", "z", "welch", "—", "n/a", "e", "-"] {
      #expect(!ReportTables.isNumericCell(text), "\(text)")
    }
    #expect(ReportTables.isNumericColumn(["0.836", "not in family", "—"]))
    #expect(!ReportTables.isNumericColumn(["z", "welch"]))
    #expect(!ReportTables.isNumericColumn(["2 (REML)", "3"]))
    #expect(!ReportTables.isNumericColumn(["—", "n/a"]))
  }

  @Test("terminal: a table with one label column right-aligns its numbers, and a test's name is text")
  func terminal() {
    // The pooled table's shape: the variant, then numbers, then words, then a number again. By position (two label
    // columns left, the rest right) "+2.7 pp" was left-aligned under its header and "yes (…)" right-aligned.
    let table = ReportTables.Table(
      header: ["Variant", "Pooled lift (MH risk difference)", "p", "Segments differ?", "Test", "I²"],
      rows: [
        ["free_delivery", "+2.7 pp", "6.8e-09", "yes (Q = 17.72, df = 7, p = 0.013)", "z", "60%"],
        ["loyalty_points", "−0.4 pp", "0.41", "no (Q = 3.10, df = 7, p = 0.875)", "welch", "0%"],
      ], classes: ["", ""])
    let lines = AnalysisText.table(table).split(separator: "\n").map(String.init)
    #expect(
      lines == [
        "Variant         Pooled lift (MH risk difference)        p  Segments differ?                    Test    I²",
        "free_delivery                            +2.7 pp  6.8e-09  yes (Q = 17.72, df = 7, p = 0.013)  z      60%",
        "loyalty_points                           −0.4 pp     0.41  no (Q = 3.10, df = 7, p = 0.875)    welch   0%",
      ])
  }
}
