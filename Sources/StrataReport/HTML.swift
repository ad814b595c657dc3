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
  static func table(_ table: ReportTables.Table, numericFrom: Int = 2, caption: String? = nil) -> String {
    let columns = max(table.header.count, table.rows.map(\.count).max() ?? 0)
    let numeric = (0..<columns).map { column in
      column >= numericFrom
        && ReportTables.isNumericColumn(table.rows.compactMap { $0.indices.contains(column) ? $0[column] : nil })
    }
    var out = "<div class=\"table-wrap\"><table>"
    if let caption { out += "<caption>\(escape(caption))</caption>" }
    out += "<thead><tr>"
    for (index, cell) in table.header.enumerated() {
      out +=
        "<th\(attribute("class", numeric[index] ? "num" : nil)) scope=\"col\">\(escape(cell))</th>"
    }
    out += "</tr></thead><tbody>"
    for (rowIndex, row) in table.rows.enumerated() {
      out += "<tr\(attribute("class", table.classes[rowIndex]))>"
      for (index, cell) in row.enumerated() {
        let label = table.header.indices.contains(index) ? table.header[index] : ""
        if index == 0 {
          out += "<th scope=\"row\"\(attribute("data-label", label))>\(escape(cell))</th>"
        } else {
          let classes = [numeric[index] ? "num" : nil, index == table.highlightColumn ? "highlight" : nil].compactMap {
            $0
          }
          out +=
            "<td\(attribute("class", classes.joined(separator: " ")))\(attribute("data-label", label))>\(escape(cell))</td>"
        }
      }
      out += "</tr>"
    }
    out += "</tbody></table></div>"
    return out
  }
}
