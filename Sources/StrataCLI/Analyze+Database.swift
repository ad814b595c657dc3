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
    // Lin's regression (`covariates:`): the second query sums each unit's HC term given the fits the first's cells
    // determine, on the same connection and snapshot (rows written meanwhile are in neither).
    let read = try runBlocking { () async throws(WarehouseError) -> (first: QueryResult, second: QueryResult?) in
      try await PostgresQueryRunner.run(
        query.sql,
        then: { rows throws(WarehouseError) in
          let summary = try query.summary(of: rows, source: account)
          guard summary.rowsRead > 0, let cells = summary.regressionCells else { return nil }
          return try RegressionQuery(query, fits: RegressionFits(plan: plan, cells: cells)).sql
        }, on: url, timeout: .seconds(seconds))
    }
    var summary = try query.summary(of: read.first, source: account)
    guard summary.rowsRead > 0 else {
      throw InvalidInput(
        "the query on \(url) found no rows in \(tables)\(table == nil ? " for experiment \(plan.id)" : ""): nothing to analyze"
      )
    }
    if let cells = summary.regressionCells, let sums = read.second {
      let second = try RegressionQuery(query, fits: RegressionFits(plan: plan, cells: cells))
      summary.regressionSums = try second.sums(of: sums, source: "\(query.engineName) \(url), \(tables)")
    }
    return summary
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
