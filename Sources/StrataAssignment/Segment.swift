/// A segment of the audience, resolved from a unit's attributes: segments are tried in order and the
/// first whose rule matches wins; the last segment has no rule and takes everyone else.
///
/// A segment may override the experiment's traffic and variant weights, and analysis reports each
/// segment separately ("does this variant work for this segment?").
public struct Segment: Sendable, Hashable {
  /// Name used in output and reports (`high`, `new_members`).
  public var name: String
  /// Who belongs; nil for the default (last) segment.
  public var rule: Rule?
  /// Traffic for this segment instead of the experiment's.
  public var traffic: ExactDecimal?
  /// Weights by variant key instead of the variants' own; variants not listed keep their weight.
  public var weights: [String: ExactDecimal]
  /// The segment's centroid when the experiment segments by nearest centroid (``Experiment/segmentation``), one
  /// coordinate per feature; nil otherwise.
  public var centroid: [NearestCentroid.Coordinate]?

  public init(
    name: String, rule: Rule? = nil, traffic: ExactDecimal? = nil, weights: [String: ExactDecimal] = [:],
    centroid: [NearestCentroid.Coordinate]? = nil
  ) {
    self.name = name
    self.rule = rule
    self.traffic = traffic
    self.weights = weights
    self.centroid = centroid
  }

  /// The name given to the default segment when a definition does not declare one.
  public static let defaultName = "default"
}
