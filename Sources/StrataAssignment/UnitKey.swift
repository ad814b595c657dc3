/// A unit id in the form the assignment hash reads it.
///
/// The engine's hot path is written once over this protocol and specialized for each form, so each form
/// runs as straight-line code in the caller's loop.
@usableFromInline
protocol UnitKey {
  /// MurmurHash3 x86_32 of the bytes hashed into `state` followed by the unit id's UTF-8 bytes.
  func hash(after state: MurmurHash3.State) -> UInt32
  /// The same hash, kept out of the caller's loop: for the layer and holdout buckets (at most one
  /// each per unit, and only in experiments that have them).
  func outOfLineHash(after state: MurmurHash3.State) -> UInt32
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

  @usableFromInline @inline(never)
  func outOfLineHash(after state: MurmurHash3.State) -> UInt32 {
    state.finalize(appending: bytes)
  }
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
    if readsSmallStrings, let small = SmallUTF8(string) {
      return small.hash(after: state)
    }
    if let hash = string.utf8.withContiguousStorageIfAvailable({
      UTF8Bytes(UnsafeRawBufferPointer($0)).hash(after: state)
    }) {
      return hash
    }
    return outOfLineHash(after: state)
  }

  /// For the layer and holdout buckets, and for strings without contiguous UTF-8: hashes a copy (the
  /// copy shares a native string's storage; a bridged one is made native).
  ///
  /// Measured cost: because this call needs the `String` after rule evaluation, a caller whose ids are
  /// longer than 15 bytes (held on the heap) has its string retained and released around each
  /// assignment, about 70 instructions and 5 ns for a UUID. Hashing every id before the rules, or
  /// reaching the bytes without this call, still left the retain in place (each variant measured), so
  /// it stays; ids of up to 15 bytes and ids given as bytes are not affected.
  @usableFromInline @inline(never)
  func outOfLineHash(after state: MurmurHash3.State) -> UInt32 {
    var copy = string
    return copy.withUTF8 { state.finalize(appending: UnsafeRawBufferPointer($0)) }
  }
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
  init?(_ string: String) {
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

  @usableFromInline @inline(never)
  func outOfLineHash(after state: MurmurHash3.State) -> UInt32 {
    hash(after: state)
  }

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
