import StrataAnalysis

/// The queries that read a `CellQuery`'s cells where the data is, one after another in one snapshot.
///
/// First the query itself; then, when some cells' sums lost their variance's digits to a K far from their mean
/// (`ShiftedSums.lostDigits`), its refinement (`CellQuery.refinement(of:)`: their columns summed about each cell's own mean),
/// whose result replaces the first; then, when a metric has `covariates:`, Lin's second query (`RegressionQuery`) for
/// the fits of the cells read. A runner (`analyze --database`, the service's results) runs `first`, then each query
/// `next(after:)` gives for the results so far, in the same transaction, and `reading(of:)` turns them into cells.
/// Ordinary data runs the query alone, as before; only data with such cells pays for a second pass.
public struct CellQueryRun: Sendable {
  /// One query to run, and the result's columns (for a result without rows, which some drivers leave unnamed).
  public struct Step: Sendable, Hashable {
    public let sql: String
    public let columns: [String]
  }

  /// What the results give.
  public struct Reading: Sendable {
    /// The cells and their account (Lin's sums attached); after a refinement, the refined cells.
    public var summary: DataSummary
    /// Cells whose sums had lost their variance's digits in the first result, so that the query ran again with their
    /// columns summed about each cell's own mean (0: no refinement).
    public var refinedCells: Int
  }

  public let query: CellQuery
  /// Where the data is, for the data account (no password).
  public let source: String

  public init(_ query: CellQuery, source: String) {
    self.query = query
    self.source = source
  }

  /// The query to run first.
  public var first: Step { Step(sql: query.sql, columns: query.columns) }

  /// The query to run after `results` (those of `first` and of every step this returned, in order); nil when the
  /// cells are read.
  public func next(after results: [QueryResult]) throws(WarehouseError) -> Step? {
    try walk(results).next
  }

  /// The cells of `results`, which must be complete (`next(after:)` gives nil for them).
  public func reading(of results: [QueryResult]) throws(WarehouseError) -> Reading {
    let (reading, next) = try walk(results)
    precondition(next == nil, "every query of the run has its result")
    return reading
  }

  private func walk(_ results: [QueryResult]) throws(WarehouseError) -> (reading: Reading, next: Step?) {
    precondition(!results.isEmpty, "the first query's result comes first")
    var summary = try query.summary(of: results[0], source: source)
    var used = 1
    var refined = 0
    if summary.rowsRead > 0, let refinement = try query.refinement(of: summary) {
      guard results.count > used else {
        return (Reading(summary: summary, refinedCells: 0), Step(sql: refinement.sql, columns: refinement.columns))
      }
      refined = Set(summary.doubtfulCells.map { $0.variant * query.plan.segments.count + $0.segment }).count
      summary = try refinement.summary(of: results[used], source: source)
      used += 1
      summary.file += ", \(Self.refinedPhrase(refined)) (query \(refinement.fingerprint))"
      summary.files = [summary.file]
    }
    if summary.rowsRead > 0, let cells = summary.regressionCells {
      let second = try RegressionQuery(query, fits: RegressionFits(plan: query.plan, cells: cells))
      guard results.count > used else {
        return (Reading(summary: summary, refinedCells: refined), Step(sql: second.sql, columns: second.columns))
      }
      summary.regressionSums = try second.sums(of: results[used], source: source)
    }
    return (Reading(summary: summary, refinedCells: refined), nil)
  }

  /// `3 cells had lost digits: summed again about each cell's own mean`.
  public static func refinedPhrase(_ cells: Int) -> String {
    "\(cells) \(cells == 1 ? "cell" : "cells") had lost digits: summed again about each cell's own mean"
  }
}
