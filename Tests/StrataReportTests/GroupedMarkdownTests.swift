import Foundation
import Testing

@testable import StrataReport

/// Tables by segment with a segment's name over `HTML.longRowName` characters, in Markdown and in the partial
/// pooling: each name above its rows, as the HTML's results tables (`HTML.groupedTable`).
///
/// Inline in the Markdown, the 91-character name began each of its rows (317-character lines in the
/// long-variant-names results table); in the HTML partial-pooling table it wrapped in a narrow first column.
@Suite("Grouped tables in Markdown and partial pooling")
struct GroupedMarkdownTests {
  /// A grouped table as a reader sees it: its header (without the segment's) and, per segment, the name and the
  /// rows' cells as text.
  struct Grouped: Equatable, CustomStringConvertible {
    var header: [String]
    var groups: [Group]
    var description: String { "\(header) \(groups.map { "\($0.name): \($0.rows)" })" }
  }
  struct Group: Equatable {
    var name: String
    var rows: [[String]]
  }

  /// The text of HTML cell content: tags (`<wbr/>`) dropped, entities decoded.
  static func htmlText(_ html: Substring) -> String {
    var text = html.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
    for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
      text = text.replacingOccurrences(of: entity, with: character)
    }
    return text
  }

  /// The cells (`<th …>`/`<td …>` contents) of a row's HTML.
  static func htmlCells(_ row: Substring) throws -> [String] {
    let text = String(row)
    let cell = try NSRegularExpression(pattern: "<t[hd][^>]*>(.*?)</t[hd]>")
    return try cell.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
      htmlText(text[try #require(Range($0.range(at: 1), in: text))])
    }
  }

  /// Every `<table class="grouped">` of an HTML report, in order.
  static func htmlGroupedTables(_ html: String) throws -> [Grouped] {
    try html.components(separatedBy: "<table class=\"grouped\">").dropFirst().map { rest in
      let table = rest.components(separatedBy: "</table>")[0]
      let head = table.components(separatedBy: "</thead>")[0]
      let header = try htmlCells(Substring(head.components(separatedBy: "<tr>")[1].components(separatedBy: "</tr>")[0]))
      let groups = try table.components(separatedBy: "<tbody>").dropFirst().map { body -> Group in
        let rows = body.components(separatedBy: "</tr>").filter { $0.hasPrefix("<tr") }
        let name = try htmlCells(Substring(rows[0]))[0]
        return Group(name: name, rows: try rows.dropFirst().map { try htmlCells(Substring($0)) })
      }
      return Grouped(header: header, groups: groups)
    }
  }

  /// The text of a Markdown table cell or name: bold marks, backslash escapes and entities undone.
  static func markdownText(_ cell: String) -> String {
    var text = cell
    if text.hasPrefix("**") && text.hasSuffix("**") && text.count >= 4 { text = String(text.dropFirst(2).dropLast(2)) }
    var out = ""
    var escaped = false
    for character in text {
      if escaped || character != "\\" {
        out.append(character)
        escaped = false
      } else {
        escaped = true
      }
    }
    for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")] {
      out = out.replacingOccurrences(of: entity, with: character)
    }
    return out
  }

  /// A Markdown table line's cells, split at pipes that are not escaped.
  static func markdownCells(_ line: String) -> [String] {
    var cells: [String] = []
    var cell = ""
    var escaped = false
    for character in line.dropFirst(2).dropLast(2) {
      if character == "|" && !escaped {
        cells.append(cell.trimmingCharacters(in: .whitespaces))
        cell = ""
      } else {
        cell.append(character)
      }
      escaped = character == "\\" && !escaped
    }
    cells.append(cell.trimmingCharacters(in: .whitespaces))
    return cells.map(markdownText)
  }

  /// Every run of "Segment: **name**" lines, each followed by its table, of a Markdown report, in order.
  static func markdownGroupedTables(_ markdown: String) -> [Grouped] {
    let lines = markdown.components(separatedBy: "\n")
    var tables: [Grouped] = []
    var index = 0
    var continuing = false
    while index < lines.count {
      let line = lines[index]
      guard line.hasPrefix("Segment: **"), line.hasSuffix("**") else {
        if !line.isEmpty { continuing = false }
        index += 1
        continue
      }
      let name = markdownText(String(line.dropFirst("Segment: ".count)))
      index += 2  // the blank line after the name
      var table: [String] = []
      while index < lines.count, lines[index].hasPrefix("|") {
        table.append(lines[index])
        index += 1
      }
      let group = Group(name: name, rows: table.dropFirst(2).map(markdownCells))
      if continuing {
        tables[tables.count - 1].groups.append(group)
      } else {
        tables.append(Grouped(header: table.first.map(markdownCells) ?? [], groups: [group]))
      }
      continuing = true
    }
    return tables
  }

  /// The Markdown report's tables by segment are the HTML's grouped tables, cell for cell: the same names, the
  /// same rows in the same order, the same numbers (the results, Bayesian, adjusted and partial-pooling tables).
  @Test func theMarkdownHasTheHTMLsGroupedTables() throws {
    for analysis in [try LongNameReportTests.analysis(), try LongNameReportTests.variantAnalysis()] {
      let html = try Self.htmlGroupedTables(HTMLReport.render(analysis))
      let markdown = Self.markdownGroupedTables(MarkdownReport.render(analysis))
      #expect(html.count >= 3)
      #expect(markdown == html)
      #expect(html.contains { $0.header.contains("Chance to beat control") })
    }
  }

  /// The long-variant-names results table: the longest Markdown line of its section is a row with the variant's
  /// 84-character name, not one with the segment's 91-character name before it.
  @Test func aLongSegmentNameIsALineOfItsOwn() throws {
    let markdown = MarkdownReport.render(try LongNameReportTests.variantAnalysis())
    let escapedWord = MarkdownReport.escape(LongNameReportTests.longWord)
    let section = try #require(
      markdown.range(of: "## Primary metric").map { markdown[$0.lowerBound...] }?.components(separatedBy: "\n## ")[0])
    let lines = section.components(separatedBy: "\n")
    // The name is a line above each of its tables: results, Bayesian, partial pooling.
    #expect(lines.filter { $0 == "Segment: **\(escapedWord)**" }.count == 3)
    // No row of those tables starts with it; the post-stratified weights still name it (one row a variant).
    #expect(!lines.contains { $0.hasPrefix("| \(escapedWord)") })
    let results = try #require(lines.firstIndex { $0.hasPrefix("| Variant | n (control / variant) |") })
    let variant = MarkdownReport.escape(LongNameReportTests.longVariant)
    #expect(lines[results - 2] == "Segment: **\(escapedWord)**")
    #expect(lines[results + 2].hasPrefix("| \(variant) | 1,200 / 1,210 | 20.0% | 24.0% | +4.0 pp |"))
    // Its longest table line: 317 characters with the segment's name before the variant's, 209 without.
    let longest = lines.filter { $0.hasPrefix("| \(variant) | 1,") }.map(\.count).max() ?? 0
    #expect(longest == 209, "\(longest)")
  }

  /// The partial-pooling table lists each variant's segments together; grouped, a segment's rows are gathered
  /// from each variant's list, in the variants' order (as the forest plot lists them), and a left-out segment's
  /// row joins its segment.
  @Test func thePartialPoolingIsGroupedBySegment() throws {
    let long = String(repeating: "s", count: HTML.longRowName + 1)
    let table = ReportTables.Table(
      header: ["Segment", "Variant", "Raw"],
      rows: [[long, "a", "1"], ["short", "a", "2"], [long, "b", "3"], ["short", "b", "4"], ["third", "b", "n/a"]],
      classes: ["", "", "", "", ""])
    #expect(table.hasLongRowName)
    #expect(table.rowGroups.map(\.name) == [long, "short", "third"])
    #expect(table.rowGroups.map(\.rows) == [[0, 2], [1, 3], [4]])
    let html = HTML.resultsTable(table)
    #expect(html.components(separatedBy: "<tbody>").count - 1 == 3)
    #expect(
      html.contains(
        "<th scope=\"row\" data-label=\"Variant\">a</th><td class=\"num\" data-label=\"Raw\">1</td></tr><tr><th scope=\"row\" data-label=\"Variant\">b</th><td class=\"num\" data-label=\"Raw\">3</td></tr></tbody>"
      ))
    #expect(
      MarkdownReport.resultsTable(table)
        == "Segment: **\(long)**\n\n| Variant | Raw |\n| --- | ---: |\n| a | 1 |\n| b | 3 |\n\nSegment: **short**\n\n| Variant | Raw |\n| --- | ---: |\n| a | 2 |\n| b | 4 |\n\nSegment: **third**\n\n| Variant | Raw |\n| --- | ---: |\n| b | n/a |"
    )
    var short = table
    short.rows[0][0] = "long"
    short.rows[2][0] = "long"
    #expect(MarkdownReport.resultsTable(short) == MarkdownReport.table(short))
    #expect(HTML.resultsTable(short) == HTML.table(short))

    let report = HTMLReport.render(try LongNameReportTests.variantAnalysis())
    let pooling = try #require(
      try Self.htmlGroupedTables(report).first { $0.header.contains("Chance to beat control") })
    #expect(pooling.groups.map(\.name) == [LongNameReportTests.longWord, "regular"])
    #expect(pooling.groups.allSatisfy { $0.rows.map(\.[0]) == [LongNameReportTests.longVariant, "winback_offer"] })
  }

  /// Many rows by segment are folded together in one `<details>`, as a long flat table is.
  @Test func manyRowsFoldTheTablesTogether() {
    let long = String(repeating: "s", count: HTML.longRowName + 1)
    let rows = (0..<MarkdownReport.foldedRows + 1).map { ["\(long)\($0 / 2)", "v\($0 % 2)", "\($0)"] }
    let table = ReportTables.Table(
      header: ["Segment", "Variant", "p"], rows: rows, classes: rows.map { _ in "" })
    let text = MarkdownReport.resultsTable(table)
    #expect(text.hasPrefix("<details><summary>Tables of 17 rows, one a segment</summary>\n\nSegment: **\(long)0**\n\n"))
    #expect(text.components(separatedBy: "<details>").count == 2 && text.hasSuffix("| v0 | 16 |\n\n</details>"))
    #expect(!MarkdownReport.resultsTable(table, fold: false).contains("<details>"))
  }
}
