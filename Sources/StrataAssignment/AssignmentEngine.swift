/// The compiled form of an experiment: rule programs bound to attribute slots, bucket layouts and pre-encoded hash-key
/// prefixes.
///
/// Immutable and shared, so assigning never copies the definition.
@usableFromInline
final class AssignmentEngine: @unchecked Sendable, Hashable {
  // @unchecked: `table` is written only in init and freed in deinit; everything else is immutable.
  @usableFromInline let attributeCount: Int
  @usableFromInline let consentSlot: Int?
  @usableFromInline let rules: RuleTable
  /// Root of the eligibility rule in `rules`, or -1 for none.
  @usableFromInline let eligibilityRoot: Int
  /// Root of each segment's rule in `rules`; -1 for the default segment (last).
  let segmentRoots: [Int]
  let segmentNames: [String]
  let layouts: [BucketLayout]
  let variantKeys: [String]
  let saltPrefix: [UInt8]
  /// Hash states after `salt:`, `layer salt:` and `holdout salt:`: each unit only continues them.
  @usableFromInline let variantState: MurmurHash3.State
  @usableFromInline let layerState: MurmurHash3.State?
  @usableFromInline let layerBuckets: Range<Int>
  @usableFromInline let holdoutState: MurmurHash3.State?
  @usableFromInline let holdoutBuckets: Int
  /// What the hot path reads, in unmanaged memory (no reference counting, no bounds checks after the
  /// init's): the segment roots (`segmentCount`), then every segment's range starts, then every
  /// segment's active range ends (segment-major, `variantCount` per segment).
  @usableFromInline let table: UnsafeMutableBufferPointer<Int>
  @usableFromInline let variantCount: Int
  @usableFromInline let segmentCount: Int
  /// The nearest-centroid rule, when segments are found by it instead of by rules.
  @usableFromInline let nearest: NearestCentroidTable?
  /// Whether small `String` ids may be hashed from the `String` value itself (``SmallUTF8``).
  @usableFromInline let readsSmallStrings: Bool

  init(
    attributeCount: Int, consentSlot: Int?, eligibility: RuleExpression?, segments: [RuleExpression?],
    segmentNames: [String],
    layouts: [BucketLayout], variantKeys: [String], saltPrefix: [UInt8], layer: ([UInt8], Range<Int>)?,
    holdout: ([UInt8], Int)?, nearest: NearestCentroidTable? = nil, slots: (String) -> Int
  ) {
    self.nearest = nearest
    let expressions = [eligibility].compactMap { $0 } + segments.compactMap { $0 }
    rules = RuleTable(expressions, slots: slots)
    var next = 0
    eligibilityRoot = eligibility == nil ? -1 : rules.roots[0]
    if eligibility != nil { next = 1 }
    var roots: [Int] = []
    for segment in segments {
      if segment == nil {
        roots.append(-1)
      } else {
        roots.append(rules.roots[next])
        next += 1
      }
    }
    segmentRoots = roots
    self.attributeCount = attributeCount
    self.consentSlot = consentSlot
    self.segmentNames = segmentNames
    self.layouts = layouts
    self.variantKeys = variantKeys
    self.saltPrefix = saltPrefix
    self.variantState = AssignmentEngine.state(after: saltPrefix)
    self.layerState = layer.map { AssignmentEngine.state(after: $0.0) }
    self.layerBuckets = layer?.1 ?? 0..<BucketLayout.bucketCount
    self.holdoutState = holdout.map { AssignmentEngine.state(after: $0.0) }
    self.holdoutBuckets = holdout?.1 ?? 0
    let rangeStarts = layouts.flatMap(\.starts)
    // Nearest-centroid segments have no rule roots (-1 each); `resolveSegment` asks the centroid table first.
    let flat = roots + rangeStarts + layouts.flatMap(\.activeEnds)
    precondition(rangeStarts.count == roots.count * variantKeys.count, "one layout per segment")
    table = UnsafeMutableBufferPointer<Int>.allocate(capacity: flat.count)
    _ = table.initialize(from: flat)
    variantCount = variantKeys.count
    segmentCount = roots.count
    readsSmallStrings = SmallUTF8.layoutVerified
  }

  deinit { table.deallocate() }

