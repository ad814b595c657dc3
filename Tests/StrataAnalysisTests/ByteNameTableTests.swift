import StrataTestSupport
import Testing

@testable import StrataAnalysis

@Suite struct ByteNameTableTests {
  private func lookup(_ table: ByteNameTable, _ field: String) -> Int? {
    Array(field.utf8).withUnsafeBufferPointer { table.index(of: $0) }
  }

  @Test(arguments: [3, 8, 9, 200, 20_000])
  func everyNameIsFoundAtItsIndex(count: Int) {
    let names = (0..<count).map { "segment-\($0)" }
    let table = ByteNameTable(names)
    #expect(table.count == count)
    for (index, name) in names.enumerated() {
      #expect(lookup(table, name) == index)
      #expect(lookup(table, "  \(name) ") == index)
    }
  }

  @Test(arguments: [4, 50])
  func prefixesExtensionsAndStrangersAreNotNames(count: Int) {
    let table = ByteNameTable((0..<count).map { "s\($0)" })
    for field in ["", " ", "s", "s1x", "S1", "x\(count)", "s\(count)", "s 1", "s1\u{0}"] {
      #expect(lookup(table, field) == nil, "\(field.debugDescription)")
    }
  }

  @Test(arguments: [2, 30])
  func aRepeatedNameKeepsItsFirstIndex(count: Int) {
    var names = (0..<count).map { "n\($0)" }
    names.append("n1")
    #expect(lookup(ByteNameTable(names), "n1") == 1)
  }

  @Test func nonASCIINamesAreComparedByTheirBytes() {
    let names = (0..<12).map { "Ümlaut-\($0)-✓" } + ["café", "cafe\u{301}"]
    let table = ByteNameTable(names)
    #expect(lookup(table, "café") == 12)
    #expect(lookup(table, "cafe\u{301}") == 13)
    #expect(lookup(table, "Ümlaut-11-✓") == 11)
  }

  /// The one-pass row's lookup (`wordsIndex`, a field given as its length and three words, zero past its end) agrees
  /// with `index(of:)` on every name and on fields close to them: prefixes, one byte changed, one byte more.
  @Test(arguments: [9, 200, 2_000])
  func wordsIndexAgreesWithIndexOf(count: Int) {
    let names = (0..<count).map { index -> String in
      let stem = ["s", "seg-", "segment-number-", "a-name-of-twenty-bytes-"][index % 4]
      return "\(stem)\(index)"
    }
    let table = ByteNameTable(names)
    #expect(table.hasHashTable && !table.hasShortTable)
    func words(_ field: [UInt8]) -> (UInt64, UInt64, UInt64) {
      var words: [UInt64] = [0, 0, 0]
      for (offset, byte) in field.enumerated() { words[offset / 8] |= UInt64(byte) << (8 * UInt64(offset % 8)) }
      return (words[0], words[1], words[2])
    }
    var checked = 0
    for name in names {
      let bytes = Array(name.utf8)
      var fields = [bytes, Array(bytes.dropLast()), bytes + [UInt8(ascii: "0")]]
      for position in bytes.indices { fields.append(bytes.enumerated().map { $0 == position ? $1 ^ 1 : $1 }) }
      for field in fields where (1...ByteNameTable.inlineBytes).contains(field.count) {
        let (first, second, third) = words(field)
        let expected = field.withUnsafeBufferPointer { table.index(of: $0) } ?? -1
        #expect(table.wordsIndex(length: field.count, first, second, third) == expected, "\(field)")
        checked += 1
      }
    }
    #expect(checked > count * 5)
    #expect(ByteNameTable(["a", "b"]).wordsIndex(length: 1, 0x61, 0, 0) == -1)
  }

  @Test func namesLongerThanASlotAreComparedWhole() {
    // The same first 24 bytes (what a slot holds), then names that differ only after them, or in length.
    let prefix = String(repeating: "p", count: ByteNameTable.inlineBytes)
    let names = (0..<12).map { "\(prefix)-\($0)" } + [prefix, String(prefix.dropLast()), prefix + "-1-long-tail"]
    let table = ByteNameTable(names)
    for (index, name) in names.enumerated() {
      #expect(lookup(table, name) == index, "\(name)")
    }
    for field in [prefix + "-", prefix + "-12", prefix + "-1-long-tai", prefix + "-1-long-tailx", prefix + "p"] {
      #expect(lookup(table, field) == nil, "\(field)")
    }
  }

