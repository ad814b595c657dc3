/// A set of unit ids for duplicate detection, storing only a 64-bit hash of each id.
///
/// Memory: one 8-byte slot per unit at 100% load; the table doubles when it is ¾ full, so it holds
/// between 10.7 and 21.3 bytes per unit (≈ 107–213 MB for 10 M units), independent of how long the ids
/// are. The price is a false "duplicate" when two different ids share a hash: with n distinct units the
/// chance that any pair collides is about n² / 2⁶⁵ (birthday bound), 2.7 × 10⁻⁶ for n = 10 M and
/// 2.7 × 10⁻⁴ for n = 100 M. A collision can only ever add one spurious duplicate, never hide one.
///
/// The hash mixes 8-byte words with multiply–rotate steps (MurmurHash64A-style) and finishes with the
/// SplitMix64 finalizer; it is fast and well distributed but not cryptographic (ids are not adversarial).
struct UnitHashSet {
  private var slots: [UInt64]
  private var mask: Int
  private(set) var count = 0

  init(capacity: Int = 1 << 16) {
    var size = 1
    while size < capacity { size <<= 1 }
    slots = [UInt64](repeating: 0, count: size)
    mask = size - 1
  }

  /// Bytes held by the table.
  var memoryBytes: Int { slots.count * 8 }

  /// Inserts the hash of `id`; returns false when it was already present (a duplicate).
  @inline(__always)
  mutating func insert(_ id: UnsafeBufferPointer<UInt8>) -> Bool {
    insert(hash: Self.hash(id))
  }

  @inline(__always)
  mutating func insert(hash: UInt64) -> Bool {
    let key = hash == 0 ? 1 : hash  // 0 marks an empty slot
    if (count + 1) * 4 > slots.count * 3 { grow() }
    var index = Int(truncatingIfNeeded: key) & mask
    while true {
      let slot = slots[index]
      if slot == 0 {
        slots[index] = key
        count += 1
        return true
      }
      if slot == key { return false }
      index = (index + 1) & mask
    }
  }

  private mutating func grow() {
    let old = slots
    slots = [UInt64](repeating: 0, count: old.count * 2)
    mask = slots.count - 1
    count = 0
    for key in old where key != 0 {
      var index = Int(truncatingIfNeeded: key) & mask
      while slots[index] != 0 { index = (index + 1) & mask }
      slots[index] = key
      count += 1
    }
  }

  /// A 64-bit hash of the bytes.
  @inline(__always)
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    let multiplier: UInt64 = 0xC6A4_A793_5BD1_E995
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ (UInt64(bytes.count) &* multiplier)
    var index = 0
    let count = bytes.count
    while index + 8 <= count {
      var word: UInt64 = 0
      for offset in 0..<8 { word |= UInt64(bytes[index + offset]) << (8 * UInt64(offset)) }
      word &*= multiplier
      word ^= word >> 47
      word &*= multiplier
      h ^= word
      h &*= multiplier
      index += 8
    }
    if index < count {
      var word: UInt64 = 0
      for offset in 0..<(count - index) { word |= UInt64(bytes[index + offset]) << (8 * UInt64(offset)) }
      h ^= word
      h &*= multiplier
    }
    // SplitMix64 finalizer.
    h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
    h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
    return h ^ (h >> 31)
  }
}
