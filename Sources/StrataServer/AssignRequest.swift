import Hummingbird

/// A `POST /v1/assign` body: one unit (`unit`, `attributes`) or many (`units: [{unit, attributes}]`),
/// for the experiments listed (`experiments: [id]` or `experiment: id`; all of the catalog when
/// neither is given).
struct AssignRequest {
  var units: [UnitContext]
  var experiments: [CatalogEntry]
  var isBatch: Bool

  struct Failure: Error {
    var status: HTTPResponse.Status = .badRequest
    var code = "invalid_request"
    var message: String
  }

  init(body: ByteBuffer, catalog: Catalog, limit: Int) throws(Failure) {
    let json: JSON
    do {
      json = try JSON.parse(body.readableBytesView)
    } catch {
      throw Failure(code: "invalid_json", message: "the body is not JSON: \(error)")
    }
    guard case .object(let members) = json else { throw Failure(message: "the body must be a JSON object") }
    let known: Set<String> = ["unit", "attributes", "units", "experiment", "experiments"]
    if let unknown = members.first(where: { !known.contains($0.0) }) {
      throw Failure(message: "\(unknown.0): unknown field (known: attributes, experiment, experiments, unit, units)")
    }
    switch (json["unit"], json["units"]) {
    case (nil, nil): throw Failure(message: "unit: give unit (one unit) or units (a list)")
    case (.some, .some): throw Failure(message: "units: give unit or units, not both")
    case (let unit?, nil):
      isBatch = false
      units = [try AssignRequest.unit(unit, attributes: json["attributes"], path: "")]
    case (nil, let list?):
      if json["attributes"] != nil {
        throw Failure(message: "attributes: with units, each unit carries its attributes")
      }
      guard case .array(let items) = list else { throw Failure(message: "units: expected a list") }
      guard !items.isEmpty else { throw Failure(message: "units: the list is empty") }
      isBatch = true
      var units: [UnitContext] = []
      units.reserveCapacity(items.count)
      for (index, item) in items.enumerated() {
        let path = "units[\(index)]."
        guard case .object(let fields) = item else { throw Failure(message: "units[\(index)]: expected an object") }
        if let unknown = fields.first(where: { $0.0 != "unit" && $0.0 != "attributes" }) {
          throw Failure(message: "\(path)\(unknown.0): unknown field (known: unit, attributes)")
        }
        guard let unit = item["unit"] else { throw Failure(message: "\(path)unit: missing") }
        units.append(try AssignRequest.unit(unit, attributes: item["attributes"], path: path))
      }
      self.units = units
    }
    var ids: [(String, String)] = []
    switch (json["experiment"], json["experiments"]) {
    case (.some, .some): throw Failure(message: "experiments: give experiment or experiments, not both")
    case (let one?, nil):
      guard case .string(let id) = one else { throw Failure(message: "experiment: expected an experiment id (text)") }
      ids = [(id, "experiment")]
    case (nil, let list?):
      guard case .array(let items) = list, !items.isEmpty else {
        throw Failure(message: "experiments: expected a non-empty list of experiment ids")
      }
      for (index, item) in items.enumerated() {
        guard case .string(let id) = item else { throw Failure(message: "experiments[\(index)]: expected text") }
        ids.append((id, "experiments[\(index)]"))
      }
    case (nil, nil): break
    }
    if ids.isEmpty {
      experiments = catalog.entries
    } else {
      experiments = []
      for (id, path) in ids {
        guard let entry = catalog[id] else {
          throw Failure(
            status: .notFound, code: "experiment_not_found", message: "\(path): no experiment \"\(id)\" in the catalog")
        }
        experiments.append(entry)
      }
    }
    let total = units.count * experiments.count
    guard total <= limit else {
      throw Failure(
        message:
          "units: \(units.count) units × \(experiments.count) experiments = \(total) assignments; at most \(limit) per request"
      )
    }
  }

  private static func unit(_ unit: JSON, attributes: JSON?, path: String) throws(Failure) -> UnitContext {
    guard case .string(let id) = unit, !id.isEmpty else {
      throw Failure(message: "\(path)unit: expected non-empty text")
    }
    switch attributes {
    case nil, .null?: return UnitContext(unit: id, attributes: [])
    case .object(let members)?: return UnitContext(unit: id, attributes: members)
    default: throw Failure(message: "\(path)attributes: expected an object of name: value")
    }
  }
}
