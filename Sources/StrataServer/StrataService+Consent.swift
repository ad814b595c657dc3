import Foundation
import Hummingbird
import Logging

/// Consent: `POST /v1/consent` records a unit's consent change (server key), and from then on a unit that withdrew
/// consent is never assigned (reason `no_consent`) by any path: OFREP single and bulk evaluation and `/v1/assign`.
/// Each change appends a hash-chained audit record (``AuditRecord``) in the same transaction.
extension StrataService {
  static let consentRoles: Set<APIKeyRole> = [.server]

  /// Where the audit key lives: `--audit-key`, else beside an SQLite database.
  func auditKeyPath() throws(StartError) -> String { try Self.auditKeyPath(configuration) }

  /// The audit key file of `configuration` (`--audit-key`, else beside an SQLite database; required with PostgreSQL).
  static func auditKeyPath(_ configuration: ServiceConfiguration) throws(StartError) -> String {
    if let file = configuration.auditKeyFile { return file }
    switch configuration.database {
    case .sqlite(let path): return path + ".audit-key"
    case .postgresql:
      throw StartError(
        description:
          "--audit-key FILE is required with PostgreSQL (made when missing; every server sharing the database needs a copy)"
      )
    }
  }

  /// Loads (or makes) the audit key, checks it is the key the database was used with, and loads the consent states.
  func openConsent() async throws {
    let path = try auditKeyPath()
    let (key, created) = try AuditKey.load(file: path)
    let recorded = try await store.claimAuditKey(fingerprint: key.fingerprint)
    guard recorded == key.fingerprint else {
      throw StartError(
        description:
          "\(path): this audit key is not the one the database was used with (its consent records and audit log are keyed by another); start with that key's file"
      )
    }
    if created { logger.notice("made a new audit key", metadata: ["file": "\(path)"]) }
    consent.open(key: key)
    try await refreshConsent()
  }

  /// Applies consent changes recorded since the last poll (by this server or another sharing the database).
  func refreshConsent() async throws {
    consent.apply(try await store.consentStates(after: consent.polled), polled: true)
  }

  /// `POST /v1/consent` `{"unit": "...", "granted": true|false}`.
  func recordConsent(_ request: Request) async -> Response {
    let actor: String
    switch authorize(request, roles: StrataService.consentRoles) {
    case .success(let name): actor = name
    case .failure(let failure): return failure.response
    }
    let body: ByteBuffer
    switch await Responses.body(request, limit: configuration.ofrepBodyLimit, api: .native) {
    case .success(let buffer): body = buffer
    case .failure(let failure): return failure.response
    }
    let unit: String
    let granted: Bool
    do throws(ConsentRequest.Failure) {
      let fields = try ConsentRequest.fields(body, known: ["unit", "granted"])
      unit = try ConsentRequest.unit(fields)
      guard case .bool(let flag)? = fields["granted"] else {
        throw ConsentRequest.Failure(message: "granted: expected true or false")
      }
      granted = flag
    } catch {
      return Responses.error(.native, .badRequest, code: error.code, message: error.message)
    }
    guard let hash = consent.hash(unit: unit) else {
      return Responses.error(.native, .serviceUnavailable, code: "starting", message: "the service is starting")
    }
    let record: AuditRecord
    do {
      record = try await store.recordConsent(
        ConsentChange(unit: hash, granted: granted, actor: actor, time: timestamp()))
    } catch {
      logger.error("consent change not recorded", metadata: ["error": "\(String(reflecting: error))"])
      return Responses.error(
        .native, .serviceUnavailable, code: "store_unavailable",
        message: StrataService.consentUnconfirmed,
        headers: [.retryAfter: "1"])
    }
    consent.apply([ConsentState(unit: hash, granted: granted, sequence: record.sequence)], polled: false)
    metrics.consentChange(granted: granted)
    return Responses.json(
      .ok,
      .object([
        ("unit", .string(unit)), ("granted", .bool(granted)), ("assignable", .bool(granted)),
        ("recorded_at", .string(record.recordedAt)),
        ("audit", .object([("sequence", .integer(record.sequence)), ("record_hash", .string(record.recordHash))])),
      ]))
  }

  /// Authenticates and rate-limits a request for `roles` in the native API; the key's name (`-` without keys).
  func authorize(_ request: Request, roles: Set<APIKeyRole>) -> Result<String, ResponseFailure> {
    let outcome = authenticator.check(request.headers, roles: roles)
    if let denied = Responses.denied(outcome, .native) { return .failure(ResponseFailure(response: denied)) }
    guard case .allowed(let key?) = outcome else { return .success("-") }
    if let wait = rateLimiter.take(key.sha256) {
      return .failure(ResponseFailure(response: Responses.rateLimited(.native, retryAfter: wait)))
    }
    return .success(key.name)
  }
}

/// Reading the small bodies of `/v1/consent` and `/v1/erasure`.
enum ConsentRequest {
  struct Failure: Error {
    var code = "invalid_request"
    var message: String
  }

  /// The longest unit id accepted (in UTF-8 bytes).
  static let maximumUnitLength = 512

  /// The body's members; unknown members are an error naming them.
  static func fields(_ body: ByteBuffer, known: [String]) throws(Failure) -> JSON {
    let json: JSON
    do {
      json = try JSON.parse(body.readableBytesView)
    } catch {
      throw Failure(code: "invalid_json", message: "the body is not JSON: \(error)")
    }
    guard case .object(let members) = json else { throw Failure(message: "the body must be a JSON object") }
    if let unknown = members.first(where: { !known.contains($0.0) }) {
      throw Failure(message: "\(unknown.0): unknown field (known: \(known.joined(separator: ", ")))")
    }
    return json
  }

  /// The `unit` member: non-empty text of at most ``maximumUnitLength`` bytes.
  static func unit(_ fields: JSON) throws(Failure) -> String {
    guard let value = fields["unit"] else { throw Failure(message: "unit: missing (the unit id)") }
    guard case .string(let unit) = value, !unit.isEmpty else { throw Failure(message: "unit: expected non-empty text") }
    guard unit.utf8.count <= maximumUnitLength else {
      throw Failure(message: "unit: longer than \(maximumUnitLength) bytes")
    }
    return unit
  }
}
