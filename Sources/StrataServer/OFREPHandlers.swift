import Foundation
import Hummingbird
import StrataAssignment

/// OFREP 0.3.0 (OpenFeature Remote Evaluation Protocol): single-flag and bulk evaluation.
///
/// Flag key = experiment id; `context.targetingKey` = unit id; other context keys = attributes. An
/// assigned unit gets `reason: SPLIT`, the variant key as `variant` and the variant's `value:` (its key
/// as text when the definition gives none). An excluded unit gets no `value` (the client's code
/// default) with `metadata.strata_reason`; its `reason` is `TARGETING_MATCH` when a rule excluded it
/// (consent, eligibility) and `SPLIT` when its hash did (holdout, layer, traffic), and its `variant`
/// is `strata:` and that reason (never a variant key, which cannot contain `:`). `metadata` carries
/// `strata_bucket`, `strata_segment` and `strata_definition_hash`.
extension StrataService {
  static let singleRoles: Set<APIKeyRole> = [.server]
  static let bulkRoles: Set<APIKeyRole> = [.client, .server]

  /// `POST /ofrep/v1/evaluate/flags/{key}`.
  ///
  /// With `?expose=true`, or a key made with `--expose`, an assigned unit's exposure is logged before the answer (as
  /// `POST /v1/exposures` would store it); `metadata.strata_exposure` says `stored`, or `failed` when the database
  /// did not take it (the evaluation itself is still answered). `?expose=false` turns a key's setting off.
  func evaluateFlag(_ request: Request, key: String) async -> Response {
    let apiKey: APIKey?
    switch admitKey(request, roles: StrataService.singleRoles, api: .ofrep) {
    case .success(let admitted): apiKey = admitted
    case .failure(let denied): return denied.response
    }
    let expose: Bool
    switch request.uri.queryParameters.get("expose") {
    case nil: expose = apiKey?.expose ?? false
    case "true", "1": expose = true
    case "false", "0": expose = false
    case let other?:
      return Responses.json(
        .badRequest,
        .object([
          ("key", .string(key)), ("errorCode", .string("GENERAL")),
          ("errorDetails", .string("expose=\(other): expected true or false")),
        ]))
    }
    let body: ByteBuffer
    switch await Responses.body(request, limit: configuration.ofrepBodyLimit, api: .ofrep) {
    case .success(let buffer): body = buffer
    case .failure(let failure): return failure.response
    }
    let context: UnitContext
    switch OFREPRequest.context(body, keepingBytes: false) {
    case .success(let parsed): context = parsed.context
    case .failure(let failure): return failure.response(key: key)
    }
    guard let entry = catalog[key] else {
      return Responses.json(
        .notFound,
        .object([
          ("key", .string(key)), ("errorCode", .string("FLAG_NOT_FOUND")),
          ("errorDetails", .string("flag \"\(key)\" is not an experiment in the catalog")),
        ]))
    }
    let refused = consent.isRefused(unit: context.unit)
    switch evaluation(entry, context, refused: refused) {
    case .success(let result):
      guard expose, !refused, let assignment = try? context.assign(entry), let variant = assignment.variant,
        let segment = assignment.segment
      else { return Responses.json(.ok, result) }
      let row = ExposureRow(
        id: nil, experiment: entry.experiment.id, unit: context.unit, variant: variant, segment: segment,
        time: IngestTime(Date()), definitionHash: entry.definitionHash)
      var status = "stored"
      do {
        guard let auditKey = consent.key else { throw StartError(description: "the service is starting") }
        let batch = IngestBatch.exposures([row])
        let outcome = try await ingestQueue.write(
          batch, plans: livePlans(),
          consent: ConsentCheck(key: auditKey, batches: [batch], hashNow: consent.knowsChanges))
        if outcome.refused > 0 { status = "refused_no_consent" }
        metrics.ingested("exposures", stored: outcome.stored, duplicates: 0, refused: outcome.refused)
      } catch {
        logger.error("exposure not stored", metadata: ["error": "\(String(reflecting: error))"])
        status = "failed"
      }
      return Responses.json(.ok, StrataService.adding(("strata_exposure", .string(status)), toMetadataOf: result))
    case .failure(let failure): return failure.response(key: key)
    }
  }

