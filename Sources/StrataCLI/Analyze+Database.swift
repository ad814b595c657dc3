import Foundation
import StrataAnalysis
import StrataDefinitions
import StrataWarehouse

extension Analyze {
  /// `--database`: runs the pushdown query on PostgreSQL and reads the cells it returns.
  ///
  /// The query is `strata sql --dialect postgres` for the same definition and tables; its result goes
  /// through `CellQuery.summary(of:source:)`. The data account names the engine, the database (without
  /// password), the tables and the query's fingerprint; its rows are the unit rows the query aggregated.
  func readDatabase(plan: AnalysisPlan) throws -> DataSummary {
    let url = try DatabaseURL(database ?? "", environment: ProcessInfo.processInfo.environment)
    let source: CellQuery.Source
    let tables: String
    if let table {
      source = .units(table: table)
      tables = "table \(table)"
    } else {
      source = .events(exposures: exposures ?? "", events: events ?? "")
      tables = "tables \(exposures ?? "") and \(events ?? "")"
    }
    let query = try CellQuery(plan: plan, dialect: .postgres, source: source, checkDuplicates: !noDuplicateCheck)
    for note in query.notes { printError("strata: note: \(note)") }
    let seconds = timeout
    let account = "\(query.engineName) \(url), \(tables), query \(query.fingerprint)"
    // Cells whose sums lost their variance's digits are summed again about their own means, and Lin's second query
    // (`covariates:`) sums each unit's HC term given the fits of the cells read: on the same connection and snapshot
    // (rows written meanwhile are in none of them).
    let run = CellQueryRun(query, source: account)
    let results = try runBlocking { () async throws(WarehouseError) -> [QueryResult] in
      try await PostgresQueryRunner.run(
        query.sql, then: { results throws(WarehouseError) in try run.next(after: results)?.sql }, on: url,
        timeout: .seconds(seconds))
    }
    let reading = try run.reading(of: results)
    let summary = reading.summary
    guard summary.rowsRead > 0 else {
      throw InvalidInput(
        "the query on \(url) found no rows in \(tables)\(table == nil ? " for experiment \(plan.id)" : ""): nothing to analyze"
      )
    }
    if reading.refinedCells > 0 {
      printError(
        "strata: note: \(CellQueryRun.refinedPhrase(reading.refinedCells)) (a second query, in the same snapshot; their sums about the query's shift, <column>_shift, had kept fewer than 10 of the variance's 16 digits: docs/warehouse.md, \"Why the shift\")"
      )
    }
    for doubt in summary.doubtfulCells {
      printError(
        "strata: warning: \(doubt.describe(plan: plan, place: "row")): its spread is below the rounding of the query's shift even after summing it again about its mean, so its standard deviation has few correct digits (strata sql --shift \(plan.columns[doubt.column].name)=K with K near its values writes a query that sums it about K)"
      )
    }
    return summary
  }

  /// Warns about `--data` rows of shifted sums whose variance lost its digits (`DataSummary.doubtfulCells`), naming the
  /// cells (at most five, then how many more) and the remedy.
  func warnDoubtfulCells(_ summary: DataSummary, plan: AnalysisPlan) {
    let doubts = summary.doubtfulCells
    guard !doubts.isEmpty else { return }
    let shown = doubts.prefix(5).map { $0.describe(plan: plan) }
    let more = doubts.count > shown.count ? "; and \(doubts.count - shown.count) more" : ""
    let files = Set(doubts.map(\.file)).sorted().joined(separator: " ")
    let cells = Set(doubts.map { [$0.variant, $0.segment] }).count
    let counted =
      "\(doubts.count) \(doubts.count == 1 ? "column's sums" : "columns' sums") in \(cells) \(cells == 1 ? "cell" : "cells")"
    printError(
      "strata: warning: \(counted) about their shift K kept fewer than 10 of the variance's 16 digits (K lies more than about 1,000 standard deviations from the cell's mean: an outlier picked as K, or a cell whose values all equal one number other than K), so those standard deviations and tests may be off: \(shown.joined(separator: "; "))\(more). For a result of strata sql: run strata sql with the same options and --refine \(files), which prints the query that sums them about each cell's own mean, and analyze its result instead (docs/warehouse.md, \"Why the shift\"); other cell sums: sum x − K with K near each cell's mean and give K in <column>_shift"
    )
  }

  /// `--regression-sums FILE`: the saved result of `strata sql --regression-cells`'s query, for the `--data` cells.
  func readRegressionSums(_ path: String, into summary: inout DataSummary, plan: AnalysisPlan) throws {
    guard let cells = summary.regressionCells else {
      throw InvalidInput(
        "--regression-sums \(path): the --data cells have no regression columns (<metric>_lin_n, ...); give the result of strata sql's first query, which has them for every metric with covariates:"
      )
    }
    let bytes: [UInt8]
    do {
      bytes = try FileBytes.read(path)
    } catch {
      throw InvalidInput("--regression-sums \(path): \(error.reason)")
    }
    guard let text = String(validating: FileBytes.withoutByteOrderMark(bytes), as: UTF8.self) else {
      throw InvalidInput("--regression-sums \(path): is not UTF-8 text (save the file as UTF-8)")
    }
    let result = try QueryResult(csv: text, source: path)
    summary.regressionSums = try RegressionQuery.sums(
      of: result, fits: RegressionFits(plan: plan, cells: cells), source: path)
  }
}

/// Runs async work to completion from synchronous code (a command's `run()`): the work runs on the
/// concurrency pool while this thread waits.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws(WarehouseError) -> T)
  throws(WarehouseError) -> T
{
  let box = QueryOutcome<T>()
  let done = DispatchSemaphore(value: 0)
  Task {
    do throws(WarehouseError) {
      box.result = .success(try await body())
    } catch {
      box.result = .failure(error)
    }
    done.signal()
  }
  done.wait()
  guard let result = box.result else { preconditionFailure("the task finished without a result") }
  return try result.get()
}

/// The result handed from the task to the waiting thread (written before `signal`, read after `wait`).
private final class QueryOutcome<T: Sendable>: @unchecked Sendable {
  var result: Result<T, WarehouseError>?
}
