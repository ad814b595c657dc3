import StrataAssignment
import Yams

extension DefinitionLoader {
  /// Reads `segmentation:` (nearest-centroid segments, docs/assignment-spec.md §5a).
  ///
  /// ```yaml
  /// segmentation:
  ///   method: nearest_centroid
  ///   features:
  ///     - {name: checkins_90d, center: 9.5, scale: 6.25}
  ///     - {name: plan, categorical: true, weight: 0.75}
  /// ```
  static func readSegmentation(_ node: Node, _ fields: inout YAMLFields) throws(ExperimentFileError) -> NearestCentroid
  {
    let map = try fields.mapping(node, "segmentation", allowed: ["method", "features"])
    guard let methodNode = map["method"], let featuresNode = map["features"] else {
      throw fields.error("segmentation", node, "needs method: nearest_centroid and a list of features")
    }
    let method = try fields.string(methodNode, "segmentation.method")
    guard method == "nearest_centroid" else {
      throw fields.error(
        "segmentation.method", methodNode,
        "\"\(DisplayText.echo(method))\" is not a method; the one method is nearest_centroid")
    }
    var features: [NearestCentroid.Feature] = []
    for (index, item) in try fields.sequence(featuresNode, "segmentation.features").enumerated() {
      let path = "segmentation.features[\(index)]"
      let feature = try fields.mapping(item, path, allowed: ["name", "center", "scale", "categorical", "weight"])
      guard let nameNode = feature["name"] else {
        throw fields.error("\(path).name", item, "each feature needs a name")
      }
      let name = try fields.string(nameNode, "\(path).name")
      let categorical = try feature["categorical"].map { node throws(ExperimentFileError) in
        try fields.bool(node, "\(path).categorical")
      }
      if categorical == true {
        guard let weight = feature["weight"] else {
          throw fields.error("\(path).weight", item, "a categorical feature needs a weight (the cost of a mismatch)")
        }
        for key in ["center", "scale"] where feature[key] != nil {
          throw fields.error("\(path).\(key)", feature[key], "a categorical feature has a weight, not a \(key)")
        }
        features.append(.categorical(name: name, weight: try fields.double(weight, "\(path).weight")))
      } else {
        guard let center = feature["center"], let scale = feature["scale"] else {
          throw fields.error(path, item, "a numeric feature needs a center and a scale")
        }
        if let weight = feature["weight"] {
          throw fields.error("\(path).weight", weight, "a numeric feature has a center and a scale, not a weight")
        }
        features.append(
          .numeric(
            name: name, center: try fields.double(center, "\(path).center"),
            scale: try fields.double(scale, "\(path).scale")))
      }
    }
    return NearestCentroid(features: features)
  }

  /// Reads a segment's `centroid:` (feature: value, one per feature of the segmentation).
  static func centroid(
    _ node: Node, _ path: @autoclosure () -> String, _ segmentation: NearestCentroid?, _ fields: inout YAMLFields
  ) throws(ExperimentFileError) -> [NearestCentroid.Coordinate] {
    guard let segmentation else {
      throw fields.error(path(), node, "a centroid needs a segmentation (method: nearest_centroid and its features)")
    }
    let names = segmentation.features.map(\.name)
    let map = try fields.mapping(node, path(), allowed: Set(names))
    var coordinates: [NearestCentroid.Coordinate] = []
    for feature in segmentation.features {
      guard let value = map[feature.name] else {
        throw fields.error(path(), node, "has no value for feature \"\(feature.name)\" (every feature needs one)")
      }
      switch feature {
      case .numeric: coordinates.append(.number(try fields.double(value, "\(path()).\(feature.name)")))
      case .categorical: coordinates.append(.level(try fields.string(value, "\(path()).\(feature.name)")))
      }
    }
    return coordinates
  }
}
