import Foundation
import StrataAnalysis
import StrataReport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Phone and tablet cards (tables up to 1,100 px, `HTMLStyle`) leave out a cell with nothing in it instead of
/// showing its column's label alone: on main the factorial example's cards at 390 px showed "Note" with no note
/// on 19 partial-pooling cards, "Flags" on 27 results cards and a variant's "χ²", "p" and "Holm p" in the sample
/// ratio table (Scripts/check_reports.py's EMPTY_CARD_VALUE_JS, in Chromium, checks what is drawn).
@Suite("Cards: an empty cell is left out, not shown as its label alone")
struct EmptyCardCellTests {
  /// The style sheet's rules for tables as cards (`@media screen and (max-width:1100px){...}`).
  static func cardRules() throws -> String {
    let css = ReportHTML.styleSheet
    let start = try #require(css.range(of: "@media screen and (max-width:1100px){\n"))
    let end = try #require(css.range(of: "\n}", range: start.upperBound..<css.endIndex))
    return String(css[start.upperBound..<end.lowerBound])
  }

  @Test("the cards' style hides an empty cell; a table of pairs, still a table, keeps its cells")
  func cardsHideEmptyCells() throws {
    let rules = try Self.cardRules().split(separator: "\n").map(String.init)
    #expect(rules.contains("tbody th:empty,tbody td:empty{display:none}"))
    // table.pairs stays a table on phones: its cells are table cells (a more specific selector than the above), so
    // an empty one keeps its column.
    #expect(
      rules.contains {
        $0.hasPrefix("table.pairs th,table.pairs td,table.pairs tbody th,table.pairs tbody td{display:table-cell;")
      })
  }

  /// `:empty` matches only a cell with no child at all: one that shows nothing must have no text (not even
  /// spaces) and no element (a `<wbr/>`) in it, in every report of the decision cases (the bundled examples,
  /// hostile names, sequential looks, a factorial).
  @Test("a cell that shows nothing is empty in the markup, so the cards leave it out")
  func emptyCellsAreEmptyInTheMarkup() throws {
    var empty = 0
    for (name, analysis) in try DecisionCases.all() {
      let cells = BodyCells()
      let parser = XMLParser(data: Data(HTMLReport.render(analysis).utf8))
      parser.delegate = cells
      #expect(parser.parse(), "\(name)")
      #expect(cells.blankButNotEmpty.isEmpty, "\(name): \(cells.blankButNotEmpty.prefix(3))")
      empty += cells.empty
    }
    // The rule has cells to hide: empty notes and flags, a variant's row of the sample ratio table.
    #expect(empty > 50)
  }
}

/// The body cells (`tbody` `th` and `td`) of an XHTML report: how many are empty, and the labels of those that
/// show no text but are not empty (spaces, or an element such as `<wbr/>`).
final class BodyCells: NSObject, XMLParserDelegate {
  var empty = 0
  var blankButNotEmpty: [String] = []
  private var inBody = 0
  private var cell: (label: String, text: String, children: Int, depth: Int)?
  private var depth = 0

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    depth += 1
    if elementName == "tbody" { inBody += 1 }
    if cell != nil {
      cell?.children += 1
    } else if inBody > 0 && (elementName == "td" || elementName == "th") {
      cell = (attributes["data-label"] ?? "", "", 0, depth)
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) { cell?.text += string }

  func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
  ) {
    if let current = cell, current.depth == depth {
      if current.text.isEmpty && current.children == 0 {
        empty += 1
      } else if current.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        blankButNotEmpty.append(current.label)
      }
      cell = nil
    }
    if elementName == "tbody" { inBody -= 1 }
    depth -= 1
  }
}
