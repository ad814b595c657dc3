/// The experiment's variant or segment names, looked up by the bytes of a data field (on every row).
///
/// Up to `shortLimit` names of at most 8 bytes each are found in a small collision-free table (`shortSlots`): a
/// field is one word, one multiplication and one comparison. Other names, up to `linearLimit` of them, are compared
/// one after another. More names (short ones too, for `index(of:)` and fields with spaces around them) go through an open-addressing table keyed by a hash of their bytes taken 8 at a
/// time (`hash(length:_:_:_:)`), so a row costs one hash and, almost always, one comparison whether the experiment has 5 segments or 20,000. A
/// field of up to `inlineBytes` bytes is loaded as three words straight from the scanner's buffer and hashed and
/// compared without a loop over its bytes (`index(in:_:_:)`): a byte loop whose length follows the row's name
/// mispredicted its exit, and with FNV-1a's chain of one multiplication per byte, was a sixth of the CPU of
/// `analyze` at 2,000 segments. Each slot of the table holds the
/// name's index, its length and its first `inlineBytes` bytes (zero-padded), so a name that short is compared
/// inside its slot: one memory access per row, where a table of 20,000 names no longer fits the fastest caches.
/// Longer names compare the rest from `bytes`, where the names are stored end to end in one array, so a lookup
/// touches no per-name allocation.
///
/// For the one-pass row (`UnitLevelRows.consumeFast`), every set of names without the short table, whatever their
/// number and length, also gets a second collision-free table (`wideSlots`): a field of up to 16 bytes is two words,
/// two multiplications and one comparison (`wideIndex`), a longer one a word more of each per 8 bytes (`longIndex`).
/// When no name is longer than 8 bytes, the names are kept as one word each as well (`wideWords`), and a field is one
/// word, two multiplications and one comparison of one word (`wordWideIndex`).
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
  /// When there are at most `shortLimit` names and none is longer than 8 bytes: a collision-free table of them
  /// (`shortSlots`, two words per slot: the name's bytes as a little-endian word, zero-padded, then its length in the
  /// high 32 bits and its index in the low 32, all ones when the slot is empty), and the multiplier that sends every
  /// name to a slot of its own (`shortSlot`); empty and 0 otherwise.
  ///
  /// A field is then one 8-byte load, one multiplication and one comparison with the one slot it can be, whichever
  /// name it holds: no loop over the names, no branch that depends on which name a row holds (comparing byte by
  /// byte, mispredicting those cost about a fifth of the CPU of `analyze` with 3 variants and 5 segments; comparing
  /// the word with every name in turn cost 62 instructions per lookup).
  private let shortSlots: [UInt64]
  private let shortMultiplier: UInt64
  /// 64 minus the bits of a slot number.
  private let shortShift: UInt64
  /// The collision-free table of the names when they have no short table (`wideTable`), or empty and 0.
  ///
  /// Any number of names of any length: a collision-free table of them too (`wideSlots`: per slot the index of the
  /// name it holds, or the number of names when it is empty), whose slot is the top bits of the hash of the name's key
  /// (`wideKey`, `wideHash` with `wideMultiplier`; a name longer than `wideBytes` has its later words folded into the
  /// key, `tailHash`), exclusive-or'ed with the displacement of the key's bucket (`displacements`; the bucket is the
  /// hash's next bits), so that every name has a slot of its own, with the fewest slots that hold them as a power of
  /// two, or twice as many (`wideTable`); empty and 0 otherwise. The slot's name is then compared with the field in
  /// `wideNames`, by the name's index.
  ///
  /// Two bytes a slot (four beyond 65,535 names), apart from the names: with 2,000 names the slots are 4 KiB and the
  /// displacements 2 KiB, which stay in the fastest cache, so the row's cell (the name's index) is known without
  /// waiting for the second-level cache, and the name's comparison, which waits for it, runs beside the cell's fetch
  /// instead of before it. Slots of 32 bytes that held the name (128 KiB at 2,000 names) missed the first-level cache
  /// on nearly every row, and the cell's fetch waited for that miss (docs/performance.md, "The name's slot apart from
  /// its bytes").
  ///
  /// A field of up to `wideBytes` bytes is then two 8-byte loads, two multiplications, a load from the small table of
  /// displacements and one comparison (`wideIndex`), as for the short table: with 2,000 segments the hash table's
  /// lookup (`wordsIndex`, three words hashed by two 128-bit products, out of line in the one-pass row) cost about 116
  /// instructions per row, and its 32-byte slots, not aligned, two cache lines for half of the names. A longer field
  /// adds a multiplication and a comparison per further word (`longIndex`).
  private let wideSlots: [UInt16]
  /// The wide table's names by index, and one more (the empty slots' index, the number of names), `wideWords` words
  /// each from word `wideOffset + wideWords * index`, a 64-byte boundary for an even index, so that a name is half a
  /// cache line: its first and second 8 bytes as little-endian words, zero-padded, then its length in the high 32 bits
  /// and its index in the low 32 (all ones for the last entry and a name given again, which no slot holds), and where
  /// its words from byte 16 on start in `tails`.
  private let wideNames: [UInt64]
  /// The words of the wide table's names longer than `wideBytes` from byte 16 on, little-endian, the last zero-padded;
  /// a name's start among them is its entry's last word in `wideNames`.
  private let tails: [UInt64]
  private let wideOffset: Int
  private let displacements: [UInt16]
  private let wideMultiplier: UInt64
  /// Where `wideSlots`' and `displacements`' entries start, and what of them is read.
  ///
  /// Their entries are 2 bytes each when every name index and slot number fits (up to 65,535 names), else 4;
  /// `wideEntryMask` keeps an entry's bytes of the 4 read from its start (`wideEntry`), 0xffff or all ones. A slot's and a bucket's entry start at `(hash >> wideShift) & wideSlotBytes` and `(hash >>
  /// bucketShift) & bucketBytes` bytes (the hash's top bits and the next ones, times the entry's size), and the
  /// displacements are stored times the entry's size, so that their exclusive or is the slot's entry's offset.
  private let wideShift: UInt64
  private let wideSlotBytes: Int
  private let bucketShift: UInt64
  private let bucketBytes: Int
  private let wideEntryMask: UInt32
  /// The wide table's names as one word each, when none is longer than 8 bytes; empty otherwise.
  ///
  /// Each name's bytes as a little-endian word, zero-padded, by index, and one more (the empty slots' index) that is
  /// 0; a name with a zero byte is 0 as well.
  ///
  /// For the one-pass row's lookup of such names (`wordWideIndex`): one word loaded and one comparison where the wide
  /// table's names compare two words and the length, 8 bytes a name where they take 32 (16 KiB at 2,000 names, not 64),
  /// so that they stay in the first-level cache more often.
  private let wideWords: [UInt64]

  /// Whether the collision-free table of short names was built (`shortSlots`).
  var hasShortTable: Bool { shortMultiplier != 0 }
  /// Whether the collision-free table of names without the short table was built (`wideSlots`).
  var hasWideTable: Bool { wideMultiplier != 0 }
  /// The wide table's number of slots (0 without it).
  var wideSlotCount: Int { wideSlots.isEmpty ? 0 : wideSlotBytes >> (wideEntryMask == 0xffff ? 1 : 2) + 1 }
  /// Whether the wide table's names are kept as one word each as well (`wideWords`), for `wordWideIndex`.
  var hasWideWords: Bool { !wideWords.isEmpty }
  /// Whether the hash table was built (more than `linearLimit` names), so that `wordsIndex` can look names up.
  var hasHashTable: Bool { !slots.isEmpty }

  /// Beyond this many names the table is used.
  static let linearLimit = 8
  /// Up to this many names of at most 8 bytes get the collision-free table of short names (`shortSlots`), the hash
  /// table as well beyond `linearLimit`.
  ///
  /// More than `linearLimit`: with 16 variants, the hash table's lookup of each row's variant, out of line in the
  /// one-pass row (`UnitLevelRows.consumeFast`), cost about 100 instructions per row more than the short table's.
  static let shortLimit = 32
  /// The longest name the wide table (`wideSlots`) holds in its slot and finds inlined (`wideIndex`): two words.
  static let wideBytes = 16
  private static let wideWords = 4
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
    // No name with a space at either end: then a field that holds one is no name as it stands, so a lookup that
    // compares the field as it stands (`usualIndex`) can leave it to the one that trims it.
    let short =
      names.count <= Self.shortLimit
      && names.allSatisfy {
        $0.utf8.count <= 8 && $0.utf8.first != UInt8(ascii: " ") && $0.utf8.last != UInt8(ascii: " ")
      }
    let shortTable = short ? Self.shortTable(names) : ([], 0, 0)
    (shortSlots, shortMultiplier, shortShift) = shortTable
    // Every other set of names, any number of any length: the wide table. A name with a space at either end or a
    // byte below `-` inside is in it too (no definition has one): the one-pass row's inlined steps stop at such a
    // byte, and `UnitLevelRows.consumeOther` looks the field up with the spaces around it dropped (`fieldIndex`).
    let table = shortTable.1 != 0 ? nil : Self.wideTable(names)
    wideSlots = table?.slots ?? []
    wideNames = table?.names ?? []
    tails = table?.tails ?? []
    displacements = table?.displacements ?? []
    wideMultiplier = table?.multiplier ?? 0
    wideShift = table?.shift ?? 0
    wideSlotBytes = table?.slotBytes ?? 0
    bucketShift = table?.bucketShift ?? 0
    bucketBytes = table?.bucketBytes ?? 0
    wideEntryMask = table?.entryMask ?? 0
    wideOffset = table?.offset ?? 0
    wideWords =
      table == nil || names.contains(where: { $0.utf8.count > 8 })
      ? []
      : names.map { name in
        name.utf8.contains(0) ? 0 : name.utf8.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) }
      } + [0]
    guard names.count > Self.linearLimit else {
      slots = []
      mask = 0
      return
    }
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
  /// The names compared one after another (at most `linearLimit`, the reference for the short table), or the hash
  /// table's lookup (`hashedIndex`).
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

  /// `index(of:)` for the field `buffer[start..<end]`, where `buffer` may be read past `end` (a scanner's buffer).
  ///
  /// Inlined into the per-row code with only the usual case: a field of 1 to 8 bytes with no space at either end,
  /// 8 readable bytes from its start and a table of short names; then the field is one word, looked up in
  /// `shortSlots` without a branch on its value. Anything else (spaces around the name, longer fields, more names)
  /// is `generalIndex`'s, in a call of its own.
  @inline(__always)
  func index(in buffer: UnsafeMutableBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
    let index = quickIndex(in: buffer, start, end)
    if index >= 0 { return index }
    return index == Self.undecided ? generalIndex(in: buffer, start, end) : nil
  }

  /// `quickIndex(in:_:_:)`'s answer when only `index(in:_:_:)` can tell.
  static let undecided = -2

  /// `index(in:_:_:)`'s inlined part alone: the name's index, -1 for no name, or `undecided` when the field is not the
  /// usual case (then `index(in:_:_:)` decides).
  ///
  /// Without the out-of-line call, the per-row code reads the few words of the table it needs where they are: the
  /// call took the whole table as an argument, which the per-row code copied onto the stack for every row.
  @inline(__always)
  func quickIndex(in buffer: UnsafeMutableBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
    let length = end - start
    guard shortMultiplier != 0, length > 0, length <= 8, start >= 0, start + 8 <= buffer.count,
      let base = buffer.baseAddress, base[start] != UInt8(ascii: " "), base[end - 1] != UInt8(ascii: " ")
    else { return Self.undecided }
    let loaded = UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self))
    return fewIndex(loaded & (UInt64.max &>> UInt64(64 - 8 * length)), length) ?? -1
  }

  /// The index of the short name that `buffer[start..<end]` is as it stands, or -1: for a field with spaces around
  /// a name too (`index(in:_:_:)` then decides), as for no name, a longer field or no table of short names.
  ///
  /// `quickIndex(in:_:_:)` without its tests for a space at either end, for a caller that treats "no name" and
  /// "undecided" alike (`CellColumns.quickCell(of:)`): no name of the short table starts or ends with a space (see
  /// `init`), so such a field matches none. One 8-byte load, one multiplication and one comparison.
  @inline(__always)
  func usualIndex(in buffer: UnsafeMutableBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
    let length = end &- start
    guard shortMultiplier != 0, length > 0, length <= 8, start >= 0, start <= buffer.count &- 8,
      let base = buffer.baseAddress
    else { return -1 }
    let loaded = UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self))
    return fewIndex(loaded & (UInt64.max &>> UInt64(64 &- 8 &* length)), length) ?? -1
  }

  /// The index of the short name whose bytes are `word` (little-endian, zero past the name) and `length` (1 to 8), or
  /// -1 (also without a table of short names): `usualIndex(in:_:_:)` once the field's word is loaded.
  @inline(__always)
  func wordIndex(_ word: UInt64, _ length: Int) -> Int {
    guard shortMultiplier != 0 else { return -1 }
    return fewIndex(word, length) ?? -1
  }

  /// The index of the name of `length` bytes (1 to `wideBytes`) whose first and second 8 bytes are `first` and
  /// `second` (little-endian, zero past the name) in the collision-free table of names without the short table
  /// (`wideSlots`), or -1 (also without that table).
  ///
  /// For the one-pass row (`UnitLevelRows.consumeFast`), inlined: `wordIndex(_:_:)`'s one slot, displaced by its
  /// bucket's entry in `displacements`.
  @inline(__always)
  func wideIndex(_ first: UInt64, _ second: UInt64, _ length: Int) -> Int {
    guard wideMultiplier != 0 else { return -1 }
    return wideSlot(first, second, key: second, length).index
  }

  /// `wideIndex` for a field of 1 to 8 bytes whose word is `word` (little-endian, zero past the field) and that has no
  /// zero byte, when the names have one word each (`wideWords`; -1 without them): the wide table's slot for the word,
  /// and one comparison with the word of the name it holds.
  ///
  /// The comparison of the words alone suffices: the field's word is zero past the field and has no zero byte before,
  /// so the name whose word it is has no byte after the field's (its word would hold it) and none with a zero byte is
  /// kept (`wideWords`). For the one-pass row (`UnitLevelRows.consumeFast`), inlined; as `wideSlot`, the index is the
  /// slot's, and only the branch on the comparison waits for the name's word.
  @inline(__always)
  func wordWideIndex(_ word: UInt64, _ length: Int) -> Int {
    guard !wideWords.isEmpty else { return -1 }
    let product = Self.wideHash(Self.wideKey(word, 0, length), wideMultiplier)
    return displacements.withUnsafeBufferPointer { displacements in
      wideSlots.withUnsafeBufferPointer { slots in
        wideWords.withUnsafeBufferPointer { words in
          // As in `wideSlot`: offsets masked below the tables' sizes, and an index of a name or the number of names.
          let bucket = Int(truncatingIfNeeded: product &>> bucketShift) & bucketBytes
          let slot = Int(truncatingIfNeeded: product &>> wideShift) & wideSlotBytes ^ wideEntry(displacements, bucket)
          let index = wideEntry(slots, slot)
          guard words[index] == word else { return -1 }
          return index
        }
      }
    }
  }

  /// The wide table's one slot for a field of `length` bytes whose first two words are `first` and `second` and whose
  /// key's second word is `key` (`second`, or for a field longer than `wideBytes` `second` exclusive-or its later
  /// words' `tailHash`): the name's index when the slot holds those words and that length (else -1), and the slot's
  /// name's first word in `wideNames`.
  ///
  /// `wideIndex`'s and `wideSlotIndex`'s lookup, inlined into both; the caller makes sure the table exists.
  @inline(__always)
  private func wideSlot(_ first: UInt64, _ second: UInt64, key: UInt64, _ length: Int) -> (index: Int, base: Int) {
    let product = Self.wideHash(Self.wideKey(first, key, length), wideMultiplier)
    return displacements.withUnsafeBufferPointer { displacements in
      wideSlots.withUnsafeBufferPointer { slots in
        wideNames.withUnsafeBufferPointer { names in
          // The bucket's entry is within the displacements, and the slot's within the slots: both offsets are
          // masked to below the tables' sizes in bytes (powers of two), and so is their exclusive or; a slot holds a
          // name's index or the number of names, each an entry of `wideNames`.
          let bucket = Int(truncatingIfNeeded: product &>> bucketShift) & bucketBytes
          let slot = Int(truncatingIfNeeded: product &>> wideShift) & wideSlotBytes ^ wideEntry(displacements, bucket)
          let index = wideEntry(slots, slot)
          let base = wideOffset &+ Self.wideWords &* index
          // One comparison of the words and length together; the empty slots' entry's length (all ones) matches no
          // field. The index is the slot's, not the entry's: what follows the lookup (the row's cell) need not wait
          // for the entry, only the branch on the comparison does.
          let differs =
            (names[base] ^ first) | (names[base &+ 1] ^ second)
            | ((names[base &+ 2] >> 32) ^ UInt64(truncatingIfNeeded: length))
          guard differs == 0 else { return (-1, base) }
          return (index, base)
        }
      }
    }
  }

  /// The index of the name that `bytes[from..<to]` is as it stands, or -1: `index(of:)`'s answer for a field with no
  /// space at either end (the caller drops them), through the table of short names or the wide table when there is
  /// one.
  ///
  /// For the one-pass row's fields that its inlined lookups do not take (`UnitLevelRows.otherName`: quoted names,
  /// names with a space or another byte below `-` inside). Loads the 8-byte word at `from`; with the wide table and
  /// `wordsReadable`, the words from `from` up to the one that holds the last byte, and at least two (`longIndex`);
  /// without either, `index(of:)` itself.
  @inline(__always)
  func fieldIndex(_ bytes: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int, wordsReadable: Bool) -> Int {
    let length = to &- from
    if shortMultiplier != 0 && length > 0 && length <= 8 {
      let word = UInt64(littleEndian: UnsafeRawPointer(bytes + from).loadUnaligned(as: UInt64.self))
      return fewIndex(word & Self.mask(length), length) ?? -1
    }
    if wideMultiplier != 0 && length > 0 && wordsReadable { return longIndex(UnsafeRawPointer(bytes + from), length) }
    return index(of: UnsafeBufferPointer(start: bytes + from, count: length)) ?? -1
  }

  /// The index of the name equal to the `length` bytes at `field` in the wide table (`wideSlots`), or -1 (also
  /// without that table): `wideIndex` for a field of any length, its words from byte 16 on folded into its key
  /// (`tailHash`) and compared with the name's (`tails`).
  ///
  /// Loads 8-byte words from `field` up to the one that holds its last byte, and at least two: the caller makes sure
  /// they are readable. For the one-pass row's lookup of a name before a CRLF line end
  /// (`UnitLevelRows.longName`), and the reference for `wideSlotIndex`.
  @inline(__always)
  func longIndex(_ field: UnsafeRawPointer, _ length: Int) -> Int {
    guard length > 0 else { return -1 }
    func load(_ offset: Int) -> UInt64 {
      UInt64(littleEndian: field.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) & Self.mask(length &- offset)
    }
    var tail: UInt64 = 0
    var offset = 16
    while offset < length {
      tail = Self.tailHash(tail, load(offset))
      offset &+= 8
    }
    return wideSlotIndex(load(0), load(8), tail, length, field)
  }

  /// The wide table's lookup of the field of `length` bytes (at least 1) at `field`, given its first two words
  /// (`word(_:_:_:_:)`: zero past its end) and its later words' hash (`tailHash` of each from byte 16 on, the last
  /// zero past the end; 0 when there are none): the name's index, or -1 (also without the table).
  ///
  /// The later words are compared with the name's (`tails`) from `field`, which must be readable up to the word
  /// that holds the field's last byte. Inlined into the one-pass row's lookup of names longer than `wideBytes`
  /// (`UnitLevelRows.longName`), which hashes their words as it looks for their end: a call of its own took a copy
  /// of the table on every row.
  @inline(__always)
  func wideSlotIndex(_ first: UInt64, _ second: UInt64, _ tail: UInt64, _ length: Int, _ field: UnsafeRawPointer)
    -> Int
  {
    guard wideMultiplier != 0 else { return -1 }
    let (index, base) = wideSlot(first, second, key: second ^ tail, length)
    guard index >= 0 else { return -1 }
    // The same length: the name has as many words from byte 16 on as the field, from its slot's last word on.
    return wideNames.withUnsafeBufferPointer { names in
      tails.withUnsafeBufferPointer { tails in
        var at = Int(truncatingIfNeeded: names[base &+ 3])
        var offset = 16
        while offset < length {
          var word = UInt64(littleEndian: field.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
          let rest = length &- offset
          if rest < 8 { word &= (1 &<< UInt64(truncatingIfNeeded: 8 &* rest)) &- 1 }
          guard tails[at] == word else { return -1 }
          at &+= 1
          offset &+= 8
        }
        return index
      }
    }
  }

  /// `tail` with a name's next word from byte 16 on folded in: what a name longer than `wideBytes` adds to its second
  /// word in its key (`wideKey`), so that names that share their first 16 bytes and length have different keys.
  @inline(__always)
  static func tailHash(_ tail: UInt64, _ word: UInt64) -> UInt64 {
    (tail ^ word) &* 0xff51_afd7_ed55_8ccd
  }

  /// The wide table's hash of `key` under `multiplier`: the high and low halves of their 128-bit product
  /// exclusive-or'ed, so that every bit of the key reaches the top bits that give the slot and the bucket (of a plain
  /// 64-bit product, a name's last byte moves only the top 8 bits: 8-byte names that differ only there, `seg-1230`
  /// to `seg-1239`, shared their bucket and often their slot, and no table was found for 20,000 such names).
  @inline(__always)
  private static func wideHash(_ key: UInt64, _ multiplier: UInt64) -> UInt64 {
    let product = key.multipliedFullWidth(by: multiplier)
    return product.high ^ product.low
  }

  /// The wide table's key of a name of `length` bytes whose words are `first` and `second` (`wideIndex`; for a name
  /// longer than `wideBytes`, `second` exclusive-or its later words' `tailHash`, `longIndex`): both words and the
  /// length in one word (two names with the same key leave no wide table, `wideTable`).
  @inline(__always)
  private static func wideKey(_ first: UInt64, _ second: UInt64, _ length: Int) -> UInt64 {
    first ^ (second ^ UInt64(truncatingIfNeeded: length)) &* 0x9e37_79b9_7f4a_7c15
  }

  /// The entry of `wideSlots` or `displacements` (`table`) that starts `offset` bytes in: the 4 bytes from there, with
  /// `wideEntryMask` (each table has 2 bytes more than its entries, so that the last one is read so too).
  @inline(__always)
  private func wideEntry(_ table: UnsafeBufferPointer<UInt16>, _ offset: Int) -> Int {
    let raw = UnsafeRawPointer(table.baseAddress.unsafelyUnwrapped)
    let entry = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    return Int(truncatingIfNeeded: entry & wideEntryMask)
  }

  /// `index(in:_:_:)` for what its inlined part leaves: the field with spaces around it ignored.
  ///
  /// With the hash table, a field of up to `inlineBytes` bytes is loaded as three words straight from the buffer, the
  /// bytes past the field masked off (the words `word(_:_:_:_:)` makes), and found by `shortIndex(length:_:_:_:)`.
  @inline(never)
  private func generalIndex(in buffer: UnsafeMutableBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
    var start = start
    var end = end
    while start < end && buffer[start] == UInt8(ascii: " ") { start += 1 }
    while end > start && buffer[end - 1] == UInt8(ascii: " ") { end -= 1 }
    let length = end - start
    if !slots.isEmpty, start >= 0, length <= Self.inlineBytes, start + Self.inlineBytes <= buffer.count,
      let base = buffer.baseAddress
    {
      let raw = UnsafeRawPointer(base + start)
      let first = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) & Self.mask(length)
      let second = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) & Self.mask(length - 8)
      let third = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) & Self.mask(length - 16)
      return shortIndex(length: length, first, second, third)
    }
    return index(of: UnsafeBufferPointer(rebasing: UnsafeBufferPointer(buffer)[start..<end]))
  }

  /// The index of the short name whose word and length these are, or nil (`shortSlots`).
  @inline(__always)
  private func fewIndex(_ word: UInt64, _ length: Int) -> Int? {
    shortSlots.withUnsafeBufferPointer { slots in
      // The slot is below the table's size (the product's top bits), so twice it cannot overflow.
      let slot = Self.shortSlot(word, length, shortMultiplier, shortShift)
      let info = slots[2 &* slot &+ 1]
      // One comparison of word and length together; an empty slot's length (all ones) matches no field.
      let differs = (slots[2 &* slot] ^ word) | ((info >> 32) ^ UInt64(truncatingIfNeeded: length))
      return differs == 0 ? Int(truncatingIfNeeded: info & 0xffff_ffff) : nil
    }
  }

  /// The slot of a short name's word and length: the top bits of its key times the table's multiplier, the key being
  /// the word with the length in its top byte (zero in the word of a name shorter than 8 bytes; only an 8-byte name
  /// ending in a byte from 9 to 15, a control character, can share a key with a shorter name).
  @inline(__always)
  private static func shortSlot(_ word: UInt64, _ length: Int, _ multiplier: UInt64, _ shift: UInt64) -> Int {
    Int(truncatingIfNeeded: ((word ^ UInt64(truncatingIfNeeded: length) << 56) &* multiplier) &>> shift)
  }

  /// The collision-free table of `names` (each at most 8 bytes; a name given twice keeps its first index).
  ///
  /// Multipliers are tried in a fixed order (odd numbers from SplitMix64 with a fixed seed) until each name has a slot
  /// of its own, with twice as many slots as names at first and the table doubled after every 256 failed tries.
  /// Returns no table (multiplier 0) when none is found by 1,024 slots, which only two names with the same key
  /// (`shortSlot`) can cause (for `shortLimit` names a try at 1,024 slots succeeds more often than not); `index(of:)`
  /// then compares the names one by one, or uses the hash table.
  private static func shortTable(_ names: [String]) -> (slots: [UInt64], multiplier: UInt64, shift: UInt64) {
    var keys: [(word: UInt64, length: Int, index: Int)] = []
    for (index, name) in names.enumerated() {
      let word = name.utf8.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
      if !keys.contains(where: { $0.word == word && $0.length == name.utf8.count }) {
        keys.append((word, name.utf8.count, index))
      }
    }
    var bits = 1
    while 1 << bits < 2 * max(1, keys.count) { bits += 1 }
    var state: UInt64 = 0x5eed
    while bits <= 10 {
      for _ in 0..<256 {
        let multiplier = oddMultiplier(&state)
        let shift = UInt64(64 - bits)
        var slots = [UInt64](repeating: 0, count: 2 << bits)
        for slot in 0..<(1 << bits) { slots[2 * slot + 1] = UInt64.max }
        var collided = false
        for key in keys {
          let slot = shortSlot(key.word, key.length, multiplier, shift)
          if slots[2 * slot + 1] != UInt64.max {
            collided = true
            break
          }
          slots[2 * slot] = key.word
          slots[2 * slot + 1] = UInt64(key.length) << 32 | UInt64(key.index)
        }
        if !collided { return (slots, multiplier, shift) }
      }
      bits += 1
    }
    return ([], 0, 0)
  }

  /// The collision-free table of `names` (any number, any length; a name given twice keeps its first index), or nil
  /// when none is found (then the hash table serves, when there is one).
  ///
  /// Hash and displace: a key's hash with the multiplier (`wideHash`) gives its slot (the top bits) and its bucket
  /// (the bits after them); the buckets, one or two keys each, largest first (then in order), each take the first
  /// displacement that moves all of their keys to free slots (slot exclusive-or displacement), with the fewest slots
  /// that hold the keys (a power of two). Two keys of one bucket with the same slot cannot be separated so: then the
  /// next multiplier (odd numbers from SplitMix64 with a fixed seed, as `shortTable`) is tried, up to 8, then up to 8
  /// more with twice as many slots; no table when none does, which only two names with the same key (`wideKey`) make
  /// likely.
  private static func wideTable(_ names: [String]) -> (
    slots: [UInt16], names: [UInt64], tails: [UInt64], offset: Int, displacements: [UInt16], multiplier: UInt64,
    shift: UInt64, slotBytes: Int, bucketShift: UInt64, bucketBytes: Int, entryMask: UInt32
  )? {
    var keys: [(first: UInt64, second: UInt64, length: Int, index: Int, tail: Int, key: UInt64)] = []
    var tails: [UInt64] = []
    var known = Set<[UInt8]>()
    for (index, name) in names.enumerated() {
      let bytes = Array(name.utf8)
      guard known.insert(bytes).inserted else { continue }
      let tail = tails.count
      let (first, second, hash) = bytes.withUnsafeBufferPointer { buffer in
        var hash: UInt64 = 0
        var next = 2
        while 8 * next < buffer.count {
          let value = word(buffer, 0, buffer.count, next)
          tails.append(value)
          hash = tailHash(hash, value)
          next += 1
        }
        return (word(buffer, 0, buffer.count, 0), word(buffer, 0, buffer.count, 1), hash)
      }
      keys.append((first, second, bytes.count, index, tail, wideKey(first, second ^ hash, bytes.count)))
    }
    var fewestBits = 1
    while 1 << fewestBits < keys.count { fewestBits += 1 }
    var bucketBits = 0
    while 2 << bucketBits < keys.count { bucketBits += 1 }
    guard fewestBits < 31, names.count < UInt32.max else { return nil }
    var state: UInt64 = 0x5eed_d15b
    for slotBits in [fewestBits, fewestBits + 1] {
      let size = 1 << slotBits
      let shift = UInt64(64 - slotBits)
      let bucketShift = UInt64(64 - slotBits - bucketBits)
      let bucketMask = (1 << bucketBits) - 1
      for _ in 0..<8 {
        let multiplier = oddMultiplier(&state)
        var buckets = [[(slot: Int, key: Int)]](repeating: [], count: bucketMask + 1)
        for (number, key) in keys.enumerated() {
          let product = wideHash(key.key, multiplier)
          buckets[Int(truncatingIfNeeded: product >> bucketShift) & bucketMask].append(
            (Int(truncatingIfNeeded: product >> shift), number))
        }
        let order = buckets.indices.sorted { (buckets[$0].count, $1) > (buckets[$1].count, $0) }
        var taken = [Bool](repeating: false, count: size)
        var displacements = [Int](repeating: 0, count: bucketMask + 1)
        var placed = true
        for bucket in order where !buckets[bucket].isEmpty {
          let members = buckets[bucket]
          let distinct = members.indices.allSatisfy { a in members[..<a].allSatisfy { $0.slot != members[a].slot } }
          guard distinct,
            let displacement = (0..<size).first(where: { d in members.allSatisfy { !taken[$0.slot ^ d] } })
          else {
            placed = false
            break
          }
          displacements[bucket] = displacement
          for member in members { taken[member.slot ^ displacement] = true }
        }
        guard placed else { continue }
        // Room for the entries from the first 64-byte boundary of the array's storage (which a `let` array keeps).
        var entries = [UInt64](repeating: 0, count: wideWords * (names.count + 1) + 8)
        let offset = entries.withUnsafeBufferPointer {
          (64 - Int(bitPattern: $0.baseAddress) % 64) % 64 / 8
        }
        for index in 0...names.count { entries[offset + wideWords * index + 2] = UInt64.max }
        var slots = [Int](repeating: names.count, count: size)
        for (bucket, members) in buckets.enumerated() {
          for member in members {
            let key = keys[member.key]
            slots[member.slot ^ displacements[bucket]] = key.index
            let base = offset + wideWords * key.index
            entries[base] = key.first
            entries[base + 1] = key.second
            entries[base + 2] = UInt64(key.length) << 32 | UInt64(key.index)
            entries[base + 3] = UInt64(key.tail)
          }
        }
        // Two bytes an entry when the names' indices (the empty slots' one too) and the displacements, stored as
        // offsets in bytes (twice the slot number), fit, else four (low half first); two bytes more, so that the last
        // entry's four bytes can be read. With 65,536 slots a displacement of 32,768 or more lost its top bit as an
        // offset: those names were looked for in the wrong slot (found anyway, by the slower path).
        let narrow = names.count <= 0xffff && size <= 0x8000
        let scale: UInt64 = narrow ? 1 : 2
        func packed(_ values: [Int]) -> [UInt16] {
          (narrow
            ? values.map { UInt16(truncatingIfNeeded: $0) }
            : values.flatMap { [UInt16(truncatingIfNeeded: $0), UInt16(truncatingIfNeeded: $0 >> 16)] }) + [0]
        }
        return (
          packed(slots), entries, tails, offset, packed(displacements.map { $0 << scale }), multiplier,
          shift - scale, (size - 1) << scale, bucketShift - scale, bucketMask << scale, narrow ? 0xffff : .max
        )
      }
    }
    return nil
  }

  /// The next multiplier the tables try: SplitMix64's step from `state`, made odd (the same sequence for the same
  /// seed, so a name set always gets the same table).
  private static func oddMultiplier(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
    return (mixed ^ (mixed >> 31)) | 1
  }

  /// `index(of:)` through the hash table, for `field[start..<end]`.
  @inline(never)
  private func hashedIndex(of field: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
    let length = end - start
    let first = Self.word(field, start, end, 0)
    let second = Self.word(field, start, end, 1)
    let third = Self.word(field, start, end, 2)
    if length <= Self.inlineBytes { return shortIndex(length: length, first, second, third) }
    return slots.withUnsafeBufferPointer { slots in
      var slot = Int(truncatingIfNeeded: Self.hash(field, start, end)) & mask
      while true {
        let base = slot * Self.slotWords
        let head = slots[base]
        if head == Self.empty { return nil }
        if head >> 32 == UInt64(length) && slots[base + 1] == first && slots[base + 2] == second
          && slots[base + 3] == third
        {
          let index = Int(truncatingIfNeeded: head & Self.empty)
          let matches = bytes.withUnsafeBufferPointer { all in
            Self.equal(all, starts[index], starts[index + 1], field, start, end)
          }
          if matches { return index }
        }
        slot = (slot + 1) & mask
      }
    }
  }

  /// The table's lookup of a field of at most `inlineBytes` bytes, given as its length and three words
  /// (`word(_:_:_:_:)`): the whole name is in the slot, so one comparison of the four words decides.
  @inline(never)
  private func shortIndex(length: Int, _ first: UInt64, _ second: UInt64, _ third: UInt64) -> Int? {
    let index = wordsIndex(length: length, first, second, third)
    return index >= 0 ? index : nil
  }

  /// `shortIndex(length:_:_:_:)` inlined, for the one-pass row (`UnitLevelRows.consumeFast`): the index of the name
  /// of `length` bytes (1 to `inlineBytes`) whose words (`word(_:_:_:_:)`: little-endian, zero past the name) these
  /// are, or -1 (also without the hash table).
  @inline(__always)
  func wordsIndex(length: Int, _ first: UInt64, _ second: UInt64, _ third: UInt64) -> Int {
    let head = UInt64(truncatingIfNeeded: length) &<< 32
    return slots.withUnsafeBufferPointer { slots in
      guard !slots.isEmpty else { return -1 }
      var slot = Int(truncatingIfNeeded: Self.hash(length: length, first, second, third)) & mask
      while true {
        let base = slot &* Self.slotWords
        let found = slots[base]
        // One test of the four words together, so the compiler need not branch on each.
        let differs =
          (found & ~Self.empty ^ head) | (slots[base &+ 1] ^ first) | (slots[base &+ 2] ^ second)
          | (slots[base &+ 3] ^ third)
        if differs == 0 && found != Self.empty { return Int(truncatingIfNeeded: found & Self.empty) }
        if found == Self.empty { return -1 }
        slot = (slot &+ 1) & mask
      }
    }
  }

  /// The mask of a word's first `count` bytes (none when `count` ≤ 0, all when ≥ 8), without a branch.
  @inline(__always)
  static func mask(_ count: Int) -> UInt64 {
    let clamped = UInt64(truncatingIfNeeded: min(max(count, 0), 8))
    return clamped == 8 ? .max : (1 &<< (8 &* clamped)) &- 1
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

  /// The hash of `buffer[start..<end]`: `hash(length:_:_:_:)` of its first three words, then each further word
  /// folded in.
  private static func hash(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
    var hash = Self.hash(
      length: end - start, word(buffer, start, end, 0), word(buffer, start, end, 1), word(buffer, start, end, 2))
    var next = 3
    while start + 8 * next < end {
      hash = fold(hash ^ word(buffer, start, end, next), 0x1d8e_4e27_c47d_124f)
      next += 1
    }
    return hash
  }

  /// The hash of a name of `length` bytes whose first three words (`word(_:_:_:_:)`) are given: two independent
  /// 64 × 64 → 128-bit products, each folded to 64 bits, so every byte reaches the low bits that pick the slot.
  @inline(__always)
  private static func hash(length: Int, _ first: UInt64, _ second: UInt64, _ third: UInt64) -> UInt64 {
    fold(first ^ 0xa076_1d64_78bd_642f, second ^ 0xe703_7ed1_a0b4_28db)
      ^ fold(third ^ 0x8ebc_6af0_9c88_c6e3, UInt64(truncatingIfNeeded: length) ^ 0x5899_65cc_7537_4cc3)
  }

  /// The high and low halves of `a × b`, exclusive-or'ed.
  @inline(__always)
  private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let product = a.multipliedFullWidth(by: b)
    return product.high ^ product.low
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
