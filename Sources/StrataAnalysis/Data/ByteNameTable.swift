/// The experiment's variant or segment names, looked up by the bytes of a data field (on every row).
///
/// Up to `linearLimit` names are compared one after another, which is the fastest for the usual two to eight. More
/// names go through an open-addressing table keyed by the FNV-1a hash of their bytes, so a row costs one hash and,
/// almost always, one comparison whether the experiment has 5 segments or 20,000. Each slot of the table holds the
/// name's index, its length and its first `inlineBytes` bytes (zero-padded), so a name that short is compared
/// inside its slot: one memory access per row, where a table of 20,000 names no longer fits the fastest caches.
/// Longer names compare the rest from `bytes`, where the names are stored end to end in one array, so a lookup
/// touches no per-name allocation.
struct ByteNameTable {
  /// Every name's UTF-8 bytes, end to end.
  private let bytes: [UInt8]
  /// Name `i` is `bytes[starts[i]..<starts[i + 1]]`.
  private let starts: [Int]
  /// The hash table, `slotWords` words per slot; no slots when the names are compared one by one.
  ///
  /// A slot's first word holds the name index in its low 32 bits (all ones for an empty slot) and the name's
  /// length in its high 32; the next words hold its first `inlineBytes` bytes, little-endian, zero-padded.
  private let slots: [UInt64]
  private let mask: Int
  /// When there are at most `linearLimit` names and none is longer than 8 bytes: each name's bytes as a little-endian
  /// word, zero-padded (`shortWords`), and its length (`shortLengths`); empty otherwise.
  ///
  /// A field is then one 8-byte load, compared with every name without a branch (`index(in:_:_:)`): comparing byte
  /// by byte, which name a row holds decided the branches, and mispredicting them cost about a fifth of the CPU of
  /// `analyze` with 3 variants and 5 segments.
  private let shortWords: [UInt64]
  private let shortLengths: [Int]

  /// Beyond this many names the table is used.
  static let linearLimit = 8
  /// Bytes of each name kept in its slot: three words, compared in `index(of:)`.
  static let inlineBytes = 24
  private static let slotWords = 4
  private static let empty = UInt64(UInt32.max)

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
      let short = names.allSatisfy { $0.utf8.count <= 8 }
      shortWords =
        !short
        ? []
        : names.map { name in
          name.utf8.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
      shortLengths = !short ? [] : names.map(\.utf8.count)
      return
    }
    shortWords = []
    shortLengths = []
    var size = 16
    while size < names.count * 2 { size *= 2 }
    var slots = [UInt64](repeating: 0, count: size * Self.slotWords)
    for slot in 0..<size { slots[slot * Self.slotWords] = Self.empty }
    mask = size - 1
    bytes.withUnsafeBufferPointer { all in
      for index in names.indices {
        let name = UnsafeBufferPointer(rebasing: all[starts[index]..<starts[index + 1]])
        var slot = Int(truncatingIfNeeded: Self.hash(name, 0, name.count)) & (size - 1)
        var taken = false
        while slots[slot * Self.slotWords] != Self.empty {
          let other = Int(truncatingIfNeeded: slots[slot * Self.slotWords] & Self.empty)
          if Self.equal(all, starts[other], starts[other + 1], name, 0, name.count) {
            taken = true
            break
          }
          slot = (slot + 1) & (size - 1)
        }
        guard !taken else { continue }
        let base = slot * Self.slotWords
        slots[base] = UInt64(index) | UInt64(name.count) << 32
        for word in 1..<Self.slotWords { slots[base + word] = Self.word(name, 0, name.count, word - 1) }
      }
    }
    self.slots = slots
  }

  /// How many names there are.
  var count: Int { starts.count - 1 }

  /// The index of the name equal to `field` with spaces around it ignored, or nil.
  ///
  /// Inlined into the per-row code with only the short comparison loop: the table's lookup is a call of its own
  /// (`hashedIndex`), since inlining it too made this function too large for the compiler to inline at all, a call
  /// per row for the usual handful of names.
  @inline(__always)
  func index(of field: UnsafeBufferPointer<UInt8>) -> Int? {
    var start = 0
    var end = field.count
    while start < end && field[start] == UInt8(ascii: " ") { start += 1 }
    while end > start && field[end - 1] == UInt8(ascii: " ") { end -= 1 }
    if slots.isEmpty {
      return bytes.withUnsafeBufferPointer { all in
        for index in 0..<(starts.count - 1)
        where Self.equal(all, starts[index], starts[index + 1], field, start, end) {
          return index
        }
        return nil
      }
    }
    return hashedIndex(of: field, start, end)
  }

  /// `index(of:)` for the field `buffer[start..<end]`, where `buffer` may be read past `end` (a scanner's buffer):
  /// with only short names, the field (spaces around it ignored) is loaded as one word and compared with each name
  /// without a branch; otherwise as `index(of:)`.
  @inline(__always)
  func index(in buffer: UnsafeMutableBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
    var start = start
    var end = end
    while start < end && buffer[start] == UInt8(ascii: " ") { start += 1 }
    while end > start && buffer[end - 1] == UInt8(ascii: " ") { end -= 1 }
    let length = end - start
    guard !shortWords.isEmpty, length <= 8, start + 8 <= buffer.count, let base = buffer.baseAddress else {
      return index(of: UnsafeBufferPointer(rebasing: UnsafeBufferPointer(buffer)[start..<end]))
    }
    let loaded = UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self))
    let word = length == 8 ? loaded : loaded & ((1 &<< UInt64(8 * length)) &- 1)
    return shortWords.withUnsafeBufferPointer { words in
      shortLengths.withUnsafeBufferPointer { lengths in
        // Last to first, so that a name given twice keeps its first index.
        var found = -1
        var index = words.count
        while index > 0 {
          index -= 1
          // One comparison (word and length together), so the compiler selects instead of branching.
          let differs = (words[index] ^ word) | UInt64(truncatingIfNeeded: lengths[index] ^ length)
          found = differs == 0 ? index : found
        }
        return found < 0 ? nil : found
      }
    }
  }

  /// `index(of:)` through the hash table, for `field[start..<end]`.
  @inline(never)
  private func hashedIndex(of field: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
    let length = UInt64(end - start)
    let first = Self.word(field, start, end, 0)
    let second = Self.word(field, start, end, 1)
    let third = Self.word(field, start, end, 2)
    return slots.withUnsafeBufferPointer { slots in
      var slot = Int(truncatingIfNeeded: Self.hash(field, start, end)) & mask
      while true {
        let base = slot * Self.slotWords
        let head = slots[base]
        if head == Self.empty { return nil }
        if head >> 32 == length && slots[base + 1] == first && slots[base + 2] == second && slots[base + 3] == third {
          let index = Int(truncatingIfNeeded: head & Self.empty)
          if end - start <= Self.inlineBytes { return index }
          let matches = bytes.withUnsafeBufferPointer { all in
            Self.equal(all, starts[index], starts[index + 1], field, start, end)
          }
          if matches { return index }
        }
        slot = (slot + 1) & mask
      }
    }
  }

  /// Bytes `start + 8·word ..< start + 8·word + 8` of `buffer[start..<end]` as a little-endian word, zero past `end`.
  @inline(__always)
  private static func word(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ word: Int) -> UInt64 {
    let from = start + 8 * word
    let to = min(end, from + 8)
    var value: UInt64 = 0
    var offset = from
    while offset < to {
      value |= UInt64(buffer[offset]) << (8 * UInt64(offset - from))
      offset += 1
    }
    return value
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
