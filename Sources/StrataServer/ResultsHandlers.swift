import Foundation
import Hummingbird
import StrataAnalysis
import StrataReport
import StrataWarehouse

/// Live results: `GET /v1/experiments/{id}/results` (and `.html`, `.md`), the analysis of the stored exposures and
/// events, and `POST /v1/experiments/{id}/looks`, which records a planned look.
///
/// The database aggregates: the results query is the event-level `CellQuery` that `strata sql` writes (SQLite or
/// PostgreSQL dialect), its few rows become cells (`CellQuery.summary`), and the analysis, JSON and reports are
/// those of `strata analyze`. Viewing is never a look: between planned looks the results are an interim view with
/// the always-valid p-values, and nothing is recorded; the data of a recorded look shows that look's decision.
extension StrataService {
  static let resultsRoles: Set<APIKeyRole> = [.viewer]
  static let lookRoles: Set<APIKeyRole> = [.admin]

  /// The live analysis of one experiment, what the look store did, and the account of the stored data.
  struct LiveResults {
    var analysis: Analysis
    var totals: ExposureTotals
    var outcome: LookOutcome
    var recorded: Bool
  }

  /// Why live results cannot be given.
  struct ResultsFailure: Error {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var response: Response { Responses.error(.native, status, code: code, message: message) }
  }

  /// The format asked for by the path's suffix.
  enum ResultsFormat {
    case json, html, markdown
  }

  /// `GET /v1/experiments/{id}/results[.html|.md]`.
  func results(_ request: Request, id: String, format: ResultsFormat) async -> Response {
    if let denied = admit(request, roles: StrataService.resultsRoles, api: .native) { return denied }
    switch await live(id: id, recording: false, look: nil) {
    case .failure(let failure): return failure.response
    case .success(let live):
      switch format {
      case .json: return StrataService.json(live)
      case .html:
        return Response(
          status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
          body: ResponseBody(byteBuffer: ByteBuffer(string: HTMLReport.render(live.analysis))))
      case .markdown:
        return Response(
          status: .ok, headers: [.contentType: "text/markdown; charset=utf-8", .cacheControl: "no-store"],
          body: ResponseBody(byteBuffer: ByteBuffer(string: MarkdownReport.render(live.analysis))))
      }
    }
  }

  /// `POST /v1/experiments/{id}/looks`: records the current data as the next planned look (or, with
  /// `{"look": K}` naming the latest look, replaces it); the answer is the results at that look.
  func recordLook(_ request: Request, id: String) async -> Response {
    if let denied = admit(request, roles: StrataService.lookRoles, api: .native) { return denied }
    var look: Int?
    switch await Responses.body(request, limit: 4096, api: .native) {
    case .failure(let failure): return failure.response
    case .success(let body) where body.readableBytes > 0:
      guard let json = try? JSON.parse(body.readableBytesView), case .object(let members) = json else {
        return Responses.error(
          .native, .badRequest, code: "invalid_json", message: "the body must be empty or {\"look\": K}")
      }
      if let unknown = members.first(where: { $0.0 != "look" }) {
        return Responses.error(
          .native, .badRequest, code: "invalid_request", message: "\(unknown.0): unknown field (known: look)")
      }
      switch json["look"] {
      case nil, .null?: break
      case .integer(let number)? where number >= 1: look = number
      default:
        return Responses.error(
          .native, .badRequest, code: "invalid_request", message: "look: expected a whole number ≥ 1")
      }
    case .success: break
    }
    let requested = look
    switch await lookRecorder.serialize({ await self.live(id: id, recording: true, look: requested) }) {
    case .failure(let failure): return failure.response
    case .success(let live): return StrataService.json(live)
    }
  }

