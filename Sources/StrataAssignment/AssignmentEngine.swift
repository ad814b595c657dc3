/// The compiled form of an experiment: rule programs bound to attribute slots, bucket layouts and
/// pre-encoded hash-key prefixes. Immutable and shared, so assigning never copies the definition.
final class AssignmentEngine: Sendable, Hashable {
  let attributeCount: Int
  let consentSlot: Int?
  let rules: RuleTable
  /// Root of the eligibility rule in `rules`, or -1 for none.
  let eligibilityRoot: Int
  /// Root of each segment's rule in `rules`; -1 for the default segment (last).
  let segmentRoots: [Int]
  let segmentNames: [String]
  let layouts: [BucketLayout]
  /// All segments' ranges flattened (segment-major, `variantKeys.count` per segment), read in place.
  let rangeStarts: [Int]
  let rangeEnds: [Int]
  let variantKeys: [String]
  let saltPrefix: [UInt8]
  /// Hash states after `salt:`, `layer salt:` and `holdout salt:`: each unit only continues them.
  let variantState: MurmurHash3.State
  let layerState: MurmurHash3.State?
  let layerBuckets: Range<Int>
  let holdoutState: MurmurHash3.State?
  let holdoutBuckets: Int

  init(
    attributeCount: Int, consentSlot: Int?, eligibility: RuleExpression?, segments: [RuleExpression?],
    segmentNames: [String],
    layouts: [BucketLayout], variantKeys: [String], saltPrefix: [UInt8], layer: ([UInt8], Range<Int>)?,
    holdout: ([UInt8], Int)?, slots: (String) -> Int
  ) {
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
    self.rangeStarts = layouts.flatMap(\.starts)
    self.rangeEnds = layouts.flatMap(\.activeEnds)
    self.variantKeys = variantKeys
    self.saltPrefix = saltPrefix
    self.variantState = AssignmentEngine.state(after: saltPrefix)
    self.layerState = layer.map { AssignmentEngine.state(after: $0.0) }
    self.layerBuckets = layer?.1 ?? 0..<BucketLayout.bucketCount
    self.holdoutState = holdout.map { AssignmentEngine.state(after: $0.0) }
    self.holdoutBuckets = holdout?.1 ?? 0
  }

  static func state(after prefix: [UInt8]) -> MurmurHash3.State {
    var state = MurmurHash3.State()
    prefix.withUnsafeBytes { state.combine($0) }
    return state
  }

  /// The bucket (0..<10000): MurmurHash3 x86_32, seed 0, over prefix + unit bytes, modulo 10000.
  @inline(__always)
  static func bucket(_ state: MurmurHash3.State, unit: UnsafeRawBufferPointer) -> Int {
    Int(hash(state, unit: unit) % 10_000)
  }

  /// The hash of prefix + unit, continuing from the prefix's state.
  @inline(__always)
  static func hash(_ state: MurmurHash3.State, unit: UnsafeRawBufferPointer) -> UInt32 {
    state.finalize(appending: unit)
  }

  /// Spec §4, in order: consent, eligibility, segment, holdout, layer, variant bucket.
  func assign(unit: UnsafeRawBufferPointer, attributes: [AttributeValue?]) -> CompactAssignment {
    precondition(attributes.count == attributeCount, "one attribute value (or nil) per attribute name")
    if let consentSlot, attributes[consentSlot]?.boolValue != true {
      return CompactAssignment(reason: .noConsent)
    }
    let segmentIndex: Int
    if eligibilityRoot >= 0 || segmentRoots.count > 1 {
      let (eligible, segment) = attributes.withUnsafeBufferPointer { values in
        (eligibilityRoot < 0 || rules.matches(eligibilityRoot, values), resolveSegment(values))
      }
      guard eligible else { return CompactAssignment(reason: .notEligible) }
      segmentIndex = segment
    } else {
      segmentIndex = 0
    }
    if let holdoutState, AssignmentEngine.bucket(holdoutState, unit: unit) < holdoutBuckets {
      return CompactAssignment(segmentIndex: segmentIndex, reason: .holdout)
    }
    if let layerState, !layerBuckets.contains(AssignmentEngine.bucket(layerState, unit: unit)) {
      return CompactAssignment(segmentIndex: segmentIndex, reason: .layer)
    }
    let bucket = AssignmentEngine.bucket(variantState, unit: unit)
    guard let variantIndex = variant(segment: segmentIndex, bucket: bucket) else {
      return CompactAssignment(segmentIndex: segmentIndex, bucket: bucket, reason: .traffic)
    }
    return CompactAssignment(segmentIndex: segmentIndex, variantIndex: variantIndex, bucket: bucket, reason: .assigned)
  }

  /// The variant owning `bucket` in a segment's layout (the layout is read in place, not copied).
  @inline(__always)
  func variant(segment: Int, bucket: Int) -> Int? {
    let count = variantKeys.count
    return rangeStarts.withUnsafeBufferPointer { starts in
      rangeEnds.withUnsafeBufferPointer { ends in
        // Branch-free scan (the bucket is random, so a data-dependent branch would mispredict half the
        // time): the owner is the last slot starting at or below the bucket, if its active range holds it.
        let base = segment &* count
        var owner = 0
        var index = 1
        while index < count {
          owner &+= bucket >= starts[base &+ index] ? 1 : 0
          index &+= 1
        }
        return bucket < ends[base &+ owner] ? owner : nil
      }
    }
  }

  /// The first segment whose rule matches; the default segment (root −1, last) otherwise.
  @inline(__always)
  func resolveSegment(_ values: UnsafeBufferPointer<AttributeValue?>) -> Int {
    var index = 0
    let last = segmentRoots.count - 1
    while index < last {
      let root = segmentRoots[index]
      if root >= 0 && rules.matches(root, values) { return index }
      index += 1
    }
    return last
  }

  func resolveSegment(_ attributes: [AttributeValue?]) -> Int {
    attributes.withUnsafeBufferPointer { resolveSegment($0) }
  }

  // The experiment's definition fields are compared by Experiment itself; these identify the compiled form.
  static func == (lhs: AssignmentEngine, rhs: AssignmentEngine) -> Bool {
    lhs === rhs
      || (lhs.saltPrefix == rhs.saltPrefix && lhs.layouts == rhs.layouts && lhs.segmentNames == rhs.segmentNames
        && lhs.variantKeys == rhs.variantKeys)
  }
  func hash(into hasher: inout Hasher) {
    hasher.combine(saltPrefix)
    hasher.combine(layouts)
  }
}
