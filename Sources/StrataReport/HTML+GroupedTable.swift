extension HTML {
  /// A segment's name longer than this (characters) puts every segment's name of a results table on a row of
  /// its own, above its variants' rows (`groupedTable`).
  ///
  /// At 1,280 px the results table's other 12 columns take at least 814 of the 1,040 px text column, leaving the
  /// segment's name a 195 px column: the 91-character `WWM_Wholesale_Warehouse_..._loyalty_card` took five lines
  /// there and a 97-character phrase four (18-24 characters a line), on every variant's row; a name of up to 40
  /// characters, about two lines, keeps the flat table.
  static let longRowName = 40

  /// A table of comparisons by segment (segment, variant, numbers; a segment's rows together: the results, the
  /// Bayesian summary, the adjusted estimates): as `table` lays it out, or, when a segment's name is longer than
  /// `longRowName` characters, as `groupedTable`.
  static func resultsTable(_ table: ReportTables.Table, numericFrom: Int = 2) -> String {
    table.rows.contains { ($0.first?.count ?? 0) > longRowName }
      ? groupedTable(table, numericFrom: numericFrom) : HTML.table(table, numericFrom: numericFrom)
  }

  /// A table whose first column names groups of consecutive rows, each group's name on a row of its own.
  ///
  /// Each group (a segment and its variants' rows) is a `<tbody>` opened by a row with the name across the
  /// table's width (`<th scope="rowgroup">`, labelled with the first column's header for the phone's cards), then
  /// its rows, each headed by its second column (`<th scope="row">`). The first column's header is not repeated
  /// in the header row.
  ///
  /// A long name thus takes one line (or two) across the table instead of five in a squeezed first column, on
  /// every row of its group, and the freed width goes to the other columns. A screen reader announces the
  /// group's name with each of its cells, as it announced the first column before. In print a group is kept on
  /// one page (`break-inside: avoid`), its name with its rows. A group's class is its first row's "overall" (the
  /// "All segments" rows' top rule), and its rows are "continued".
  static func groupedTable(_ table: ReportTables.Table, numericFrom: Int = 2) -> String {
    let numeric = numericColumns(table, from: numericFrom)
    // A group is a run of rows with the same name and the same "overall" class: a segment its user named "All
    // segments" stays apart from the overall rows.
    func isOverall(_ index: Int) -> Bool { table.classes[index].split(separator: " ").contains("overall") }
    var groups: [(name: String, overall: Bool, rows: [Int])] = []
    for (index, row) in table.rows.enumerated() {
      let name = row.first ?? ""
      if let last = groups.last, last.name == name, last.overall == isOverall(index) {
        groups[groups.count - 1].rows.append(index)
      } else {
        groups.append((name, isOverall(index), [index]))
      }
    }
    // Tables of up to 12 rows are kept on one page in print (HTMLStyle); the name rows count.
    let long = table.rows.count + groups.count > 12
    var out = "<div class=\"table-wrap\(long ? " long" : "")\"><table class=\"grouped\"><thead><tr>"
    for (index, cell) in table.header.enumerated() where index > 0 {
      out += "<th\(attribute("class", numeric[index] ? "num" : nil)) scope=\"col\">\(breakable(cell))</th>"
    }
    out += "</tr></thead>"
    let label = table.header.first ?? ""
    for group in groups {
      out += "<tbody><tr class=\"group\(group.overall ? " overall" : "")\">"
      out += "<th colspan=\"\(max(table.header.count - 1, 1))\" scope=\"rowgroup\"\(attribute("data-label", label))>"
      out += "\(breakable(group.name))</th></tr>"
      for index in group.rows {
        var classes = table.classes[index].split(separator: " ").map(String.init)
        if classes.contains("overall") && !classes.contains("continued") { classes.append("continued") }
        out += bodyRow(
          table.rows[index], of: table, class: classes.joined(separator: " "), numeric: numeric, from: 1)
      }
      out += "</tbody>"
    }
    return out + "</table></div>"
  }
}
