/// Why a unit did or did not get a variant. The raw values are the `reason` strings of the CLI and the
/// spec.
public enum AssignmentReason: String, Sendable, Hashable, CaseIterable {
  /// Assigned by its bucket (online hashing).
  case assigned
  /// Assigned by the stratified batch deal.
  case stratified
  /// The experiment requires consent and the unit's consent attribute is false or missing.
  case noConsent = "no_consent"
  /// The eligibility rule did not match.
  case notEligible = "not_eligible"
  /// The unit is in the global holdout.
  case holdout
  /// The unit's layer bucket is outside this experiment's layer range.
  case layer
  /// The unit's bucket is outside every variant's active range (traffic below 1).
  case traffic
}

/// The outcome of assigning one unit: its segment, its variant (nil when excluded), its bucket and why.
public struct Assignment: Sendable, Hashable {
  /// The segment's name; nil when the unit was excluded before segments were resolved
  /// (`no_consent`, `not_eligible`).
  public var segment: String?
  /// Index into ``Experiment/segments``.
  public var segmentIndex: Int?
  /// The variant's key; nil when the unit is excluded.
  public var variant: String?
  /// Index into ``Experiment/variants``.
  public var variantIndex: Int?
  /// The variant bucket (0..<10000) when the unit reached the variant step (`assigned`, `stratified`,
  /// `traffic`); nil otherwise.
  public var bucket: Int?
  public var reason: AssignmentReason

  /// Whether the unit gets a variant.
  public var eligible: Bool { variant != nil }

  public init(
    segment: String? = nil, segmentIndex: Int? = nil, variant: String? = nil, variantIndex: Int? = nil,
    bucket: Int? = nil, reason: AssignmentReason
  ) {
    self.segment = segment
    self.segmentIndex = segmentIndex
    self.variant = variant
    self.variantIndex = variantIndex
    self.bucket = bucket
    self.reason = reason
  }
}