  /// Runs the results query and the analysis; with `recording`, records the look.
  func live(id: String, recording: Bool, look: Int?) async -> Result<LiveResults, ResultsFailure> {
    guard let entry = catalog[id] else {
      return .failure(
        ResultsFailure(
          status: .notFound, code: "experiment_not_found", message: "no experiment \"\(id)\" in the catalog"))
    }
    let plan = entry.analysisPlan
    do {
      // With `<col>_zero_filled` counts: the running totals keep them too, so the results do not depend on whether
      // they came from the totals or from the query.
      let query = try CellQuery(
        plan: plan, dialect: store.dialect, source: .events(exposures: "exposures", events: "events"))
      async let totals = store.exposureTotals(experiment: id)
      async let records = store.looks(experiment: id)
      // The running cell totals the store keeps, else (no live plan, or totals still being built) the results query
      // itself.
      let source = "strata serve: \(configuration.database.redacted), tables exposures and events"
      // The query; when some cells' sums lost their variance's digits to a shift far from their mean, the query again
      // with those cells about their own means; for Lin's regression (`covariates:`) the second query, summing each
      // unit's HC term given the fits of the cells read: all in one read snapshot (units stored meanwhile are in none).
      let run = CellQueryRun(query, source: source)
      let read = { @Sendable () async throws -> CellQueryRun.Reading in
        try run.reading(of: try await self.store.run(run.first) { results in try run.next(after: results) })
      }
      var summary: DataSummary
      if let live = store as? any LiveTotalsStore, let plan = livePlans().byExperiment[id],
        plan.plan == entry.analysisPlan, let kept = try await live.liveResult(plan, query: query)
      {
        summary = try query.summary(of: kept, source: source)
        if summary.rowsRead > 0 && summary.regressionCells != nil {
          summary = try await read().summary  // Lin's sums are not kept in the totals: read cells and sums again
        }
      } else {
        summary = try await read().summary
      }
      guard summary.rowsRead > 0 else {
        return .failure(
          ResultsFailure(
            status: .conflict, code: "no_data",
            message: "no exposures of \(id) are stored yet: send them to POST /v1/exposures"))
      }
      var analysis: Analysis
      do {
        analysis = try Analyzer(plan: plan, look: look).analyze(summary)
      } catch {
        return .failure(
          ResultsFailure(status: .conflict, code: "not_analysable", message: "\(id) cannot be analysed yet: \(error)"))
      }
      let store = DatabaseLookStore(
        records: try await records, location: "the \(self.store.backend) database's looks of \(id)")
      var lookGuard = SequentialGuard(plan: plan, look: look, log: store, record: recording, now: Date())
      lookGuard.interim = !recording
      let outcome: LookOutcome
      do {
        outcome = try store.withExclusiveAccess { try lookGuard.apply(to: &analysis) }
      } catch {
        return .failure(ResultsFailure(status: .conflict, code: "look_refused", message: "\(error)"))
      }
      if recording { try await self.store.saveLooks(experiment: id, store.changes) }
      return .success(
        LiveResults(analysis: analysis, totals: try await totals, outcome: outcome, recorded: recording))
    } catch let error as WarehouseError {
      return .failure(
        ResultsFailure(status: .conflict, code: "not_analysable", message: "\(id) cannot be analysed: \(error.message)")
      )
    } catch let error as LookConflict {
      return .failure(ResultsFailure(status: .conflict, code: "look_conflict", message: error.description))
    } catch {
      logger.error("results failed", metadata: ["experiment": "\(id)", "error": "\(String(reflecting: error))"])
      return .failure(
        ResultsFailure(
          status: .serviceUnavailable, code: "store_unavailable", message: "the database did not answer; try again"))
    }
  }

  /// The JSON of `strata analyze --json`, with `service`: the stored data's account and what happened to the look.
  static func json(_ live: LiveResults) -> Response {
    guard case .object(var members) = AnalysisJSON.value(live.analysis) else {
      preconditionFailure("the analysis JSON is an object")
    }
    let sequential = live.analysis.look.sequential
    let view = sequential?.interim == true ? "interim" : "planned_look"
    members.append(
      (
        "service",
        .object([
          ("view", .string(view)), ("look", .integer(live.outcome.look)),
          ("look_action", .string(live.outcome.action.rawValue)),
          ("exposures_stored", .integer(live.totals.exposures)),
          ("repeated_exposures", .integer(live.totals.repeats)),
        ])
      ))
    return Response(
      status: .ok, headers: [.contentType: Responses.jsonType, .cacheControl: "no-store"],
      body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(members).serialized(pretty: false))))
  }
}

/// Runs look recordings one at a time (within this process; the database refuses a look number taken by another).
actor LookRecorder {
  private var busy = false
  private var waiters: [CheckedContinuation<Void, Never>] = []

  func serialize<Value: Sendable>(_ body: @Sendable () async -> Value) async -> Value {
    while busy { await withCheckedContinuation { waiters.append($0) } }
    busy = true
    let value = await body()
    busy = false
    if !waiters.isEmpty { waiters.removeFirst().resume() }
    return value
  }
}
