import Hummingbird
import StrataAssignment

/// The native API: `POST /v1/assign` (many units × experiments, the fields of `strata assign --json`
/// plus the experiment, its definition hash and the variant's value) and the catalog
/// (`GET /v1/experiments`, `GET /v1/experiments/{id}`).
extension StrataService {
  static let assignRoles: Set<APIKeyRole> = [.server]
  static let catalogRoles: Set<APIKeyRole> = [.viewer]

  /// `POST /v1/assign`.
  func assign(_ request: Request) async -> Response {
    if let denied = admit(request, roles: StrataService.assignRoles, api: .native) { return denied }
    let body: ByteBuffer
    switch await Responses.body(request, limit: configuration.nativeBodyLimit, api: .native) {
    case .success(let buffer): body = buffer
    case .failure(let failure): return failure.response
    }
    let catalog = self.catalog
    let parsed: AssignRequest
    do {
      parsed = try AssignRequest(body: body, catalog: catalog, limit: configuration.assignLimit)
    } catch {
      return Responses.error(.native, error.status, code: error.code, message: error.message)
    }
    var items: [JSON] = []
    items.reserveCapacity(parsed.units.count * parsed.experiments.count)
    for (unitIndex, unit) in parsed.units.enumerated() {
      let refused = consent.isRefused(unit: unit.unit)
      for entry in parsed.experiments {
        let assignment: Assignment
        do {
          assignment = try unit.assign(entry, refused: refused)
        } catch {
          let field = parsed.isBatch ? "units[\(unitIndex)].attributes.\(error.field)" : "attributes.\(error.field)"
          return Responses.error(.native, .badRequest, code: "invalid_request", message: "\(field): \(error.message)")
        }
        metrics.evaluation(assignment.reason)
        items.append(StrataService.assignmentJSON(entry, unit: unit.unit, assignment))
      }
    }
    return Responses.json(
      .ok, .object([("catalog_etag", .string(catalog.etag)), ("assignments", .array(items))]))
  }

  /// One assignment in the fields of `strata assign --json`, with the experiment, its definition hash
  /// and the variant's value.
  static func assignmentJSON(_ entry: CatalogEntry, unit: String, _ assignment: Assignment) -> JSON {
    var members: [(String, JSON)] = [
      ("experiment", .string(entry.experiment.id)), ("definition_hash", .string(entry.definitionHash)),
      ("unit", .string(unit)), ("segment", assignment.segment.map(JSON.string) ?? .null),
      ("variant", assignment.variant.map(JSON.string) ?? .null),
      ("bucket", assignment.bucket.map(JSON.integer) ?? .null), ("eligible", .bool(assignment.eligible)),
      ("reason", .string(assignment.reason.rawValue)),
      ("value", assignment.variantIndex.map { entry.value(ofVariant: $0) } ?? .null),
    ]
    if !entry.factorNames.isEmpty {
      let cell = assignment.variantIndex.map { entry.experiment.variants[$0] }
      members.append(
        (
          "factors",
          cell.map { cell in .object(entry.factorNames.map { ($0, .string(cell.factorLevels[$0] ?? "")) }) } ?? .null
        ))
    }
    return .object(members)
  }

  /// `GET /v1/experiments`.
  func experiments(_ request: Request) -> Response {
    if let denied = admit(request, roles: StrataService.catalogRoles, api: .native) { return denied }
    let catalog = self.catalog
    let etag = "\"\(catalog.etag)\""
    if let condition = request.headers.value(of: .ifNoneMatch), OFREPRequest.matches(condition, etag: etag) {
      return Response(status: .notModified, headers: [.eTag: etag])
    }
    return Responses.json(
      .ok,
      .object([
        ("etag", .string(catalog.etag)), ("loaded_at", .string(timestamp(catalog.loadedAt))),
        ("experiments", .array(catalog.entries.map { StrataService.summaryJSON($0, withDefinition: false) })),
      ]), headers: [.eTag: etag])
  }

  /// `GET /v1/experiments/{id}`.
  func experiment(_ request: Request, id: String) -> Response {
    if let denied = admit(request, roles: StrataService.catalogRoles, api: .native) { return denied }
    guard let entry = catalog[id] else {
      return Responses.error(
        .native, .notFound, code: "experiment_not_found", message: "no experiment \"\(id)\" in the catalog")
    }
    return Responses.json(
      .ok, StrataService.summaryJSON(entry, withDefinition: true), headers: [.eTag: "\"\(entry.definitionHash)\""])
  }

  static func summaryJSON(_ entry: CatalogEntry, withDefinition: Bool) -> JSON {
    let experiment = entry.experiment
    var members: [(String, JSON)] = [
      ("id", .string(experiment.id)), ("name", .string(experiment.name)),
      ("definition_hash", .string(entry.definitionHash)), ("file", .string(entry.file)),
      ("unit", .string(experiment.unit)),
      ("value_type", .string(entry.valueKind?.rawValue ?? "string")),
      (
        "variants",
        .array(
          experiment.variants.indices.map { index in
            let variant = experiment.variants[index]
            return .object([
              ("key", .string(variant.key)), ("weight", .string("\(variant.weight)")),
              ("value", entry.value(ofVariant: index)),
            ])
          })
      ),
      ("control", .string(experiment.control.key)),
      ("segments", .array(experiment.segmentNames.map(JSON.string))),
      ("attributes", .array(experiment.attributeNames.map(JSON.string))),
    ]
    if withDefinition { members.append(("definition", .string(entry.yaml))) }
    return .object(members)
  }
}