  /// `result` with a member added to its `metadata`.
  static func adding(_ member: (String, JSON), toMetadataOf result: JSON) -> JSON {
    guard case .object(var members) = result, let index = members.firstIndex(where: { $0.0 == "metadata" }),
      case .object(var metadata) = members[index].1
    else { return result }
    metadata.append(member)
    members[index].1 = .object(metadata)
    return .object(members)
  }

  /// `POST /ofrep/v1/evaluate/flags`: every experiment for one context, with a strong ETag.
  ///
  /// A revalidation (`If-None-Match`) of a body in the usual form is answered from the unit id and the compact context
  /// read straight from the body (``OFREPRequest/revalidation(_:)``): the same ETag as the general path's, without
  /// the body's JSON tree, which only a `200` needs. When it does not match, the `200` keeps that ETag and the consent
  /// read for it (the answer is evaluated for the same consent state its ETag names) and does not write the context
  /// again.
  func evaluateFlags(_ request: Request) async -> Response {
    if let denied = admit(request, roles: StrataService.bulkRoles, api: .ofrep) { return denied }
    let body: ByteBuffer
    switch await Responses.body(request, limit: configuration.ofrepBodyLimit, api: .ofrep) {
    case .success(let buffer): body = buffer
    case .failure(let failure): return failure.response
    }
    let catalog = self.catalog
    let condition = request.headers.value(of: .ifNoneMatch)
    var known: (refused: Bool, etag: String)?
    if let condition, let revalidation = OFREPRequest.revalidation(body) {
      let refused = consent.isRefused(unit: revalidation.unit)
      let etag = OFREPRequest.bulkETag(catalog: catalog.etag, refused: refused, context: revalidation.contextBytes)
      if OFREPRequest.matches(condition, etag: etag) { return Response(status: .notModified, headers: [.eTag: etag]) }
      known = (refused, etag)
    }
    let parsed: OFREPRequest
    switch OFREPRequest.context(body, keepingBytes: known == nil) {
    case .success(let value): parsed = value
    case .failure(let failure): return failure.response(key: nil)
    }
    let refused: Bool
    let etag: String
    if let known {
      (refused, etag) = known
    } else {
      refused = consent.isRefused(unit: parsed.context.unit)
      etag = OFREPRequest.bulkETag(catalog: catalog.etag, refused: refused, context: parsed.contextBytes)
      if let condition, OFREPRequest.matches(condition, etag: etag) {
        return Response(status: .notModified, headers: [.eTag: etag])
      }
    }
    var flags: [JSON] = []
    flags.reserveCapacity(catalog.entries.count)
    for entry in catalog.entries {
      switch evaluation(entry, parsed.context, refused: refused) {
      case .success(let result): flags.append(result)
      case .failure(let failure): flags.append(failure.item(key: entry.experiment.id))
      }
    }
    return Responses.json(
      .ok,
      .object([("flags", .array(flags)), ("metadata", .object([("strata_catalog_etag", .string(catalog.etag))]))]),
      headers: [.eTag: etag])
  }

