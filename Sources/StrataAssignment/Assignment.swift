/// Why a unit did or did not get a variant.
///
/// The raw values are the `reason` strings of the CLI and the spec.
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

  /// The same assignment as indices.
  public var compact: CompactAssignment {
    CompactAssignment(segmentIndex: segmentIndex, variantIndex: variantIndex, bucket: bucket, reason: reason)
  }

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

/// The outcome of assigning one unit as indices into the experiment's segments and variants: no strings and no
/// references, packed into 8 bytes so it is returned in a register.
///
/// The hot path of batch and high-volume callers; ``Experiment/name(of:)`` turns it into an ``Assignment``.
public struct CompactAssignment: Sendable, Hashable {
  // UInt16.max / -1 stand for "none"; experiments have far fewer than 65,535 segments or variants.
  @usableFromInline let segment: UInt16
  @usableFromInline let variant: UInt16
  @usableFromInline let storedBucket: Int16
  public let reason: AssignmentReason

  @inlinable
  public init(segmentIndex: Int? = nil, variantIndex: Int? = nil, bucket: Int? = nil, reason: AssignmentReason) {
    segment = segmentIndex.map { UInt16($0) } ?? .max
    variant = variantIndex.map { UInt16($0) } ?? .max
    storedBucket = bucket.map { Int16($0) } ?? -1
    self.reason = reason
  }

  /// Index into ``Experiment/segments``; nil for `no_consent` and `not_eligible`.
  @inlinable public var segmentIndex: Int? { segment == .max ? nil : Int(segment) }
  /// Index into ``Experiment/variants``; nil when the unit is excluded.
  @inlinable public var variantIndex: Int? { variant == .max ? nil : Int(variant) }
  /// The variant bucket when the unit reached the variant step; nil otherwise.
  @inlinable public var bucket: Int? { storedBucket < 0 ? nil : Int(storedBucket) }
  /// Whether the unit gets a variant.
  @inlinable public var eligible: Bool { variant != .max }
}