  static func state(after prefix: [UInt8]) -> MurmurHash3.State {
    var state = MurmurHash3.State()
    prefix.withUnsafeBytes { state.combine($0) }
    return state
  }

  /// Spec §4, in order: consent, eligibility, segment, holdout, layer, variant bucket.
  ///
  /// Inlinable and generic over the id's form, so a caller's loop compiles the whole hot path for its form into one
  /// function.
  @inlinable @inline(__always)
  func assign<Unit: UnitKey>(unit: Unit, attributes: [AttributeValue?]) -> CompactAssignment {
    precondition(attributes.count == attributeCount, "one attribute value (or nil) per attribute name")
    return attributes.withUnsafeBufferPointer { assign(unit: unit, values: $0) }
  }

  @inlinable @inline(__always)
  func assign<Unit: UnitKey>(unit: Unit, values: UnsafeBufferPointer<AttributeValue?>) -> CompactAssignment {
    // The variant hash first: it does not depend on the rules, so the CPU overlaps the two.
    let bucket = Int(unit.hash(after: variantState) % 10_000)
    if let consentSlot, values[consentSlot]?.boolValue != true {
      return CompactAssignment(reason: .noConsent)
    }
    if eligibilityRoot >= 0 && !rules.matches(eligibilityRoot, values) {
      return CompactAssignment(reason: .notEligible)
    }
    let segmentIndex = resolveSegment(values)
    if holdoutBuckets > 0, let holdoutState, Int(unit.holdoutHash(after: holdoutState) % 10_000) < holdoutBuckets {
      return CompactAssignment(segmentIndex: segmentIndex, reason: .holdout)
    }
    if let layerState, !layerBuckets.contains(Int(unit.layerHash(after: layerState) % 10_000)) {
      return CompactAssignment(segmentIndex: segmentIndex, reason: .layer)
    }
    let variantIndex = variant(segment: segmentIndex, bucket: bucket)
    guard variantIndex >= 0 else {
      return CompactAssignment(segmentIndex: segmentIndex, bucket: bucket, reason: .traffic)
    }
    return CompactAssignment(segmentIndex: segmentIndex, variantIndex: variantIndex, bucket: bucket, reason: .assigned)
  }

  /// The variant owning `bucket` in a segment's layout, or −1 when the bucket is in no active range.
  @inlinable @inline(__always)
  func variant(segment: Int, bucket: Int) -> Int {
    let count = variantCount
    // Branch-free scan (the bucket is random, so a data-dependent branch would mispredict half the
    // time): the owner is the last slot starting at or below the bucket, if its active range holds it.
    let starts = table.baseAddress.unsafelyUnwrapped + (segmentCount &+ segment &* count)
    let ends = starts + (segmentCount &* count)
    var owner = 0
    var index = 1
    while index < count {
      owner &+= bucket >= starts[index] ? 1 : 0
      index &+= 1
    }
    return bucket < ends[owner] ? owner : -1
  }

  /// The first segment whose rule matches; the default segment (root −1, last) otherwise.
  @inlinable @inline(__always)
  func resolveSegment(_ values: UnsafeBufferPointer<AttributeValue?>) -> Int {
    if let nearest { return nearest.resolve(values) }
    let roots = table.baseAddress.unsafelyUnwrapped
    // Only the last (default) segment has no rule.
    let last = segmentCount &- 1
    var index = 0
    while index < last {
      if rules.matches(roots[index], values) { return index }
      index &+= 1
    }
    return last
  }

  func resolveSegment(_ attributes: [AttributeValue?]) -> Int {
    attributes.withUnsafeBufferPointer { resolveSegment($0) }
  }

  // The experiment's definition fields are compared by Experiment itself; these identify the compiled form.
  @usableFromInline static func == (lhs: AssignmentEngine, rhs: AssignmentEngine) -> Bool {
    lhs === rhs
      || (lhs.saltPrefix == rhs.saltPrefix && lhs.layouts == rhs.layouts && lhs.segmentNames == rhs.segmentNames
        && lhs.variantKeys == rhs.variantKeys)
  }
  @usableFromInline func hash(into hasher: inout Hasher) {
    hasher.combine(saltPrefix)
    hasher.combine(layouts)
  }
}
