import Foundation
import Hummingbird

/// `POST /v1/exposures` and `POST /v1/events` (server keys): batches of up to 1,000 items, all checked before
/// anything is written, then written in one transaction (with other batches waiting: group commit). The answer
/// comes after the commit: a 200 means stored.
extension StrataService {
  static let ingestRoles: Set<APIKeyRole> = [.server]

  /// `POST /v1/exposures`.
  func ingestExposures(_ request: Request) async -> Response {
    if let denied = admit(request, roles: StrataService.ingestRoles, api: .native) { return denied }
    let body: ByteBuffer
    switch await Responses.body(request, limit: configuration.nativeBodyLimit, api: .native) {
    case .success(let buffer): body = buffer
    case .failure(let failure): return failure.response
    }
    let catalog = self.catalog
    let checked: [IngestRequest.CheckedExposure]
    do {
      checked = try IngestRequest.exposures(body, catalog: catalog, now: IngestTime(Date()))
      try await checkOlderDefinitions(checked)
    } catch let failure as IngestFailure {
      return failure.response
    } catch {
      return storeUnavailable(error)
    }
    return await write(checked.map(\.row), count: checked.count) { .exposures($0) }
  }

  /// `POST /v1/events`.
  func ingestEvents(_ request: Request) async -> Response {
    if let denied = admit(request, roles: StrataService.ingestRoles, api: .native) { return denied }
    let body: ByteBuffer
    switch await Responses.body(request, limit: configuration.nativeBodyLimit, api: .native) {
    case .success(let buffer): body = buffer
    case .failure(let failure): return failure.response
    }
    let rows: [EventRow]
    do {
      rows = try IngestRequest.events(body, catalog: catalog, now: IngestTime(Date()))
    } catch {
      return error.response
    }
    return await write(rows, count: rows.count) { .events($0) }
  }

  /// Writes the rows (the store refuses those of units without consent, inside the transaction) and answers with the
  /// counts.
  private func write<Row>(_ rows: [Row], count: Int, _ makeBatch: ([Row]) -> IngestBatch) async -> Response {
    guard let key = consent.key else {
      return Responses.error(.native, .serviceUnavailable, code: "starting", message: "the service is starting")
    }
    do {
      let batch = makeBatch(rows)
      let outcome = try await ingestQueue.write(
        batch, plans: livePlans(), consent: ConsentCheck(key: key, batches: [batch], hashNow: consent.knowsChanges))
      metrics.ingested(
        batch.kind, stored: outcome.stored, duplicates: outcome.duplicates, refused: outcome.refused)
      return Responses.json(
        .ok,
        .object([
          ("received", .integer(count)), ("stored", .integer(outcome.stored)),
          ("duplicates", .integer(outcome.duplicates)), ("refused_no_consent", .integer(outcome.refused)),
        ]))
    } catch {
      return storeUnavailable(error)
    }
  }

  /// 503: the database did not confirm the batch (``batchUnconfirmed``).
  func storeUnavailable(_ error: any Error) -> Response {
    logger.error("database write failed", metadata: ["error": "\(String(reflecting: error))"])
    return Responses.error(
      .native, .serviceUnavailable, code: "store_unavailable", message: StrataService.batchUnconfirmed,
      headers: [.retryAfter: "1"])
  }

  /// The 503 sentences of the writes.
  ///
  /// A failed write usually stored nothing (no connection within
  /// `--database-timeout`, or a transaction rolled back), but when the connection is lost after the `COMMIT` was
  /// sent, the database may have committed it and only the answer was lost: each sentence is true either way, and
  /// says why repeating the request is safe (ErasureTests.repeatingIsSafe checks the repeats).
  ///
  /// Ingestion: an item id already stored is a duplicate, skipped.
  static let batchUnconfirmed =
    "the database did not confirm the batch (it may or may not have been stored); retrying it is safe: items already stored count as duplicates"
  /// Consent: a repeat sets the same state again and appends its own audit record.
  static let consentUnconfirmed =
    "the database did not confirm the consent change (it may or may not have been recorded); repeating the request is safe: it sets the same consent again, with its own audit record"
  /// Erasure (a consent withdrawal, then the removal: either may have committed): a repeat removes what is left.
  static let erasureUnconfirmed =
    "the database did not confirm the erasure (it may have been done in full, in part or not at all); repeating the request is safe: it removes whatever is left, with its own audit record"

  /// A planned look (`POST /v1/experiments/{id}/looks`): a repeat is the same look only while no data has arrived.
  static let lookUnconfirmed =
    "the database did not confirm the look (it may or may not have been recorded); see the experiment's results for the latest look before repeating: a repeat on the same data is the same look, but on data that arrived since it records the next one"

  /// The 503 sentence of the write at `path` (consent, erasure, ingestion, a planned look), nil for other paths.
  static func unconfirmed(path: String) -> String? {
    switch path {
    case "/v1/consent": consentUnconfirmed
    case "/v1/erasure": erasureUnconfirmed
    case "/v1/exposures", "/v1/events": batchUnconfirmed
    case _ where path.hasPrefix("/v1/experiments/") && path.hasSuffix("/looks"): lookUnconfirmed
    default: nil
    }
  }

  /// Checks that every older definition hash names a definition this service served for the experiment.
  func checkOlderDefinitions(_ checked: [IngestRequest.CheckedExposure]) async throws {
    for exposure in checked where exposure.olderDefinition {
      let row = exposure.row
      let key = row.experiment + "\u{0}" + row.definitionHash
      if knownDefinitions.withLock({ $0.contains(key) }) { continue }
      guard try await store.definition(experiment: row.experiment, hash: row.definitionHash) != nil else {
        throw IngestFailure(
          message:
            "exposures[\(exposure.index)].definition: \(row.definitionHash) is not a definition of \(row.experiment) this service has served",
          index: exposure.index, field: "definition")
      }
      _ = knownDefinitions.withLock { $0.insert(key) }
    }
  }
}

extension IngestBatch {
  /// `exposures` or `events`.
  var kind: String {
    switch self {
    case .exposures: return "exposures"
    case .events: return "events"
    }
  }
}
