/// A unit id in the form the assignment hash reads it.
///
/// The engine's hot path is written once over this protocol and specialized for each form, so each form
/// runs as straight-line code in the caller's loop.
@usableFromInline
protocol UnitKey {
  /// MurmurHash3 x86_32 of the bytes hashed into `state` followed by the unit id's UTF-8 bytes.
  func hash(after state: MurmurHash3.State) -> UInt32
  /// The holdout hash (`state` is the experiment's holdout state): the same hash, inline or kept out of the
  /// caller's loop as each form prefers (at most one per unit, and only in experiments that have a holdout).
  func holdoutHash(after state: MurmurHash3.State) -> UInt32
  /// The layer hash (`state` is the experiment's layer state), as ``holdoutHash(after:)``.
  func layerHash(after state: MurmurHash3.State) -> UInt32
}

/// A `String` id's hashes, all taken before the engine runs (``Experiment/assignCompact(unit:attributes:)``).
///
/// Handing the engine a ``StringUnit`` (a value that holds the `String`) kept the id in use until the assignment's
/// end, across the rule evaluation's out-of-line calls, so a caller that read the id from memory (an array element)
/// had to keep its own copy alive: a retain and a release per assignment for an id on the heap (a UUID). Taking
/// every hash the unit needs first (the variant hash, and the holdout and layer hashes when the experiment has them,
/// all inline from the bytes in place) leaves nothing of the `String` for later. Same hashes; experiments with a
/// holdout or a layer now hash those ids for every unit, also the ones that consent or eligibility excludes first.
@usableFromInline
struct PrehashedUnit: UnitKey {
  @usableFromInline let variant: UInt32
  @usableFromInline let holdout: UInt32
  @usableFromInline let layer: UInt32

  /// The hashes of `string` after the engine's variant state and, when it has them, its holdout and layer states.
  ///
  /// All of them inline, from the string's bytes in place: an out-of-line call made while the bytes are in use
  /// would make the caller keep (retain) its string for the call.
  @inlinable @inline(__always)
  init(_ string: borrowing String, engine: AssignmentEngine) {
    let variantState = engine.variantState
    let holdoutState = engine.holdoutBuckets > 0 ? engine.holdoutState : nil
    let layerState = engine.layerState
    if engine.readsSmallStrings, let small = SmallUTF8(string) {
      variant = small.hash(after: variantState)
      if let holdoutState { holdout = small.hash(after: holdoutState) } else { holdout = 0 }
      if let layerState { layer = small.hash(after: layerState) } else { layer = 0 }
      return
    }
    if let hashes = string.utf8.withContiguousStorageIfAvailable({ buffer -> (UInt32, UInt32, UInt32) in
      let bytes = UTF8Bytes(UnsafeRawBufferPointer(buffer))
      var holdout: UInt32 = 0
      if let holdoutState { holdout = bytes.hash(after: holdoutState) }
      var layer: UInt32 = 0
      if let layerState { layer = bytes.hash(after: layerState) }
      return (bytes.hash(after: variantState), holdout, layer)
    }) {
      (variant, holdout, layer) = hashes
      return
    }
    variant = StringUnit.copiedHash(copy string, after: variantState)
    if let holdoutState { holdout = StringUnit.copiedHash(copy string, after: holdoutState) } else { holdout = 0 }
    if let layerState { layer = StringUnit.copiedHash(copy string, after: layerState) } else { layer = 0 }
  }

  @inlinable @inline(__always)
  func hash(after state: MurmurHash3.State) -> UInt32 { variant }

  @inlinable @inline(__always)
  func holdoutHash(after state: MurmurHash3.State) -> UInt32 { holdout }

  @inlinable @inline(__always)
  func layerHash(after state: MurmurHash3.State) -> UInt32 { layer }
}

/// A unit id as UTF-8 bytes in memory.
@usableFromInline
struct UTF8Bytes: UnitKey {
  @usableFromInline let bytes: UnsafeRawBufferPointer

