/// The experiment's variant or segment names, looked up by the bytes of a data field (on every row).
///
/// Up to `linearLimit` names are compared one after another, which is the fastest for the usual two to eight. More
/// names go through an open-addressing table keyed by the FNV-1a hash of their bytes, so a row costs one hash and,
/// almost always, one comparison whether the experiment has 5 segments or 20,000. The names are stored end to end
/// in one array, so a lookup touches no per-name allocation.
struct ByteNameTable {
  /// Every name's UTF-8 bytes, end to end.
  private let bytes: [UInt8]
  /// Name `i` is `bytes[starts[i]..<starts[i + 1]]`.
  private let starts: [Int]
  /// The hash table: a name index, or -1 for an empty slot (no slots when the names are compared one by one).
  private let slots: [Int32]
  private let mask: Int

  /// Beyond this many names the table is used.
  static let linearLimit = 8

  /// The names in order; a name given twice keeps its first index.
  init(_ names: [String]) {
    var bytes: [UInt8] = []
    var starts = [0]
    for name in names {
      bytes.append(contentsOf: name.utf8)
      starts.append(bytes.count)
    }
    self.bytes = bytes
    self.starts = starts
    guard names.count > Self.linearLimit else {
      slots = []
      mask = 0
      return
    }
    var size = 16
    while size < names.count * 2 { size *= 2 }
    var slots = [Int32](repeating: -1, count: size)
    mask = size - 1
    bytes.withUnsafeBufferPointer { all in
      for index in names.indices {
        let name = UnsafeBufferPointer(rebasing: all[starts[index]..<starts[index + 1]])
        var slot = Int(truncatingIfNeeded: Self.hash(name, 0, name.count)) & (size - 1)
        while slots[slot] >= 0 {
          let other = Int(slots[slot])
          if Self.equal(all, starts[other], starts[other + 1], name, 0, name.count) { break }
          slot = (slot + 1) & (size - 1)
        }
        if slots[slot] < 0 { slots[slot] = Int32(index) }
      }
    }
    self.slots = slots
  }

  /// How many names there are.
  var count: Int { starts.count - 1 }

  /// The index of the name equal to `field` with spaces around it ignored, or nil.
  @inline(__always)
  func index(of field: UnsafeBufferPointer<UInt8>) -> Int? {
    var start = 0
    var end = field.count
    while start < end && field[start] == UInt8(ascii: " ") { start += 1 }
    while end > start && field[end - 1] == UInt8(ascii: " ") { end -= 1 }
    return bytes.withUnsafeBufferPointer { all in
      if slots.isEmpty {
        for index in 0..<(starts.count - 1)
        where Self.equal(all, starts[index], starts[index + 1], field, start, end) {
          return index
        }
        return nil
      }
      var slot = Int(truncatingIfNeeded: Self.hash(field, start, end)) & mask
      while true {
        let index = Int(slots[slot])
        if index < 0 { return nil }
        if Self.equal(all, starts[index], starts[index + 1], field, start, end) { return index }
        slot = (slot + 1) & mask
      }
    }
  }

  /// FNV-1a (64 bit) of `buffer[start..<end]`.
  @inline(__always)
  private static func hash(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for offset in start..<end {
      hash = (hash ^ UInt64(buffer[offset])) &* 0x0000_0100_0000_01b3
    }
    return hash
  }

  @inline(__always)
  private static func equal(
    _ names: UnsafeBufferPointer<UInt8>, _ nameStart: Int, _ nameEnd: Int,
    _ field: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int
  ) -> Bool {
    guard nameEnd - nameStart == end - start else { return false }
    var offset = 0
    while nameStart + offset < nameEnd {
      if names[nameStart + offset] != field[start + offset] { return false }
      offset += 1
    }
    return true
  }
}
