extension Experiment {
  /// The full 32-bit variant hash of a unit: MurmurHash3 x86_32 of `salt + ":" + unit` (the
  /// stratified mode orders units by it; its value mod 10000 is the unit's bucket).
  public func variantHash(unit: String) -> UInt32 {
    var unit = unit
    let engine = self.engine
    return unit.withUTF8 { AssignmentEngine.hash(prefix: engine.saltPrefix, unit: UnsafeRawBufferPointer($0)) }
  }

  /// The slot-ordered attribute array for ``assign(unit:attributes:)-(_,[AttributeValue?])`` from named values.
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
    let engine = self.engine
    return unit.withUTF8 { engine.assign(unit: UnsafeRawBufferPointer($0), attributes: attributes) }
  }

  /// Assigns a unit whose id is given as UTF-8 bytes (for batch readers that never build a `String`).
  public func assign(unitUTF8 unit: UnsafeRawBufferPointer, attributes: [AttributeValue?]) -> Assignment {
    engine.assign(unit: unit, attributes: attributes)
  }

  /// The index of the first segment whose rule matches (the default segment has none and always matches).
  public func resolveSegment(_ attributes: [AttributeValue?]) -> Int {
    engine.resolveSegment(attributes)
  }
}
