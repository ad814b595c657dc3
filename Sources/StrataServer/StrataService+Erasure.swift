import Hummingbird

/// Right to erasure: `POST /v1/erasure {"unit", "withdraw_consent"?}` (admin) removes a unit's stored exposures and
/// events and says which results changed.
///
/// By default the unit's consent is withdrawn first (its own audit record), so nothing of it is stored again:
/// ingestion refuses it from that moment, and batches already accepted are committed (the ingest queue is drained)
/// before the rows are removed, so none of them survives the erasure.
extension StrataService {
  /// Only admin keys may erase.
  static let erasureRoles: Set<APIKeyRole> = []

  /// `POST /v1/erasure`.
  func erase(_ request: Request) async -> Response {
    let actor: String
    switch authorize(request, roles: StrataService.erasureRoles) {
    case .success(let name): actor = name
    case .failure(let failure): return failure.response
    }
    let body: ByteBuffer
    switch await Responses.body(request, limit: configuration.ofrepBodyLimit, api: .native) {
    case .success(let buffer): body = buffer
    case .failure(let failure): return failure.response
    }
    let unit: String
    var withdraw = true
    do throws(ConsentRequest.Failure) {
      let fields = try ConsentRequest.fields(body, known: ["unit", "withdraw_consent"])
      unit = try ConsentRequest.unit(fields)
      switch fields["withdraw_consent"] {
      case nil: break
      case .bool(let flag)?: withdraw = flag
      default: throw ConsentRequest.Failure(message: "withdraw_consent: expected true or false")
      }
    } catch {
      return Responses.error(.native, .badRequest, code: error.code, message: error.message)
    }
    guard let hash = consent.hash(unit: unit) else {
      return Responses.error(.native, .serviceUnavailable, code: "starting", message: "the service is starting")
    }
    var consentRecord: AuditRecord?
    let outcome: ErasureOutcome
    do {
      if withdraw {
        let record = try await store.recordConsent(
          ConsentChange(unit: hash, granted: false, actor: actor, time: timestamp()))
        consent.apply([ConsentState(unit: hash, granted: false, sequence: record.sequence)], polled: false)
        metrics.consentChange(granted: false)
        consentRecord = record
        // Batches accepted before the withdrawal commit before the rows are removed.
        _ = try await ingestQueue.write(.exposures([]), plans: livePlans(), consent: .none)
      }
      outcome = try await store.erase(
        Erasure(unit: unit, unitHash: hash, actor: actor, time: timestamp(), plans: livePlans()))
    } catch {
      logger.error("erasure failed", metadata: ["error": "\(String(reflecting: error))"])
      return Responses.error(
        .native, .serviceUnavailable, code: "store_unavailable",
        message: StrataService.erasureUnconfirmed,
        headers: [.retryAfter: "1"])
    }
    logger.notice(
      "erasure", metadata: ["audit_sequence": "\(outcome.record.sequence)", "actor": "\(actor)"])
    return Responses.json(.ok, StrataService.erasureJSON(unit: unit, outcome, consentRecord: consentRecord))
  }

  static func erasureJSON(unit: String, _ outcome: ErasureOutcome, consentRecord: AuditRecord?) -> JSON {
    var changed: [(String, [String])] = []
    for exposure in outcome.exposures {
      if let last = changed.indices.last, changed[last].0 == exposure.experiment {
        changed[last].1.append(exposure.variant)
      } else {
        changed.append((exposure.experiment, [exposure.variant]))
      }
    }
    func audit(_ record: AuditRecord) -> JSON {
      .object([("sequence", .integer(record.sequence)), ("record_hash", .string(record.recordHash))])
    }
    return .object([
      ("unit", .string(unit)), ("consent_withdrawn", .bool(consentRecord != nil)),
      (
        "removed",
        .object([
          ("exposures", .integer(outcome.removedExposures)), ("events", .integer(outcome.removedEvents)),
          ("exposure_ids", .integer(outcome.exposureIDs)),
        ])
      ),
      (
        "results_changed",
        .array(
          changed.map { experiment, variants in
            .object([
              ("experiment", .string(experiment)), ("variants", .array(variants.map(JSON.string))),
            ])
          })
      ),
      ("events_by_metric", .object(outcome.events.map { ($0.metric, .integer($0.count)) })),
      ("audit", audit(outcome.record)),
      ("consent_audit", consentRecord.map(audit) ?? .null),
    ])
  }
}
