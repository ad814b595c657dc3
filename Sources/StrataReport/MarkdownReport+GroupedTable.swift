extension MarkdownReport {
  /// A table of comparisons by segment (the results, the Bayesian summary, the adjusted estimates, the partial
  /// pooling) as `table` writes it, or, when a segment's name is longer than `HTML.longRowName` characters, one
  /// table a segment under a line naming it ("Segment: **name**"), as the HTML report puts each name on a row of
  /// its own above its variants' rows (`HTML.groupedTable`, the same groups: `ReportTables.Table.rowGroups`).
  ///
  /// Inline, a 91-character name (105 escaped) began every row of its segment: with an 84-character variant name
  /// a results row was 317 characters long (209 now), its numbers far off a plain-text editor's screen and in a
  /// GitHub view behind a sideways scroll. A key below the table (a short label a name) would keep one table but
  /// send the reader from each row to the key and back, and names that differ only in their middle (`…_region_07_…`)
  /// leave a code for a label. Each table keeps the whole table's alignment per column, and
  /// the rows are the same cells (the "All segments" rows in bold); the tables are folded together when the
  /// rows are more than `foldedRows` and `fold` is true.
  static func resultsTable(_ table: ReportTables.Table, fold: Bool = true) -> String {
    guard table.hasLongRowName else { return self.table(table, fold: fold) }
    let numeric = Array(table.numericColumns(from: 1).dropFirst())
    let label = escape(table.header.first ?? "")
    let text = table.rowGroups.map { group in
      let part = ReportTables.Table(
        header: Array(table.header.dropFirst()), rows: group.rows.map { Array(table.rows[$0].dropFirst()) },
        classes: group.rows.map { table.classes[$0] })
      return "\(label): **\(escape(group.name))**\n\n" + self.table(part, fold: false, numeric: numeric)
    }.joined(separator: "\n\n")
    guard fold, table.rows.count > foldedRows else { return text }
    return "<details><summary>Tables of \(table.rows.count) rows, one a segment</summary>\n\n\(text)\n\n</details>"
  }
}
