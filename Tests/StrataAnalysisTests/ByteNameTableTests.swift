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
    // The table's words loaded from the buffer: names of every length around one, two and three words and beyond.
    (0...30).map { String("abcdefghijklmnopqrstuvwxyz0123456789".prefix($0)) },
    (0..<300).map { "seg-\($0 + 1)" },
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
    }
  }

  @Test func anEmptyListFindsNothing() {
    #expect(lookup(ByteNameTable([]), "a") == nil)
    #expect(lookup(ByteNameTable([]), "") == nil)
  }
}
