import Hummingbird
import StrataAssignment

extension IngestRequest {
  static let exposureFields = ["id", "experiment", "unit", "variant", "definition", "time", "segment", "attributes"]

  /// An exposure item that passed every check the catalog allows, and whether its definition hash names an older
  /// definition (to be looked up in the store: the service must have served it).
  struct CheckedExposure {
    var row: ExposureRow
    var index: Int
    var olderDefinition: Bool
  }

  /// Reads `{"exposures": [{"id", "experiment", "unit", "variant", "definition"?, "time"?, "segment"?,
  /// "attributes"?}]}`.
  ///
  /// The variant must be the one the service assigns the unit under the current definition, unless `definition`
  /// names an older definition of the experiment (checked against the store by the caller). The check uses the
  /// unit's `attributes` when given (the whole assignment: consent, eligibility, segment, holdout, layer, bucket);
  /// otherwise the unit's bucket in its `segment` (which may be left out when the experiment has one segment).
  static func exposures(_ body: ByteBuffer, catalog: Catalog, now: IngestTime) throws(IngestFailure)
    -> [CheckedExposure]
  {
    let key = "exposures"
    var checked: [CheckedExposure] = []
    for (index, item) in try items(body, key: key).enumerated() {
      let item = try fields(item, key, index, known: exposureFields)
      let id = try text(item, "id", key, index)
      let experimentID = try text(item, "experiment", key, index)
      guard let entry = catalog[experimentID] else {
        throw IngestFailure(
          message: "\(key)[\(index)].experiment: no experiment \"\(experimentID)\" in the catalog", index: index,
          field: "experiment")
      }
      let experiment = entry.experiment
      let unit = try text(item, "unit", key, index)
      let variant = try text(item, "variant", key, index, bounded: false)
      guard let variantIndex = experiment.variants.firstIndex(where: { $0.key == variant }) else {
        throw IngestFailure(
          message:
            "\(key)[\(index)].variant: \"\(variant)\" is not a variant of \(experimentID) (variants: \(experiment.variants.map(\.key).joined(separator: ", ")))",
          index: index, field: "variant")
      }
      let definition = try optionalText(item, "definition", key, index) ?? entry.definitionHash
      let older = definition != entry.definitionHash
      if older && !isHash(definition) {
        throw IngestFailure(
          message:
            "\(key)[\(index)].definition: expected a definition hash (64 lowercase hex digits, as in an assignment's definition_hash)",
          index: index, field: "definition")
      }
      let time = try self.time(item, key, index, now: now)
      var segment = try optionalText(item, "segment", key, index)
      if let name = segment, !experiment.segmentNames.contains(name) {
        throw IngestFailure(
          message:
            "\(key)[\(index)].segment: \"\(name)\" is not a segment of \(experimentID) (segments: \(experiment.segmentNames.joined(separator: ", ")))",
          index: index, field: "segment")
      }
      if !older {
        segment = try checkAssignment(
          item, entry: entry, unit: unit, variantIndex: variantIndex, segment: segment, index: index)
      } else if segment == nil {
        guard experiment.segments.count == 1 else {
          throw IngestFailure(
            message:
              "\(key)[\(index)].segment: \(experimentID) has segments (\(experiment.segmentNames.joined(separator: ", "))); give the unit's segment",
            index: index, field: "segment")
        }
        segment = experiment.segmentNames[0]
      }
      checked.append(
        CheckedExposure(
          row: ExposureRow(
            id: id, experiment: experimentID, unit: unit, variant: variant, segment: segment ?? "", time: time,
            definitionHash: definition),
          index: index, olderDefinition: older))
    }
    return checked
  }

  /// Checks that the current definition assigns `unit` the variant at `variantIndex`; returns its segment.
  static func checkAssignment(
    _ item: JSON, entry: CatalogEntry, unit: String, variantIndex: Int, segment: String?, index: Int
  ) throws(IngestFailure) -> String {
    let key = "exposures"
    let experiment = entry.experiment
    let variant = experiment.variants[variantIndex].key
    let advice =
      "if the unit was assigned under an older definition, send its definition_hash as definition"
    if let attributes = item["attributes"], attributes != .null {
      guard case .object(let members) = attributes else {
        throw IngestFailure(
          message: "\(key)[\(index)].attributes: expected an object of name: value", index: index,
          field: "attributes")
      }
      let assignment: Assignment
      do {
        assignment = try UnitContext(unit: unit, attributes: members).assign(entry)
      } catch {
        throw IngestFailure(
          message: "\(key)[\(index)].attributes.\(error.field): \(error.message)", index: index, field: "attributes")
      }
      guard let assigned = assignment.variant, let assignedSegment = assignment.segment else {
        throw IngestFailure(
          message:
            "\(key)[\(index)].variant: the current definition of \(experiment.id) assigns unit \"\(unit)\" no variant (\(assignment.reason.rawValue)); \(advice)",
          index: index, field: "variant")
      }
      guard assigned == variant else {
        throw IngestFailure(
          message:
            "\(key)[\(index)].variant: \"\(variant)\" disagrees with the current definition, which assigns unit \"\(unit)\" \"\(assigned)\"; \(advice)",
          index: index, field: "variant")
      }
      if let segment, segment != assignedSegment {
        throw IngestFailure(
          message:
            "\(key)[\(index)].segment: \"\(segment)\" disagrees with the attributes, which put unit \"\(unit)\" in \"\(assignedSegment)\"",
          index: index, field: "segment")
      }
      return assignedSegment
    }
    guard let name = segment ?? (experiment.segments.count == 1 ? experiment.segmentNames[0] : nil),
      let segmentIndex = experiment.segmentNames.firstIndex(of: name)
    else {
      throw IngestFailure(
        message:
          "\(key)[\(index)].segment: \(experiment.id) has segments (\(experiment.segmentNames.joined(separator: ", "))); give the unit's segment (from its assignment) or its attributes",
        index: index, field: "segment")
    }
    let bucket = Int(experiment.variantHash(unit: unit) % UInt32(BucketLayout.bucketCount))
    let owner = experiment.layouts[segmentIndex].variant(forBucket: bucket)
    guard owner == variantIndex else {
      let assigned = owner.map { "\"\(experiment.variants[$0].key)\"" } ?? "no variant (traffic)"
      throw IngestFailure(
        message:
          "\(key)[\(index)].variant: \"\(variant)\" disagrees with the current definition, which gives unit \"\(unit)\" in segment \(name) \(assigned); \(advice)",
        index: index, field: "variant")
    }
    return name
  }

  /// Whether `text` is 64 lowercase hex digits (a SHA-256 in hex).
  static func isHash(_ text: String) -> Bool {
    text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
  }
}