  /// One flag's evaluation success object (`refused`: the unit withdrew consent, so it is not assigned).
  func evaluation(_ entry: CatalogEntry, _ context: UnitContext, refused: Bool) -> Result<JSON, OFREPFailure> {
    let assignment: Assignment
    do {
      assignment = try context.assign(entry, refused: refused)
    } catch {
      return .failure(
        OFREPFailure(status: .badRequest, code: "INVALID_CONTEXT", details: "context.\(error.field): \(error.message)"))
    }
    metrics.evaluation(assignment.reason)
    var metadata: [(String, JSON)] = [("strata_reason", .string(assignment.reason.rawValue))]
    if let bucket = assignment.bucket { metadata.append(("strata_bucket", .integer(bucket))) }
    if let segment = assignment.segment { metadata.append(("strata_segment", .string(segment))) }
    metadata.append(("strata_definition_hash", .string(entry.definitionHash)))
    let key: (String, JSON) = ("key", .string(entry.experiment.id))
    if let index = assignment.variantIndex {
      return .success(
        .object([
          key, ("value", entry.value(ofVariant: index)), ("reason", .string("SPLIT")),
          ("variant", .string(entry.experiment.variants[index].key)), ("metadata", .object(metadata)),
        ]))
    }
    let byRule = assignment.reason == .noConsent || assignment.reason == .notEligible
    return .success(
      .object([
        key, ("reason", .string(byRule ? "TARGETING_MATCH" : "SPLIT")),
        ("variant", .string("strata:\(assignment.reason.rawValue)")), ("metadata", .object(metadata)),
      ]))
  }
}

/// An OFREP evaluation failure: its status, OpenFeature error code and details.
struct OFREPFailure: Error {
  var status: HTTPResponse.Status
  var code: String
  var details: String

  /// The whole response (`key` only for single-flag evaluation).
  func response(key: String?) -> Response {
    var members: [(String, JSON)] = key.map { [("key", .string($0))] } ?? []
    members += [("errorCode", .string(code)), ("errorDetails", .string(details))]
    return Responses.json(status, .object(members))
  }

  /// An item of a bulk response's `flags`.
  func item(key: String) -> JSON {
    .object([("key", .string(key)), ("errorCode", .string(code)), ("errorDetails", .string(details))])
  }
}

/// A parsed OFREP request body.
struct OFREPRequest {
  var context: UnitContext
  /// The context re-serialized compactly (for the bulk ETag; empty unless asked for).
  var contextBytes: [UInt8]

  /// Reads `{"context": {"targetingKey": "...", ...}}`; `keepingBytes`: also re-serialize the context (for the bulk
  /// ETag).
  static func context(_ body: ByteBuffer, keepingBytes: Bool) -> Result<OFREPRequest, OFREPFailure> {
    let json: JSON
    do {
      json = try JSON.parse(body.readableBytesView)
    } catch {
      return .failure(OFREPFailure(status: .badRequest, code: "PARSE_ERROR", details: "the body is not JSON: \(error)"))
    }
    guard case .object = json else {
      return .failure(
        OFREPFailure(status: .badRequest, code: "INVALID_CONTEXT", details: "the body must be an object with a context")
      )
    }
    guard let contextJSON = json["context"] else {
      return .failure(
        OFREPFailure(
          status: .badRequest, code: "TARGETING_KEY_MISSING",
          details: "the body has no context; it needs context.targetingKey (the unit id)"))
    }
    guard case .object(let members) = contextJSON else {
      return .failure(OFREPFailure(status: .badRequest, code: "INVALID_CONTEXT", details: "context must be an object"))
    }
    guard let targeting = members.first(where: { $0.0 == "targetingKey" })?.1 else {
      return .failure(
        OFREPFailure(
          status: .badRequest, code: "TARGETING_KEY_MISSING", details: "context.targetingKey (the unit id) is missing"))
    }
    guard case .string(let unit) = targeting else {
      return .failure(
        OFREPFailure(status: .badRequest, code: "INVALID_CONTEXT", details: "context.targetingKey must be text"))
    }
    guard !unit.isEmpty else {
      return .failure(
        OFREPFailure(status: .badRequest, code: "TARGETING_KEY_MISSING", details: "context.targetingKey is empty"))
    }
    var bytes: [UInt8] = []
    if keepingBytes {
      bytes.reserveCapacity(body.readableBytes)
      contextJSON.write(to: &bytes)
    }
    return .success(
      OFREPRequest(
        context: UnitContext(unit: unit, attributes: members.filter { $0.0 != "targetingKey" }), contextBytes: bytes))
  }
}
