/// A segment rule form for discovered segments (assignment spec §5a, spec_version 1.1): a unit belongs to the
/// segment whose centroid is nearest to its attributes.
///
/// ```
/// distance(unit, segment) = Σ over features, in listed order, of
///     numeric feature:      t · t  with  t = (x − centroid) / scale,  x = the attribute read as a number,
///                           or `center` when the attribute is missing or not a number
///     categorical feature:  weight  when the attribute is text that differs from the centroid's level,
///                           0 when it equals it (UTF-8 bytes) or is missing
/// segment = the first segment (in listed order) with the smallest distance
/// ```
/// IEEE-754 double arithmetic in exactly this order (a sum starting at 0, one term per feature, no fused
/// multiply-add), so every implementation finds the same segment for the same attributes. A missing numeric value
/// counts as the discovery half's centre (the imputation used when the segments were found); a missing categorical
/// value adds nothing to any distance. With only numeric features this is the nearest centroid of k-means in the
/// scaled space; with categorical ones it is Huang's k-prototypes distance (weight = γ).
public struct NearestCentroid: Sendable, Hashable {
  /// One feature of the distance.
  public enum Feature: Sendable, Hashable {
    /// A number, scaled as (x − center) / scale.
    case numeric(name: String, center: Double, scale: Double)
    /// A category; a mismatch with the centroid's level costs `weight`.
    case categorical(name: String, weight: Double)

    /// The attribute it reads.
    public var name: String {
      switch self {
      case .numeric(let name, _, _), .categorical(let name, _): return name
      }
    }
  }

  /// A centroid's value for one feature: a number (in the attribute's own units) or a level.
  public enum Coordinate: Sendable, Hashable {
    case number(Double)
    case level(String)
  }

  /// The features, in the order the distance sums them.
  public let features: [Feature]

  public init(features: [Feature]) {
    self.features = features
  }

  /// The distance of attribute values (one per feature, in feature order) to `centroid`, as specified above.
  public func distance(_ values: [AttributeValue?], to centroid: [Coordinate]) -> Double {
    precondition(values.count == features.count && centroid.count == features.count, "one value per feature")
    var sum = 0.0
    for (index, feature) in features.enumerated() {
      sum += NearestCentroid.term(feature, values[index], centroid[index])
    }
    return sum
  }

  /// One feature's term of the distance.
  @inline(__always)
  static func term(_ feature: Feature, _ value: AttributeValue?, _ coordinate: Coordinate) -> Double {
    switch (feature, coordinate) {
    case (.numeric(_, let center, let scale), .number(let c)):
      let x = value?.numberValue ?? center
      let t = (x - c) / scale
      return t * t
    case (.categorical(_, let weight), .level(let level)):
      guard case .string(let text)? = value else { return 0 }
      return text.utf8.elementsEqual(level.utf8) ? 0 : weight
    default:
      preconditionFailure("centroid coordinates are validated against the features")
    }
  }
}

/// The nearest-centroid rule compiled against an experiment's attribute slots.
@usableFromInline
final class NearestCentroidTable: Sendable {
  let rule: NearestCentroid
  /// The attribute slot of each feature.
  let slots: [Int]
  /// Each segment's centroid, in segment order.
  let centroids: [[NearestCentroid.Coordinate]]

  init(rule: NearestCentroid, slots: [Int], centroids: [[NearestCentroid.Coordinate]]) {
    self.rule = rule
    self.slots = slots
    self.centroids = centroids
  }

  /// The index of the first segment with the smallest distance.
  @usableFromInline
  func resolve(_ values: UnsafeBufferPointer<AttributeValue?>) -> Int {
    var best = 0
    var bestDistance = distance(values, centroids[0])
    for segment in 1..<centroids.count {
      // Strictly smaller: ties keep the earlier segment.
      let distance = distance(values, centroids[segment])
      if distance < bestDistance {
        best = segment
        bestDistance = distance
      }
    }
    return best
  }

  private func distance(
    _ values: UnsafeBufferPointer<AttributeValue?>, _ centroid: [NearestCentroid.Coordinate]
  ) -> Double {
    var sum = 0.0
    for (index, feature) in rule.features.enumerated() {
      sum += NearestCentroid.term(feature, values[slots[index]], centroid[index])
    }
    return sum
  }
}
