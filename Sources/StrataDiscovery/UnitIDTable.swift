/// The unit ids read so far, to catch a repeated one without an allocation per unit: the ids' bytes one after
/// another in a single array, and an open-addressing hash table (linear probing, at most half full) of their
/// positions.
struct UnitIDTable {
  private var bytes: [UInt8] = []
  /// ends[u]: where id u's bytes end in `bytes` (it starts where id u − 1 ends).
  private var ends: [Int] = []
  /// lines[u]: the line id u was read on.
  private var lines: [Int] = []
  /// slots[s]: 1 + the id stored there, 0 when empty.
  private var slots = [Int32](repeating: 0, count: 1 << 12)

  /// Ids stored.
  var count: Int { ends.count }

  /// Adds `id`, read on `line`; when it was already there, adds nothing and returns the line it was first read on.
  mutating func insert(_ id: Slice<UnsafeBufferPointer<UInt8>>, line: Int) -> Int? {
    if 2 * (count + 1) > slots.count { grow() }
    let hash = UnitIDTable.hash(id)
    let mask = slots.count - 1
    var slot = hash & mask
    while slots[slot] != 0 {
      let other = Int(slots[slot]) - 1
      if matches(other, id) { return lines[other] }
      slot = (slot + 1) & mask
    }
    precondition(count < Int(Int32.max), "fewer than 2^31 units")
    bytes.append(contentsOf: id)
    ends.append(bytes.count)
    lines.append(line)
    slots[slot] = Int32(count)
    return nil
  }

  private func matches(_ stored: Int, _ id: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
    let start = stored == 0 ? 0 : ends[stored - 1]
    guard ends[stored] - start == id.count else { return false }
    var position = start
    for byte in id {
      if bytes[position] != byte { return false }
      position += 1
    }
    return true
  }

  /// Doubles the table and places every stored id again.
  private mutating func grow() {
    slots = [Int32](repeating: 0, count: slots.count * 2)
    let mask = slots.count - 1
    bytes.withUnsafeBufferPointer { all in
      for stored in 0..<count {
        let start = stored == 0 ? 0 : ends[stored - 1]
        var slot = UnitIDTable.hash(all[start..<ends[stored]]) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(stored + 1)
      }
    }
  }

  /// FNV-1a (64-bit) with its high half folded in; only the table's layout depends on it.
  private static func hash(_ id: Slice<UnsafeBufferPointer<UInt8>>) -> Int {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in id {
      h ^= UInt64(byte)
      h &*= 0x0000_0100_0000_01b3
    }
    return Int(truncatingIfNeeded: h ^ (h >> 29))
  }
}