  /// The lookup in a scanner's buffer (an 8-byte load for short names, the bytes after the field being anything)
  /// agrees with `index(of:)` for every field, at every offset, up to the buffer's last byte.
  @Test(arguments: [
    ["control", "v1", "v2"], ["s1", "s2", "s3", "s4", "s5"], ["", "a", "a b", "12345678", "1234567", "a"],
    ["x", "exactly8", "nine bytes"], (0..<12).map { "s\($0)" }, ["é", "e\u{301}", "\u{0}", "a\u{0}"],
    [" v1", "control ", "v2"],
    // The table's words loaded from the buffer: names of every length around one, two and three words and beyond.
    (0...30).map { String("abcdefghijklmnopqrstuvwxyz0123456789".prefix($0)) },
    (0..<300).map { "seg-\($0 + 1)" },
    (0..<40).map { "segment-\($0)" + String(repeating: "x", count: $0 % 20) },
  ])
  func theBufferLookupAgreesWithTheFieldLookup(names: [String]) {
    let table = ByteNameTable(names)
    var generator = SplitMix64(seed: 3)
    let pieces =
      names + ["", " ", "  ", "s", "s1x", "control ", " v1", "1234567", "123456789", "exactly", "\u{0}", "é"]
    var buffer = [UInt8](repeating: 0, count: 64)
    for _ in 0..<5000 {
      let field = Array(
        ((Bool.random(using: &generator) ? " " : "") + pieces.randomElement(using: &generator)!
          + (Int.random(in: 0..<4, using: &generator) == 0 ? " " : "")).utf8)
      let start = Int.random(in: 0...(buffer.count - field.count), using: &generator)
      for index in buffer.indices { buffer[index] = UInt8.random(in: 0...255, using: &generator) }
      buffer.replaceSubrange(start..<start + field.count, with: field)
      let expected = field.withUnsafeBufferPointer { table.index(of: $0) }
      let found = buffer.withUnsafeMutableBufferPointer { table.index(in: $0, start, start + field.count) }
      #expect(found == expected, "\(names) \(String(decoding: field, as: UTF8.self).debugDescription) at \(start)")
      // The inlined part alone: the same answer, or undecided; decided for the usual field (1 to 8 bytes, no space at
      // either end, 8 readable bytes) when the names have the short table.
      let quick = buffer.withUnsafeMutableBufferPointer { table.quickIndex(in: $0, start, start + field.count) }
      #expect(quick == ByteNameTable.undecided || quick == (expected ?? -1), "\(names) \(field) at \(start)")
      let usual =
        (1...8).contains(field.count) && field.first != UInt8(ascii: " ") && field.last != UInt8(ascii: " ")
        && start + 8 <= buffer.count
      if table.hasShortTable && usual { #expect(quick != ByteNameTable.undecided, "\(names) \(field) at \(start)") }
      // The lookup that takes "no name" and "undecided" alike (`usualIndex`): the same name or -1, and the name (or
      // -1) for the usual field when the names have the short table.
      let any = buffer.withUnsafeMutableBufferPointer { table.usualIndex(in: $0, start, start + field.count) }
      #expect(any == -1 || any == expected, "\(names) \(field) at \(start)")
      if table.hasShortTable && usual { #expect(any == (expected ?? -1), "\(names) \(field) at \(start)") }
    }
  }

  /// Names with a space at either end get no short table: `usualIndex` compares a field as it stands, so it could
  /// find " a" where `index(of:)`, which ignores the spaces around a field, finds no name.
  @Test func namesWithSpacesAtTheirEndsHaveNoShortTable() {
    #expect(ByteNameTable(["a", "b", "c"]).hasShortTable)
    for names in [[" a", "b", "c"], ["a", "b ", "c"], ["a", " ", "c"]] {
      let table = ByteNameTable(names)
      #expect(!table.hasShortTable, "\(names)")
      var buffer = [UInt8](repeating: 0x7a, count: 24)
      for name in names {
        let bytes = Array(name.utf8)
        buffer.replaceSubrange(2..<2 + bytes.count, with: bytes)
        #expect(buffer.withUnsafeMutableBufferPointer { table.usualIndex(in: $0, 2, 2 + bytes.count) } == -1)
        let found = buffer.withUnsafeMutableBufferPointer { table.index(in: $0, 2, 2 + bytes.count) }
        #expect(found == lookup(table, name), "\(names) \(name.debugDescription)")
      }
    }
  }

  /// Up to `shortLimit` names of at most 8 bytes (the collision-free table; beyond `linearLimit` the hash table as
  /// well), against the first equal name in the list.
  ///
  /// Random names of valid UTF-8 pieces (NUL included, so names can share their word and differ in length; "é" is
  /// two bytes), repeats among them. Every such set gets the short table (no two names share a key: only an 8-byte
  /// name ending in a byte from 9 to 15 can), so that is what is tested; the fields looked up are any bytes.
  @Test(arguments: Array(1...9) + [16, ByteNameTable.shortLimit])
  func theShortTableFindsTheFirstEqualName(count: Int) {
    var generator = SplitMix64(seed: UInt64(count) * 7)
    let alphabet: [UInt8] = [0, 0x61, 0x62, 0x7a, 0xc3, 0xa9]
    let pieces = ["\u{0}", "a", "b", "z", "é"]
    func randomBytes() -> [UInt8] {
      (0..<Int.random(in: 0...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
    }
    func randomName() -> String {
      let length = Int.random(in: 0...8, using: &generator)
      var name = ""
      while true {
        let piece = pieces.randomElement(using: &generator)!
        guard name.utf8.count + piece.utf8.count <= length else { break }
        name += piece
      }
      return name
    }
    for _ in 0..<200 {
      let names = (0..<count).map { _ in randomName() }
      #expect(names.allSatisfy { $0.utf8.count <= 8 })
      let table = ByteNameTable(names)
      #expect(table.hasShortTable, "\(names.map(\.debugDescription))")
      #expect(table.hasHashTable == (count > ByteNameTable.linearLimit))
      let utf8 = names.map { Array($0.utf8) }
      var buffer = [UInt8](repeating: 0x61, count: 32)
      for field in utf8 + (0..<20).map({ _ in randomBytes() }) {
        for index in buffer.indices { buffer[index] = alphabet.randomElement(using: &generator)! }
        buffer.replaceSubrange(3..<3 + field.count, with: field)
        let found = buffer.withUnsafeMutableBufferPointer { table.index(in: $0, 3, 3 + field.count) }
        #expect(found == utf8.firstIndex(of: field), "\(names.map(\.debugDescription)) \(field)")
      }
    }
  }

  /// More than `shortLimit` short names get only the hash table, which finds each of them and the short table's
  /// usual field (`usualIndex`) none.
  @Test func moreShortNamesThanTheShortLimitHaveOnlyTheHashTable() {
    let names = (0...ByteNameTable.shortLimit).map { "v\($0)" }
    let table = ByteNameTable(names)
    #expect(table.hasHashTable && !table.hasShortTable && table.hasWideTable)
    var buffer = [UInt8](repeating: 0x7a, count: 32)
    for (index, name) in names.enumerated() {
      let bytes = Array(name.utf8)
      buffer.replaceSubrange(2..<2 + bytes.count, with: bytes)
      buffer[2 + bytes.count] = UInt8(ascii: ",")
      #expect(buffer.withUnsafeMutableBufferPointer { table.usualIndex(in: $0, 2, 2 + bytes.count) } == -1)
      #expect(buffer.withUnsafeMutableBufferPointer { table.index(in: $0, 2, 2 + bytes.count) } == index)
      #expect(lookup(table, name) == index)
    }
  }

  /// Two short names with the same key (an 8-byte name ending in a control byte, and its first 7 bytes) leave no
  /// collision-free table: the names are then compared one by one, and each is still found.
  @Test func namesSharingAKeyAreStillFound() {
    let names = ["abcdefg", "abcdefg\u{F}", "x"]
    let table = ByteNameTable(names)
    #expect(!table.hasShortTable)
    var buffer = [UInt8](repeating: 0x7a, count: 24)
    for (index, name) in names.enumerated() {
      let bytes = Array(name.utf8)
      buffer.replaceSubrange(2..<2 + bytes.count, with: bytes)
      #expect(buffer.withUnsafeMutableBufferPointer { table.index(in: $0, 2, 2 + bytes.count) } == index)
      #expect(lookup(table, name) == index)
    }
  }

  /// More than `shortLimit` names of at most `wideBytes` bytes get the wide table (`wideIndex`, a field given as its
  /// two words and length), which agrees with `index(of:)` on every name and on fields close to them: prefixes, one
  /// byte changed, one byte more; a name given twice keeps its first index.
  @Test(arguments: [ByteNameTable.shortLimit + 1, 200, 2_000, 20_000])
  func theWideTableAgreesWithIndexOf(count: Int) {
    var generator = SplitMix64(seed: UInt64(count))
    let alphabet = Array("-0123456789abcdefghijklmnopqrstuvwxyz".utf8)
    var names = (1...count / 2).map { "s\($0)" } + ["é", "café-ü", "x+y", "a b", "abcdefgh", "abcdefghijklmnop"]
    while names.count < count {
      let length = Int.random(in: 1...ByteNameTable.wideBytes, using: &generator)
      let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
      names.append(String(decoding: bytes, as: UTF8.self))
    }
    names += ["s1", names[count - 1]]
    let table = ByteNameTable(names)
    #expect(table.hasWideTable && table.hasHashTable && !table.hasShortTable)
    func words(_ field: [UInt8]) -> (UInt64, UInt64) {
      var words: [UInt64] = [0, 0]
      for (offset, byte) in field.enumerated() { words[offset / 8] |= UInt64(byte) << (8 * UInt64(offset % 8)) }
      return (words[0], words[1])
    }
    var checked = 0
    for name in names {
      let bytes = Array(name.utf8)
      var fields = [bytes, Array(bytes.dropLast()), bytes + [UInt8(ascii: "0")]]
      for position in bytes.indices { fields.append(bytes.enumerated().map { $0 == position ? $1 ^ 1 : $1 }) }
      // No space at either end: `index(of:)` ignores those, the one-pass row never hands such a field over.
      for field in fields
      where (1...ByteNameTable.wideBytes).contains(field.count) && field.first != 0x20 && field.last != 0x20 {
        let expected = field.withUnsafeBufferPointer { table.index(of: $0) } ?? -1
        let (first, second) = words(field)
        #expect(table.wideIndex(first, second, field.count) == expected, "\(field)")
        checked += 1
      }
    }
    #expect(checked > count * 4)
    #expect(table.wideIndex(0x3173, 0, 2) == 0)
  }

  /// The one-pass row's lookup of names of at most 8 bytes (`wordWideIndex`: the wide table's slot, then one word
  /// compared) agrees with `index(of:)` on every name and on fields close to them (a byte less, a byte more, each byte
  /// changed), for the fields the row hands over: 1 to 8 bytes, none below `-`.
  ///
  /// Names of 1 to 8 bytes, prefixes of one another (`s1`, `s12`, `s123`), 7 and 8 bytes, UTF-8 of two and three bytes
  /// a character, given twice, with a space or a zero byte inside (never found from a row's field: "a\0" is no "a"),
  /// beside an empty one.
  @Test(arguments: [33, 200, 2_000, 16_000])
  func wordWideIndexAgreesWithIndexOf(count: Int) {
    var generator = SplitMix64(seed: UInt64(count) &* 7)
    let alphabet = Array("-0123456789abcdefghijklmnopqrstuvwxyz_~".utf8)
    var names = ["s1", "s12", "s123", "s1234", "s12345", "s123456", "s1234567", "é", "café", "ü-✓", "ab"]
    names += ["a b", "a\u{0}", "ab\u{0}cd", "", "\u{0}"]
    while names.count < count {
      let length = Int.random(in: 1...8, using: &generator)
      let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
      names.append(String(decoding: bytes, as: UTF8.self))
    }
    names += ["s12", names[count - 1]]
    let table = ByteNameTable(names)
    #expect(table.hasWideTable && table.hasWideWords && !table.hasShortTable)
    var checked = 0
    var found = 0
    for name in names {
      let bytes = Array(name.utf8)
      var fields = [bytes, Array(bytes.dropLast()), bytes + [UInt8(ascii: "0")], Array(bytes.prefix(1))]
      for position in bytes.indices { fields.append(bytes.enumerated().map { $0 == position ? $1 ^ 1 : $1 }) }
      for field in fields where (1...8).contains(field.count) && field.allSatisfy({ $0 >= UInt8(ascii: "-") }) {
        let expected = field.withUnsafeBufferPointer { table.index(of: $0) } ?? -1
        let word = field.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect(table.wordWideIndex(word, field.count) == expected, "\(field)")
        checked += 1
        if expected >= 0 { found += 1 }
      }
    }
    #expect(checked > count * 4 && found >= count - 8)
    // "a\0" (12) and "ab\0cd" (13) are no "a" or "ab", whose words they share; "ab" is itself (10).
    #expect(table.wordWideIndex(0x61, 1) == lookup(table, "a") ?? -1 && lookup(table, "a") != 12)
    #expect(table.wordWideIndex(0x6261, 2) == 10)
  }

  /// A name with a zero byte is never found from a field without it, even where the field's slot is that name's.
  ///
  /// `"a"` and `"a\0"` share their word, so the name's is kept as 0 (`wideWords`). 40 sets of 64 names, half of them
  /// with a zero byte, in 64 slots: about one field in 64 lands in its name's slot (22 did when the words were kept
  /// as they are).
  @Test func aNameWithAZeroByteIsNotTheFieldBeforeIt() {
    var checked = 0
    for set in 0..<40 {
      let zeros = (0..<32).map { "z\(set)-\($0)\u{0}" }
      let table = ByteNameTable(zeros + (0..<32).map { "f\(set)-\($0)" })
      #expect(table.hasWideWords)
      for name in zeros {
        let field = Array(name.utf8.dropLast())
        let word = field.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect(table.wordWideIndex(word, field.count) == -1, "\(name.debugDescription)")
        #expect(field.withUnsafeBufferPointer { table.index(of: $0) } == nil)
        checked += 1
      }
    }
    #expect(checked == 1_280)
  }

  /// Which name sets keep the wide table's names as one word each (`hasWideWords`): those with the wide table whose
  /// names are at most 8 bytes, with entries of two bytes or four (40,000 names); a name of 9 bytes or the short table
  /// leaves them out, and `wordWideIndex` finds nothing then.
  @Test func onlyNamesOfAtMostEightBytesAreKeptAsWords() {
    let many = (0...ByteNameTable.shortLimit).map { "v\($0)" }
    for (names, words) in [
      (many, true), (many + ["eight-by"], true), (many + ["nine-byte"], false), ([" a", "b"], true),
      ((1...2_000).map { "seg-\($0)" }, true), ((1...20_000).map { "seg-\($0)" }, false),
      (Array(many.dropLast()), false), ((0..<40_000).map { "n\($0)" }, true),
    ] {
      let table = ByteNameTable(names)
      #expect(table.hasWideWords == words, "\(names.suffix(2))")
      #expect(table.wordWideIndex(0x3076, 2) == (words && names.first == "v0" ? 0 : -1), "\(names.suffix(2))")
      // Every name found through its word, with entries of two bytes or four (40,000 names in 65,536 slots).
      for (index, name) in names.enumerated() where words && name.utf8.allSatisfy({ $0 >= UInt8(ascii: "-") }) {
        let word = name.utf8.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect(table.wordWideIndex(word, name.utf8.count) == index, "\(name)")
      }
    }
    #expect(ByteNameTable((0..<40_000).map { "n\($0)" }).wideSlotCount > 32_768)
  }

  /// The benchmark's segment names get the wide table: 20,000 names whose 8-byte ones differ only in their last byte
  /// in groups of ten (`seg-1230` to `seg-1239`), which a plain 64-bit product sent to the same bucket, often the same
  /// slot, so that no table was found.
  @Test func theBenchmarksNamesGetTheWideTable() {
    for count in [2_000, 20_000] {
      let names = (1...count).map { "seg-\($0)" }
      let table = ByteNameTable(names)
      #expect(table.hasWideTable, "\(count)")
      for (index, name) in names.enumerated() where index % 97 == 0 || name.utf8.count == 8 && index % 7 == 0 {
        var words: [UInt64] = [0, 0]
        for (offset, byte) in name.utf8.enumerated() { words[offset / 8] |= UInt64(byte) << (8 * UInt64(offset % 8)) }
        #expect(table.wideIndex(words[0], words[1], name.utf8.count) == index, "\(name)")
      }
    }
  }

  /// The wide table has the fewest slots that hold the names as a power of two, or twice as many.
  ///
  /// Two bytes a slot, so that with 2,000 names they stay in the fastest cache (4 KiB, where slots of 32 bytes that
  /// held the names took 128 KiB). Every name set of 33 to 2,100 names in steps (the benchmark's and random ones) gets
  /// its table, whose lookups agree with `index(of:)`.
  @Test func theWideTableHasAtMostTwiceAsManySlotsAsNamesRoundedUp() {
    var generator = SplitMix64(seed: 17)
    let alphabet = Array("-0123456789abcdefghijklmnopqrstuvwxyz".utf8)
    for count in stride(from: ByteNameTable.shortLimit + 1, through: 2_100, by: 97) + [2_000, 2_048] {
      let benchmark = (1...count).map { "seg-\($0)" }
      let random = (0..<count).map { _ in
        String(
          decoding: (0..<Int.random(in: 1...20, using: &generator)).map { _ in
            alphabet.randomElement(using: &generator)!
          }, as: UTF8.self)
      }
      for names in [benchmark, random] {
        let table = ByteNameTable(names)
        let distinct = Set(names).count
        var fewest = 1
        while fewest < distinct { fewest *= 2 }
        #expect(table.hasWideTable)
        #expect(table.wideSlotCount == fewest || table.wideSlotCount == 2 * fewest, "\(count): \(table.wideSlotCount)")
        var buffer = [UInt8](repeating: 0, count: 64)
        for (index, name) in names.enumerated() where index % 7 == 0 || index == names.count - 1 {
          let bytes = Array(name.utf8)
          let expected = bytes.withUnsafeBufferPointer { table.index(of: $0) } ?? -1
          for (offset, byte) in bytes.enumerated() { buffer[offset] = byte }
          for offset in bytes.count..<buffer.count { buffer[offset] = 0x2c }
          #expect(buffer.withUnsafeMutableBytes { table.longIndex($0.baseAddress!, bytes.count) } == expected)
          buffer[bytes.count - 1] ^= 1
          let stranger = Array(buffer[0..<bytes.count])
          let none = stranger.withUnsafeBufferPointer { table.index(of: $0) } ?? -1
          #expect(buffer.withUnsafeMutableBytes { table.longIndex($0.baseAddress!, bytes.count) } == none)
        }
      }
    }
    // The benchmark's 2,000 names in 2,048 slots (4,096 before the slots were kept apart from the names).
    #expect(ByteNameTable((1...2_000).map { "seg-\($0)" }).wideSlotCount == 2_048)
  }

  /// Beyond 65,535 names the wide table's slots and displacements take four bytes each; its lookups still agree with
  /// `index(of:)`, for the names and for fields close to them.
  @Test func moreThan65535NamesHaveFourByteSlots() {
    let names = (0..<70_000).map { "n\($0 * 7)" }
    let table = ByteNameTable(names)
    #expect(table.hasWideTable && [131_072, 262_144].contains(table.wideSlotCount))
    func words(_ field: [UInt8]) -> (UInt64, UInt64) {
      var words: [UInt64] = [0, 0]
      for (offset, byte) in field.enumerated() { words[offset / 8] |= UInt64(byte) << (8 * UInt64(offset % 8)) }
      return (words[0], words[1])
    }
    for index in stride(from: 0, to: names.count, by: 37) + [names.count - 1] {
      for field in [Array(names[index].utf8), Array("n\(index * 7 + 1)".utf8), Array(names[index].utf8) + [0x30]] {
        let expected = field.withUnsafeBufferPointer { table.index(of: $0) } ?? -1
        let (first, second) = words(field)
        #expect(table.wideIndex(first, second, field.count) == expected, "\(field)")
      }
    }
  }

  /// Every name of sets of 20,000, 40,000 and 65,535 names is found by the wide table itself, each table at the size
  /// where its entries change from two bytes to four.
  ///
  /// With 65,536 slots the displacements, kept as offsets in bytes, need 17 bits: in two bytes, 18 of 65,535 names
  /// (those whose bucket's displacement was 32,768 or more) were looked for in the wrong slot (review of 1733d86).
  @Test func everyNameIsFoundWhereTheEntriesWiden() {
    for count in [20_000, 40_000, 65_535] {
      let names = (1...count).map { "seg-\($0)" }
      let table = ByteNameTable(names)
      #expect(table.hasWideTable)
      var buffer = [UInt8](repeating: 0x2c, count: 64)
      var missed: [String] = []
      for (index, name) in names.enumerated() {
        let bytes = Array(name.utf8)
        for (offset, byte) in bytes.enumerated() { buffer[offset] = byte }
        for offset in bytes.count..<buffer.count { buffer[offset] = 0x2c }
        if buffer.withUnsafeMutableBytes({ table.longIndex($0.baseAddress!, bytes.count) }) != index {
          missed.append(name)
        }
      }
      #expect(
        missed.isEmpty, "\(count) names, \(table.wideSlotCount) slots: \(missed.count) missed, \(missed.prefix(3))")
    }
  }

  /// Which names get the wide table: every set without the short table, any number of names of any length, spaces
  /// at their ends too; the others are still found (`index(of:)`), and `wideIndex` finds nothing without the table.
  @Test func everyNameSetWithoutTheShortTableGetsTheWideTable() {
    let many = (0...ByteNameTable.shortLimit).map { "v\($0)" }
    let sets = [
      many, many + ["sixteen-bytes-16"], many + ["seventeen-bytes-7"], many + [" v"], many + ["v "],
      ["treatment", "control"], ["a-name-of-forty-bytes-for-a-wide-table-x"], ["nine-byte"], [" a", "b"],
    ]
    for names in sets {
      let table = ByteNameTable(names)
      #expect(table.hasWideTable && !table.hasShortTable, "\(names.suffix(2))")
      // `index(of:)` ignores the spaces around a field: " v" and "v " are found as "v", no name.
      for (index, name) in names.enumerated() where name.first != " " && name.last != " " {
        #expect(lookup(table, name) == index, "\(name)")
      }
    }
    let short = ByteNameTable(Array(many.dropLast()))
    #expect(short.hasShortTable && !short.hasWideTable)
    #expect(short.wideIndex(0x3076, 0, 2) == -1)
    var bytes = Array("v0".utf8) + [UInt8](repeating: 0x2c, count: 16)
    #expect(bytes.withUnsafeMutableBytes { short.longIndex($0.baseAddress!, 2) } == -1)
  }

  /// The wide table's lookup of a field of any length (`longIndex`, the field's bytes in a buffer with anything after
  /// them) agrees with `index(of:)` on every name and on fields close to them: prefixes, one byte changed (in every
  /// word), one byte more; names of 1 to 70 bytes, some sharing their first 16, 24 or 40 bytes.
  @Test(arguments: [1, 3, 40, 500])
  func longIndexAgreesWithIndexOf(count: Int) {
    var generator = SplitMix64(seed: UInt64(count) &* 31)
    let alphabet = Array("-0123456789abcdefghijklmnopqrstuvwxyz".utf8)
    let stems = [
      "", String(repeating: "s", count: 16), String(repeating: "t", count: 24), String(repeating: "u", count: 40),
    ]
    var names: [String] = []
    while names.count < count {
      let stem = stems.randomElement(using: &generator)!
      let length = Int.random(in: 1...70, using: &generator)
      let bytes =
        Array(stem.utf8.prefix(length))
        + (0..<max(0, length - stem.utf8.count)).map { _ in
          alphabet.randomElement(using: &generator)!
        }
      names.append(String(decoding: bytes, as: UTF8.self))
    }
    if count > 1 { names.append(names[0]) }
    let table = ByteNameTable(names)
    #expect(table.hasWideTable)
    var checked = 0
    for name in names {
      let bytes = Array(name.utf8)
      var fields = [bytes, Array(bytes.dropLast()), bytes + [UInt8(ascii: "0")]]
      for position in bytes.indices where position % 5 == 0 || position == bytes.count - 1 {
        fields.append(bytes.enumerated().map { $0 == position ? $1 ^ 1 : $1 })
      }
      for field in fields where !field.isEmpty {
        let expected = field.withUnsafeBufferPointer { table.index(of: $0) } ?? -1
        var buffer = field + (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(buffer.withUnsafeMutableBytes { table.longIndex($0.baseAddress!, field.count) } == expected, "\(field)")
        checked += 1
      }
    }
    #expect(checked > count * 4)
  }

  @Test func anEmptyListFindsNothing() {
    #expect(lookup(ByteNameTable([]), "a") == nil)
    #expect(lookup(ByteNameTable([]), "") == nil)
  }
}