  @inlinable @inline(__always)
  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  @inlinable @inline(__always)
  func hash(after state: MurmurHash3.State) -> UInt32 {
    state.finalize(appending: bytes)
  }

  /// Inline, as ``hash(after:)``: the bytes are in memory the caller keeps, so an inline hash costs no retain, and a
  /// call per unit made the bytes path's holdout and layer slower than the `String` path's (``PrehashedUnit``).
  @inlinable @inline(__always)
  func holdoutHash(after state: MurmurHash3.State) -> UInt32 { hash(after: state) }

  @inlinable @inline(__always)
  func layerHash(after state: MurmurHash3.State) -> UInt32 { hash(after: state) }
}

/// A unit id given as a `String`, hashed over its UTF-8 bytes without copying them: ids of up to 15
/// bytes from the `String` value itself (``SmallUTF8``), longer native strings (every string on Linux)
/// from their storage in place, and anything else (bridged strings on Apple platforms) from a copy made
/// out of line.
@usableFromInline
struct StringUnit: UnitKey {
  @usableFromInline let string: String
  /// ``SmallUTF8/layoutVerified``, read once per experiment rather than per unit.
  @usableFromInline let readsSmallStrings: Bool

  @inlinable @inline(__always)
  init(_ string: String, readsSmallStrings: Bool) {
    self.string = string
    self.readsSmallStrings = readsSmallStrings
  }

  @inlinable @inline(__always)
  func hash(after state: MurmurHash3.State) -> UInt32 {
    StringUnit.hash(string, after: state, readsSmallStrings: readsSmallStrings)
  }

  /// ``hash(after:)`` of a `String` the caller only borrows.
  @inlinable @inline(__always)
  static func hash(_ string: String, after state: MurmurHash3.State, readsSmallStrings: Bool) -> UInt32 {
    if readsSmallStrings, let small = SmallUTF8(string) {
      return small.hash(after: state)
    }
    if let hash = string.utf8.withContiguousStorageIfAvailable({
      UTF8Bytes(UnsafeRawBufferPointer($0)).hash(after: state)
    }) {
      return hash
    }
    return copiedHash(string, after: state)
  }

  /// Hashes a copy (the copy shares a native string's storage; a bridged one is made native).
  @usableFromInline @inline(never)
  static func copiedHash(_ string: String, after state: MurmurHash3.State) -> UInt32 {
    var copy = string
    return copy.withUTF8 { state.finalize(appending: UnsafeRawBufferPointer($0)) }
  }

  /// Hashes a copy, for the layer and holdout buckets.
  ///
  /// The copy shares a native string's storage; a bridged one is made native.
  /// ``Experiment/assignCompact(unit:attributes:)`` does not use it (see ``PrehashedUnit``).
  @usableFromInline @inline(never)
  func outOfLineHash(after state: MurmurHash3.State) -> UInt32 {
    var copy = string
    return copy.withUTF8 { state.finalize(appending: UnsafeRawBufferPointer($0)) }
  }

  @inlinable @inline(__always)
  func holdoutHash(after state: MurmurHash3.State) -> UInt32 { outOfLineHash(after: state) }

  @inlinable @inline(__always)
  func layerHash(after state: MurmurHash3.State) -> UInt32 { outOfLineHash(after: state) }
}

