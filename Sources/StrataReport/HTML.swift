import StrataAssignment

/// Minimal HTML building.
///
/// Escaping and XHTML-compatible elements (so a plain XML parser can check the output is well formed). Every user-
/// supplied string goes through `escape`.
enum HTML {
  /// Escapes text for element content and attribute values (`&`, `<`, `>`, `"`, `'`).
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t": out += " "  // not allowed in XML 1.0
      // C1 controls and bidi overrides from names or data: shown, never applied (a character reference
      // would still reorder the text).
      case _ where DisplayText.isUnsafe(scalar) && scalar.value >= 0x7F: out += DisplayText.escaped(String(scalar))
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// Escapes `text`, its spans between backticks made `<code>` elements instead of showing the backticks.
  ///
  /// For our own sentences that name a command or flag (`strata analyze --json`), whose other parts hold no backtick.
  static func escapeWithCode(_ text: String) -> String {
    text.split(separator: "`", omittingEmptySubsequences: false).enumerated().map { index, part in
      index % 2 == 1 ? "<code>\(escape(String(part)))</code>" : escape(String(part))
    }.joined()
  }

  /// A word longer than this (characters) gets break opportunities in a table cell (`breakable`).
  static let longWord = 24
  /// The most characters `breakable` leaves between two break opportunities of a long word.
  static let longestPiece = 16

  /// Escaped text for a table cell, with a break opportunity (`<wbr/>`) inside each word of more than `longWord`
  /// characters: after each `_`, `.`, `/`, `:` or `-`, and every `longestPiece` characters in a piece that is
  /// still longer.
  ///
  /// A table column is at least as wide as its longest unbreakable word: a variant's 84-character key in a cell
  /// or a column header made a results table 1,366-1,699 px wide in the 1,040 px text column at 1,280 px, its
  /// p-values and flags behind a sideways scroll (`overflow-wrap: anywhere` would do it too, but it lets a
  /// squeezed column break every word, "underpow-ered", anywhere). The text, as copied or read aloud, is
  /// unchanged; ordinary words and numbers are left alone.
  static func breakable(_ text: String) -> String {
    var out = ""
    var word: [Character] = []
    func flush() {
      guard word.count > longWord else {
        out += escape(String(word))
        word.removeAll()
        return
      }
      var piece = 0
      for (index, character) in word.enumerated() {
        out += escape(String(character))
        piece += 1
        guard index < word.count - 1 else { break }
        if "_./:-".contains(character) || piece == longestPiece {
          out += "<wbr/>"
          piece = 0
        }
      }
      word.removeAll()
    }
    for character in text {
      if character.isWhitespace {
        flush()
        out += escape(String(character))
      } else {
        word.append(character)
      }
    }
    flush()
    return out
  }

  /// `<tag class="…">escaped text</tag>`.
  static func element(_ tag: String, _ text: String, class className: String? = nil) -> String {
    "<\(tag)\(attribute("class", className))>\(escape(text))</\(tag)>"
  }

  static func attribute(_ name: String, _ value: String?) -> String {
    guard let value, !value.isEmpty else { return "" }
    return " \(name)=\"\(escape(value))\""
  }

  /// A table from shared report cells; columns before `numericFrom` are labels (segment, variant), the others
  /// are right-aligned when they read as numbers (`ReportTables.isNumericColumn`: by content, the same rule as
  /// the Markdown tables), header included.
  ///
  /// Every body cell carries its column header in `data-label`, so that the phone layout can show each row
  /// as a card; the table's highlight column carries the class `highlight`, which the row's class colours.
  /// `className` classes the table (`pairs`: a name and a number a row, a table on phones too, `HTMLStyle`).
  static func table(
    _ table: ReportTables.Table, numericFrom: Int = 2, caption: String? = nil, class className: String? = nil
  ) -> String {
    let numeric = table.numericColumns(from: numericFrom)
    var out = "<div class=\"table-wrap\"><table\(attribute("class", className))>"
    if let caption { out += "<caption>\(breakable(caption))</caption>" }
    out += "<thead><tr>"
    for (index, cell) in table.header.enumerated() {
      out +=
        "<th\(attribute("class", numeric[index] ? "num" : nil)) scope=\"col\">\(breakable(cell))</th>"
    }
    out += "</tr></thead><tbody>"
    for (rowIndex, row) in table.rows.enumerated() {
      out += bodyRow(row, of: table, class: table.classes[rowIndex], numeric: numeric)
    }
    out += "</tbody></table></div>"
    return out
  }

  /// One body row of `table`: its cells from column `from` on, the first of them the row's header (`th`), each
  /// labelled with its column's header (`data-label`), numbers (`numeric`) and the highlight column classed.
  static func bodyRow(
    _ row: [String], of table: ReportTables.Table, class rowClass: String, numeric: [Bool], from: Int = 0
  ) -> String {
    var out = "<tr\(attribute("class", rowClass))>"
    for (index, cell) in row.enumerated() where index >= from {
      let label = table.header.indices.contains(index) ? table.header[index] : ""
      if index == from {
        out += "<th scope=\"row\"\(attribute("data-label", label))>\(breakable(cell))</th>"
      } else {
        let classes = [numeric[index] ? "num" : nil, index == table.highlightColumn ? "highlight" : nil].compactMap {
          $0
        }
        out +=
          "<td\(attribute("class", classes.joined(separator: " ")))\(attribute("data-label", label))>\(breakable(cell))</td>"
      }
    }
    return out + "</tr>"
  }
}
