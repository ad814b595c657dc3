extension Experiment {
  /// Validates a nearest-centroid segmentation (spec §5a): at least one feature, names unique identifiers, finite
  /// centres, positive finite scales, non-negative finite weights; at least one segment; no segment rule; every
  /// segment's centroid has one coordinate per feature of the feature's kind (a finite number or a level).
  static func check(_ segmentation: NearestCentroid, segments: [Segment]) throws(DefinitionError) {
    let features = segmentation.features
    guard !features.isEmpty else {
      throw DefinitionError(
        field: "segmentation.features", message: "nearest-centroid segments need at least 1 feature")
    }
    var names: Set<String> = []
    for (index, feature) in features.enumerated() {
      let field = "segmentation.features[\(index)]"
      let name = feature.name
      let valid =
        !name.isEmpty
        && name.utf8.allSatisfy { byte in
          (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F
            || byte == 0x2E
        }
      guard valid, let first = name.utf8.first, !(first >= 0x30 && first <= 0x39) && first != 0x2E else {
        throw DefinitionError(
          field: "\(field).name",
          message: "\"\(name)\" must be an attribute name (letters, digits, \"_\" and \".\", not starting with a digit)"
        )
      }
      guard names.insert(name).inserted else {
        throw DefinitionError(field: "\(field).name", message: "feature \"\(name)\" is listed twice")
      }
      switch feature {
      case .numeric(_, let center, let scale):
        guard center.isFinite else {
          throw DefinitionError(field: "\(field).center", message: "must be a finite number, got \(center)")
        }
        guard scale > 0 && scale.isFinite else {
          throw DefinitionError(field: "\(field).scale", message: "must be a positive, finite number, got \(scale)")
        }
      case .categorical(_, let weight):
        guard weight >= 0 && weight.isFinite else {
          throw DefinitionError(
            field: "\(field).weight", message: "must be a non-negative, finite number, got \(weight)")
        }
      }
    }
    guard !segments.isEmpty else {
      throw DefinitionError(field: "segments", message: "nearest-centroid segmentation needs at least 1 segment")
    }
    for (index, segment) in segments.enumerated() {
      let field = "segments[\(index)]"
      if segment.rule != nil {
        throw DefinitionError(
          field: "\(field).rule",
          message: "segments found by nearest centroid take a centroid, not a rule (segment \"\(segment.name)\")")
      }
      guard let centroid = segment.centroid else {
        throw DefinitionError(
          field: "\(field).centroid", message: "segment \"\(segment.name)\" needs a centroid (one value per feature)")
      }
      guard centroid.count == features.count else {
        throw DefinitionError(
          field: "\(field).centroid",
          message: "has \(centroid.count) values; the segmentation has \(features.count) features")
      }
      for (feature, coordinate) in zip(features, centroid) {
        switch (feature, coordinate) {
        case (.numeric, .number(let value)):
          guard value.isFinite else {
            throw DefinitionError(
              field: "\(field).centroid.\(feature.name)", message: "must be a finite number, got \(value)")
          }
        case (.categorical, .level): break
        case (.numeric, .level):
          throw DefinitionError(
            field: "\(field).centroid.\(feature.name)", message: "feature \"\(feature.name)\" is numeric: give a number"
          )
        case (.categorical, .number):
          throw DefinitionError(
            field: "\(field).centroid.\(feature.name)",
            message: "feature \"\(feature.name)\" is categorical: give its level as text")
        }
      }
    }
  }

  /// Rejects centroids on rule-based segments (they would be silently ignored).
  static func checkNoCentroids(_ segments: [Segment]) throws(DefinitionError) {
    for (index, segment) in segments.enumerated() where segment.centroid != nil {
      throw DefinitionError(
        field: "segments[\(index)].centroid",
        message: "a centroid needs a nearest-centroid segmentation (the segmentation key)")
    }
  }
}
