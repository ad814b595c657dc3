extension HTML {
  /// A segment's name longer than this (characters) puts every segment's name of a results table on a row of
  /// its own, above its variants' rows (`groupedTable`).
  ///
  /// At 1,280 px the results table's other 12 columns take at least 814 of the 1,040 px text column, leaving the
  /// segment's name a 195 px column: the 91-character `WWM_Wholesale_Warehouse_..._loyalty_card` took five lines
  /// there and a 97-character phrase four (18-24 characters a line), on every variant's row; a name of up to 40
  /// characters, about two lines, keeps the flat table. The Markdown report uses the same limit
  /// (`MarkdownReport.resultsTable`).
  static let longRowName = 40

  /// A table of comparisons by segment (segment, variant, numbers: the results, the Bayesian summary, the
  /// adjusted estimates, the partial pooling): as `table` lays it out, or, when a segment's name is longer than
  /// `longRowName` characters (`ReportTables.Table.hasLongRowName`), as `groupedTable`.
  static func resultsTable(_ table: ReportTables.Table, numericFrom: Int = 2) -> String {
    table.hasLongRowName
      ? groupedTable(table, numericFrom: numericFrom) : HTML.table(table, numericFrom: numericFrom)
  }

  /// A table whose first column names groups of rows, each group's name on a row of its own.
  ///
  /// The results, Bayesian and adjusted tables list a segment's rows together, so only the partial pooling's rows
  /// change order here (by `rowGroups`, which gathers a name's rows wherever they are).
  ///
  /// Each group (a segment and its variants' rows, `ReportTables.Table.rowGroups`: a table listing a variant's
  /// segments together, the partial pooling, is regrouped by segment) is a `<tbody>` opened by a row with the
  /// name across the table's width (`<th scope="rowgroup">`, labelled with the first column's header for the
  /// phone's cards), then its rows, each headed by its second column (`<th scope="row">`). The first column's
  /// header is not repeated in the header row.
  ///
  /// A long name thus takes one line (or two) across the table instead of five in a squeezed first column, on
  /// every row of its group, and the freed width goes to the other columns. A screen reader announces the
  /// group's name with each of its cells, as it announced the first column before. In print a group is kept on
  /// one page (`break-inside: avoid`), its name with its rows. A group's class is its first row's "overall" (the
  /// "All segments" rows' top rule), and its rows are "continued".
  static func groupedTable(_ table: ReportTables.Table, numericFrom: Int = 2) -> String {
    let numeric = table.numericColumns(from: numericFrom)
    let groups = table.rowGroups
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

extension ReportTables.Table {
  /// Whether a row's name (its first cell: a segment's) is longer than `HTML.longRowName` characters, so that the
  /// HTML and Markdown reports put each name above its rows (`HTML.groupedTable`, `MarkdownReport.resultsTable`).
  var hasLongRowName: Bool { rows.contains { ($0.first?.count ?? 0) > HTML.longRowName } }

  /// The rows by their first cell (a segment), in the order each name first appears, each group's rows in the
  /// table's order; `overall`: the rows are classed "overall" (the "All segments" rows).
  ///
  /// A name and its "overall" class make a group, so a segment its user named "All segments" stays apart from
  /// the overall rows. In the results, Bayesian and adjusted tables a segment's rows are already together; the
  /// partial-pooling table lists each variant's segments together (a random-effects model per variant), so its
  /// groups gather a segment's rows from each variant's list, in the variants' order, as the forest plot above
  /// it lists them.
  var rowGroups: [(name: String, overall: Bool, rows: [Int])] {
    var groups: [(name: String, overall: Bool, rows: [Int])] = []
    var position: [String: Int] = [:]
    for (index, row) in rows.enumerated() {
      let name = row.first ?? ""
      let overall = classes[index].split(separator: " ").contains("overall")
      let key = (overall ? "1" : "0") + name
      if let at = position[key] {
        groups[at].rows.append(index)
      } else {
        position[key] = groups.count
        groups.append((name, overall, [index]))
      }
    }
    return groups
  }
}
