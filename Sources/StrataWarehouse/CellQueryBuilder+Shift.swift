import StrataAnalysis

/// The shift K of each continuous column's sums, in every cell query (the first and a refinement).
///
/// A value enters the sums as x − K (`shiftedValue`), K the query's (`query_constants`, `c`) or, for a refinement's
/// `ownMeans`, the cell's own mean (`cell_constants`, `s`). A cell whose values of a column are all equal gets that
/// value as `<col>_shift` and sums of exactly 0 whatever K was, so it never needs a refinement (docs/warehouse.md).
extension CellQueryBuilder {
  /// Column `index`'s K for the unit in `u`: the cell's own when it has one (`s`, `cell_constants`), else the
  /// query's (`c`, `query_constants`).
  func shiftConstant(_ index: Int) -> String {
    ownMeans.contains(index) ? "COALESCE(s.k\(index), c.k\(index))" : "c.k\(index)"
  }

  /// A cell's values of continuous column `index` are all equal and finite: MAX − MIN = 0 over its non-missing values.
  ///
  /// Unknown (NULL, so false) for a cell without values, and false for one holding ±∞ or NaN (∞ − ∞ and NaN − NaN are
  /// NaN, NULL in SQLite): such a cell keeps the sums about K, whose reader refuses them as before. Finite values that
  /// differ have a difference that is not 0 (or is ±∞), however close they are.
  private func constantCell(_ index: Int) -> String { "MAX(u.m\(index)) - MIN(u.m\(index)) = 0" }

  /// `<col>_shift` of continuous column `index`: the K the cell's sums are about; in a cell whose values are all equal
  /// (`constantCell`), that value, so that its sums are exactly 0 (`shiftedSum`) and its mean is the value itself.
  ///
  /// Every query does this, the first as well as a refinement: a constant cell is exact from the first result, and a
  /// second query is needed only for cells that spread far from K.
  func shiftColumn(_ index: Int) -> String {
    "CASE WHEN \(constantCell(index)) THEN MIN(u.m\(index)) ELSE MIN(\(shiftConstant(index))) END"
  }

  /// A per-cell sum of products of the shifted values of `columns`, `sum`, made 0 where a continuous one is constant.
  ///
  /// In a cell where one of the continuous `columns` has all its values equal, each term has the factor x − x = 0
  /// about the K `shiftColumn` gives. 0/1 columns have no shift and keep their sums.
  func shiftedSum(_ sum: String, of columns: [Int]) -> String {
    let constant = Set(columns.filter { valueColumns[$0].kind == .continuous }).sorted().map(constantCell)
    guard !constant.isEmpty else { return sum }
    return "CASE WHEN \(constant.joined(separator: " OR ")) THEN \(dialect.literal(0)) ELSE \(sum) END"
  }
}
