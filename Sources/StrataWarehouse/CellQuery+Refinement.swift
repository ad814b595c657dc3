import StrataAnalysis

extension CellQuery {
  /// This query again with the columns whose sums lost their variance's digits in some cell of `summary` (its result:
  /// `summary.doubtfulCells`, `ShiftedSums.lostDigits`) summed about each cell's own mean (`ownMeans`); nil when no cell
  /// did, or when this query is already a refinement (one is enough: see below).
  ///
  /// The engine takes each cell's mean first (`AVG` over the same rows), accurate to about ε·max|x| of the cell, far
  /// within the thousand standard deviations a K may lie from the mean; a cell whose values are all equal comes out
  /// exact, here as in the first query (MAX − MIN = 0, `CellQueryBuilder.shiftColumn`). The text does not grow with
  /// the cells (no list of them), so thousands of doubtful cells cost what one does: one more pass over the rows. The
  /// refinement's result replaces the first's whole, in one result that `summary(of:source:)` reads and `strata
  /// analyze --data` reads saved; after it a cell can be doubtful only with a spread below about 2¹⁰·ε·max|x| of its
  /// own values.
  public func refinement(of summary: DataSummary) throws(WarehouseError) -> CellQuery? {
    guard ownMeans.isEmpty else { return nil }
    let columns = Set(
      summary.doubtfulCells.map(\.column).filter {
        plan.columns.indices.contains($0) && plan.columns[$0].kind == .continuous
      })
    guard !columns.isEmpty else { return nil }
    return try CellQuery(
      plan: plan, dialect: dialect, source: source, shifts: shifts, checkDuplicates: checkDuplicates,
      countsZeroFills: countsZeroFills, ownMeans: columns.sorted())
  }
}

extension CellQueryBuilder {
  /// The `cell_constants` table: per cell (`shift_variant`, `shift_segment`) the mean of each column in `ownMeans`
  /// (`k<i>`, NULL for a cell without values), from the rows the final aggregation reads; nil without such columns.
  func cellConstants() -> String? {
    guard !ownMeans.isEmpty else { return nil }
    let means = ownMeans.map { "AVG(m\($0)) AS k\($0)" }
    return cte(
      "cell_constants",
      "SELECT\n" + list(["cell_variant AS shift_variant", "cell_segment AS shift_segment"] + means, indent: 4)
        + "\n  FROM unit_rows\n  GROUP BY cell_variant, cell_segment")
  }
}
