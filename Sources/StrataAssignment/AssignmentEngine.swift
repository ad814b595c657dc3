/// The compiled form of an experiment: rule programs bound to attribute slots, bucket layouts and
/// pre-encoded hash-key prefixes. Immutable and shared, so assigning never copies the definition.
final class AssignmentEngine: Sendable, Hashable {
  let attributeCount: Int
  let consentSlot: Int?
  let eligibility: RuleProgram?
  let segments: [RuleProgram?]
  let segmentNames: [String]
  let layouts: [BucketLayout]
  let variantKeys: [String]
  let saltPrefix: [UInt8]
  let layerPrefix: [UInt8]?
  let layerBuckets: Range<Int>
  let holdoutPrefix: [UInt8]?
  let holdoutBuckets: Int

  init(
    attributeCount: Int, consentSlot: Int?, eligibility: RuleProgram?, segments: [RuleProgram?], segmentNames: [String],
    layouts: [BucketLayout], variantKeys: [String], saltPrefix: [UInt8], layer: ([UInt8], Range<Int>)?,
    holdout: ([UInt8], Int)?
  ) {
    self.attributeCount = attributeCount
    self.consentSlot = consentSlot
    self.eligibility = eligibility
    self.segments = segments
    self.segmentNames = segmentNames
    self.layouts = layouts
    self.variantKeys = variantKeys
    self.saltPrefix = saltPrefix
    self.layerPrefix = layer?.0
    self.layerBuckets = layer?.1 ?? 0..<BucketLayout.bucketCount
    self.holdoutPrefix = holdout?.0
    self.holdoutBuckets = holdout?.1 ?? 0
  }

  /// The bucket (0..<10000): MurmurHash3 x86_32, seed 0, over prefix + unit bytes, modulo 10000.
  @inline(__always)
  static func bucket(prefix: [UInt8], unit: UnsafeRawBufferPointer) -> Int {
    Int(hash(prefix: prefix, unit: unit) % 10_000)
  }

  @inline(__always)
  static func hash(prefix: [UInt8], unit: UnsafeRawBufferPointer) -> UInt32 {
    prefix.withUnsafeBytes { MurmurHash3.x86_32(prefix: $0, unit: unit) }
  }

  /// Spec §4, in order: consent, eligibility, segment, holdout, layer, variant bucket.
  func assign(unit: UnsafeRawBufferPointer, attributes: [AttributeValue?]) -> Assignment {
    precondition(attributes.count == attributeCount, "one attribute value (or nil) per attribute name")
    if let consentSlot, attributes[consentSlot]?.boolValue != true {
      return Assignment(reason: .noConsent)
    }
    if let eligibility, !eligibility.evaluate(attributes) {
      return Assignment(reason: .notEligible)
    }
    let segmentIndex = resolveSegment(attributes)
    let segment = segmentNames[segmentIndex]
    if let holdoutPrefix, AssignmentEngine.bucket(prefix: holdoutPrefix, unit: unit) < holdoutBuckets {
      return Assignment(segment: segment, segmentIndex: segmentIndex, reason: .holdout)
    }
    if let layerPrefix, !layerBuckets.contains(AssignmentEngine.bucket(prefix: layerPrefix, unit: unit)) {
      return Assignment(segment: segment, segmentIndex: segmentIndex, reason: .layer)
    }
    let bucket = AssignmentEngine.bucket(prefix: saltPrefix, unit: unit)
    guard let variantIndex = layouts[segmentIndex].variant(forBucket: bucket) else {
      return Assignment(segment: segment, segmentIndex: segmentIndex, bucket: bucket, reason: .traffic)
    }
    return Assignment(
      segment: segment, segmentIndex: segmentIndex, variant: variantKeys[variantIndex], variantIndex: variantIndex,
      bucket: bucket, reason: .assigned)
  }

  func resolveSegment(_ attributes: [AttributeValue?]) -> Int {
    var index = 0
    let last = segments.count - 1
    while index < last {
      if let program = segments[index], program.evaluate(attributes) { return index }
      index += 1
    }
    return last
  }

  static func == (lhs: AssignmentEngine, rhs: AssignmentEngine) -> Bool { lhs === rhs || lhs.layouts == rhs.layouts && lhs.segments == rhs.segments && lhs.saltPrefix == rhs.saltPrefix }
  func hash(into hasher: inout Hasher) { hasher.combine(saltPrefix); hasher.combine(layouts) }
}
