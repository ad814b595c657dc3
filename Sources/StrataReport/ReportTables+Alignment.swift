extension ReportTables {
  /// Whether a column reads as numbers, so that every rendering right-aligns it (by content, never position).
  ///
  /// One cell at least is a number, a signed effect, an interval, a p-value or a count pair, and every other
  /// cell is a placeholder without digits ("—", "n/a", "not in family"). A cell mixing words and numbers
  /// ("95% CI", "2 (REML)", "yes (Q = 4.46, …)") makes the column text.
  static func isNumericColumn(_ cells: [String]) -> Bool {
    var anyNumber = false
    for cell in cells {
      if isNumericCell(cell) {
        anyNumber = true
      } else if cell.contains(where: \.isNumber) {
        return false
      }
    }
    return anyNumber
  }

  /// A number as the reports write one: "0.031", "+2.1 pp", "[−0.5, +2.1]", "12,345 / 12,001", "> 99%",
  /// "±2.414", "4.6e-05", "+35.1% [+9.2%, +61.0%]", "[+1.46e+91, +2.98e+91]".
  static func isNumericCell(_ cell: String) -> Bool {
    guard let first = cell.unicodeScalars.first, cell.contains(where: \.isNumber) else { return false }
    let startsLikeNumber = "0123456789+−-[<>±∞".unicodeScalars.contains(first)
    return startsLikeNumber && !hasWords(cell)
      || cell.range(of: #"^[<>]? ?[0-9.,e+−-]+(%| pp)?( / [0-9.,]+)?( \[[^\]a-z]*\])?$"#, options: .regularExpression)
        != nil
  }

  /// Whether `cell` has a letter other than the "e" of a number in exponent form ("2.22e+89", `NumberText.number`).
  private static func hasWords(_ cell: String) -> Bool {
    guard cell.contains(where: \.isLetter) else { return false }
    guard cell.contains("e") else { return true }
    return cell.replacingOccurrences(of: #"([0-9])e[+-]([0-9])"#, with: "$1$2", options: .regularExpression)
      .contains(where: \.isLetter)
  }
}

extension ReportTables.Table {
  /// Per column: whether the renderings right-align it, a column from `labels` on that reads as numbers
  /// (`ReportTables.isNumericColumn`).
  ///
  /// The columns before `labels` are the rows' names (a segment, a variant): the HTML tables pass their own count,
  /// the Markdown and terminal tables 1.
  func numericColumns(from labels: Int) -> [Bool] {
    let columns = max(header.count, rows.map(\.count).max() ?? 0)
    return (0..<columns).map { column in
      column >= labels
        && ReportTables.isNumericColumn(rows.compactMap { $0.indices.contains(column) ? $0[column] : nil })
    }
  }
}