/// A small `String`'s UTF-8 bytes read from the `String` value itself, in registers.
///
/// A native Swift string of up to 15 UTF-8 bytes stores them inline, in the two words of the `String`
/// value: bytes 0–7 in the first word, bytes 8–14 in the low seven bytes of the second (little-endian),
/// unused bytes zero, and the second word's top byte a discriminator (bit 7 set, bit 5 "small" set, bit 4
/// "foreign" clear; the count in bits 0–3). Reading them through the public API
/// (`utf8.withContiguousStorageIfAvailable`) first stores the two words to the stack and hands over a
/// pointer, and the hash then waits for those stores to be forwarded to its loads: measured, that made
/// hashing from a `String` slower than hashing the same bytes from memory. Taking the words directly
/// skips the round trip.
///
/// The layout is the standard library's, not a public promise on every platform, so it is checked
/// once per process (``layoutVerified``) against strings read through the public API; where the check
/// fails, or on a big-endian or 32-bit platform, ``init(_:)`` always returns nil and assignment reads
/// every string through the public API. Either way the hash is the same (the vectors and a property
/// test hold the two paths equal).
@usableFromInline
struct SmallUTF8: UnitKey {
  /// Bytes 0–7 of the id, little-endian.
  @usableFromInline let low: UInt64
  /// Bytes 8–14 of the id, little-endian, top byte zero.
  @usableFromInline let high: UInt64
  /// Length in bytes, 0–15.
  @usableFromInline let count: Int

  /// The inline bytes of `string`, or nil when it does not store them inline (longer strings, bridged or
  /// foreign strings, or a platform where the layout is not the one described above).
  @inlinable @inline(__always)
  init?(_ string: borrowing String) {
    #if _endian(little) && _pointerBitWidth(_64)
      let (first, second) = unsafeBitCast(string, to: (UInt64, UInt64).self)
      // Top nibble 1x10: immortal, small, not foreign (bit 6 only says "all ASCII").
      guard (second &>> 60) & 0b1011 == 0b1010 else { return nil }
      low = first
      high = second & 0x00FF_FFFF_FFFF_FFFF
      count = Int(truncatingIfNeeded: (second &>> 56) & 0xF)
    #else
      return nil
    #endif
  }

  @inlinable @inline(__always)
  func hash(after state: MurmurHash3.State) -> UInt32 {
    switch state.tailCount {
    case 0: return state.finalize(appendingLow: low, high: high, count: count, pending: 0)
    case 1: return state.finalize(appendingLow: low, high: high, count: count, pending: 1)
    case 2: return state.finalize(appendingLow: low, high: high, count: count, pending: 2)
    default: return state.finalize(appendingLow: low, high: high, count: count, pending: 3)
    }
  }

  /// ``hash(after:)`` kept out of the caller's loop: for the layer and holdout buckets (at most one each per unit,
  /// and only in experiments that have them).
  @usableFromInline @inline(never)
  func outOfLineHash(after state: MurmurHash3.State) -> UInt32 {
    hash(after: state)
  }

  @inlinable @inline(__always)
  func holdoutHash(after state: MurmurHash3.State) -> UInt32 { outOfLineHash(after: state) }

  @inlinable @inline(__always)
  func layerHash(after state: MurmurHash3.State) -> UInt32 { outOfLineHash(after: state) }

  /// The id's bytes, in order.
  var bytes: [UInt8] {
    (0..<count).map { index in
      let word = index < 8 ? low : high
      return UInt8(truncatingIfNeeded: word &>> UInt64(8 * (index % 8)))
    }
  }

  /// Whether this process's strings have the layout ``init(_:)`` reads: checked once, against the
  /// public API, on literal and computed strings, ASCII and not, of every inline length and just over.
  @usableFromInline static let layoutVerified: Bool = {
    var probes: [String] = ["", "a", "é", "😀", "member-10000123", "ünït-1234567890", "member-100001234"]
    for length in 0...20 {
      probes.append(String(repeating: "x", count: length))
      probes.append(String((0..<length).map { Character(Unicode.Scalar(UInt8(48 + $0 % 43))) }))
      probes.append("ß" + String(repeating: "7", count: length))
    }
    for probe in probes {
      let expected = Array(probe.utf8)
      // Every native string of 15 bytes or fewer is stored inline on 64-bit platforms; longer ones never.
      guard let small = SmallUTF8(probe) else {
        if expected.count <= 15 { return false }
        continue
      }
      if expected.count > 15 || small.count != expected.count || small.bytes != expected { return false }
    }
    return true
  }()
}
