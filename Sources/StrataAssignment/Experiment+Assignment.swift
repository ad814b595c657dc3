extension Experiment {
  /// The full 32-bit variant hash of a unit: MurmurHash3 x86_32 of `salt + ":" + unit` (the
  /// stratified mode orders units by it; its value mod 10000 is the unit's bucket).
  @inlinable
  public func variantHash(unit: String) -> UInt32 {
    StringUnit(unit, readsSmallStrings: engine.readsSmallStrings).hash(after: engine.variantState)
  }

  /// The variant hash of a unit id given as UTF-8 bytes.
  @inlinable
  public func variantHash(unitUTF8 unit: UnsafeRawBufferPointer) -> UInt32 {
    UTF8Bytes(unit).hash(after: engine.variantState)
  }

  /// The slot-ordered attribute array for ``assign(unit:attributes:)-(_,[AttributeValue?])`` from named values.
  public func attributeSlots(_ attributes: [String: AttributeValue]) -> [AttributeValue?] {
    attributeNames.map { attributes[$0] }
  }

  /// Assigns a unit given its attributes by name (a convenience that builds the slot array).
  public func assign(unit: String, attributes: [String: AttributeValue]) -> Assignment {
    assign(unit: unit, attributes: attributeSlots(attributes))
  }

  /// Assigns a unit (docs/assignment-spec.md §4): consent, eligibility, segment, holdout, layer, then the variant
  /// bucket.
  ///
  /// `attributes[i]` is the value of `attributeNames[i]` (nil = missing).
  public func assign(unit: String, attributes: [AttributeValue?]) -> Assignment {
    name(of: assignCompact(unit: unit, attributes: attributes))
  }

  /// Assigns a unit whose id is given as UTF-8 bytes (for batch readers that never build a `String`).
  public func assign(unitUTF8 unit: UnsafeRawBufferPointer, attributes: [AttributeValue?]) -> Assignment {
    name(of: assignCompact(unitUTF8: unit, attributes: attributes))
  }

  /// The same assignment as indices only (no strings, no reference counting): the fast path.
  ///
  /// `unit` is `consuming` so that its lifetime can end once it is hashed: a borrowed parameter of this inlined
  /// function stays in use until its end, across the rules' out-of-line calls, and a caller passing an id read from
  /// memory (an array element) then had to retain and release it around each call (measured: UUID `String` ids
  /// 1.71× the bare hash with, 1.31–1.32× without). A caller that keeps its own `String` gives a copy that ends here.
  @inlinable @inline(__always)
  public func assignCompact(unit: consuming String, attributes: [AttributeValue?]) -> CompactAssignment {
    let key = PrehashedUnit(unit, engine: engine)
    _ = consume unit
    return engine.assign(unit: key, attributes: attributes)
  }

  /// The same assignment as indices only, for a unit id given as UTF-8 bytes.
  @inlinable @inline(__always)
  public func assignCompact(unitUTF8 unit: UnsafeRawBufferPointer, attributes: [AttributeValue?]) -> CompactAssignment {
    engine.assign(unit: UTF8Bytes(unit), attributes: attributes)
  }

  /// The same assignment as indices only, for a unit id given as UTF-8 bytes and the attribute values in a buffer
  /// (`values[i]` is the value of `attributeNames[i]`, nil = missing): for batch readers that reuse one buffer per row.
  @inlinable @inline(__always)
  public func assignCompact(unitUTF8 unit: UnsafeRawBufferPointer, values: UnsafeBufferPointer<AttributeValue?>)
    -> CompactAssignment
  {
    precondition(values.count == engine.attributeCount, "one attribute value (or nil) per attribute name")
    return engine.assign(unit: UTF8Bytes(unit), values: values)
  }

  /// Adds the segment name and variant key to a compact assignment.
  public func name(of compact: CompactAssignment) -> Assignment {
    Assignment(
      segment: compact.segmentIndex.map { segments[$0].name }, segmentIndex: compact.segmentIndex,
      variant: compact.variantIndex.map { variants[$0].key }, variantIndex: compact.variantIndex,
      bucket: compact.bucket,
      reason: compact.reason)
  }

  /// The index of the first segment whose rule matches (the default segment has none and always matches).
  public func resolveSegment(_ attributes: [AttributeValue?]) -> Int {
    engine.resolveSegment(attributes)
  }
}
