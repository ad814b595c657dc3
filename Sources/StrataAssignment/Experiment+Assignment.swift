extension Experiment {
  /// The bucket (0..<10000) of a unit for a key prefix (`salt + ":"`): MurmurHash3 x86_32, seed 0,
  /// over the UTF-8 bytes of prefix + unit, modulo 10000.
  @inline(__always)
  static func bucket(prefix: [UInt8], unit: UnsafeRawBufferPointer) -> Int {
    prefix.withUnsafeBytes { prefix in Int(MurmurHash3.x86_32(prefix: prefix, unit: unit) % 10_000) }
  }

  /// The full 32-bit variant hash of a unit (the stratified mode orders units by it).
  public func variantHash(unit: String) -> UInt32 {
    var unit = unit
    return unit.withUTF8 { unit in
      saltPrefix.withUnsafeBytes { prefix in MurmurHash3.x86_32(prefix: prefix, unit: UnsafeRawBufferPointer(unit)) }
    }
  }

  /// The slot-ordered attribute array for ``assign(unit:attributes:)`` from named values.
  public func attributeSlots(_ attributes: [String: AttributeValue]) -> [AttributeValue?] {
    attributeNames.map { attributes[$0] }
  }

  /// Assigns a unit given its attributes by name (a convenience that builds the slot array).
  public func assign(unit: String, attributes: [String: AttributeValue]) -> Assignment {
    assign(unit: unit, attributes: attributeSlots(attributes))
  }

  /// Assigns a unit (docs/assignment-spec.md §4): consent, eligibility, segment, holdout, layer, then
  /// the variant bucket. `attributes[i]` is the value of `attributeNames[i]` (nil = missing).
  public func assign(unit: String, attributes: [AttributeValue?]) -> Assignment {
    var unit = unit
    return unit.withUTF8 { assign(unitUTF8: UnsafeRawBufferPointer($0), attributes: attributes) }
  }

  /// Assigns a unit whose id is given as UTF-8 bytes (for batch readers that never build a `String`).
  public func assign(unitUTF8 unit: UnsafeRawBufferPointer, attributes: [AttributeValue?]) -> Assignment {
    precondition(attributes.count == attributeNames.count, "one attribute value (or nil) per attribute name")
    if let consentSlot, attributes[consentSlot]?.boolValue != true {
      return Assignment(reason: .noConsent)
    }
    if let eligibilityProgram, !eligibilityProgram.evaluate(attributes) {
      return Assignment(reason: .notEligible)
    }
    let segmentIndex = resolveSegment(attributes)
    let segment = segments[segmentIndex].name
    if let holdout, let holdoutPrefix,
      Experiment.bucket(prefix: holdoutPrefix, unit: unit) < holdout.share.tenThousandths
    {
      return Assignment(segment: segment, segmentIndex: segmentIndex, reason: .holdout)
    }
    if let layer, let layerPrefix, !layer.buckets.contains(Experiment.bucket(prefix: layerPrefix, unit: unit)) {
      return Assignment(segment: segment, segmentIndex: segmentIndex, reason: .layer)
    }
    let bucket = Experiment.bucket(prefix: saltPrefix, unit: unit)
    guard let variantIndex = layouts[segmentIndex].variant(forBucket: bucket) else {
      return Assignment(segment: segment, segmentIndex: segmentIndex, bucket: bucket, reason: .traffic)
    }
    return Assignment(
      segment: segment, segmentIndex: segmentIndex, variant: variants[variantIndex].key, variantIndex: variantIndex,
      bucket: bucket, reason: .assigned)
  }

  /// The index of the first segment whose rule matches (the default segment has none and always matches).
  public func resolveSegment(_ attributes: [AttributeValue?]) -> Int {
    for (index, program) in segmentPrograms.enumerated() {
      guard let program else { return index }
      if program.evaluate(attributes) { return index }
    }
    return segmentPrograms.count - 1
  }
}
