import StrataTestSupport
import Testing

@testable import StrataReport

/// `appendMemberStart` (one write for `{` or `,`, the line break, the indent and `"key": `) against the three calls
/// it replaces in `analyze --json`'s members.
@Suite("JSON member start")
struct JSONMemberStartTests {
  @Test("the bytes of append, newline and appendKey, at every indent and for short and long keys")
  func sameBytesAsThePieces() {
    let keys: [StaticString] = [
      "df", "n_control", "ci_abs_low", "selection_adjusted_interval_low", "xy", "abc", "ci_l", "lift_abs",
      "p_value_adjusted", "zero_filled_treatment", "a_key_of_exactly_thirty_two_byte",
      "a_key_longer_than_thirty_two_bytes",
    ]
    for opening in [UInt8(ascii: "{"), UInt8(ascii: ",")] {
      for indent in 0...12 {
        for key in keys {
          var pieces = JSONByteWriter()
          pieces.append("before" as StaticString)
          pieces.append(opening)
          pieces.newline(indent: indent)
          pieces.appendKey(key, pretty: true)
          var whole = JSONByteWriter()
          whole.append("before" as StaticString)
          whole.appendMemberStart(opening, indent: indent, key: key)
          #expect(whole.bytes == pieces.bytes, "indent \(indent), key \(key)")
          #expect(whole.text.hasSuffix("\"\(key)\": "))
        }
      }
    }
  }

  /// The room reserved covers the 8-byte stores of the indent past the bytes counted: a writer nearly full (its
  /// first 256 bytes) grows first and keeps every byte.
  @Test("a nearly full buffer grows and keeps what it held")
  func growsWhenFull() {
    for filled in 240...256 {
      var pieces = JSONByteWriter()
      var whole = JSONByteWriter()
      for _ in 0..<filled {
        pieces.append(UInt8(ascii: "a"))
        whole.append(UInt8(ascii: "a"))
      }
      pieces.append(UInt8(ascii: ","))
      pieces.newline(indent: 7)
      pieces.appendKey("zero_filled_treatment", pretty: true)
      whole.appendMemberStart(UInt8(ascii: ","), indent: 7, key: "zero_filled_treatment")
      #expect(whole.bytes == pieces.bytes, "\(filled) bytes before")
    }
  }

  /// A member with its value in one reservation (`appendMember`) against the start and the value written apart:
  /// numbers of every spelling (null, whole, plain, exponent, subnormal), whole numbers, bools; at several
  /// indents and with a buffer nearly full before it (the room for the value is reserved with the start).
  @Test("a member and its value written at once are the bytes of the start and the value apart")
  func membersWithValues() {
    let numbers: [Double?] = [
      nil, 0, -0.0, 1, -1, 12, 1e15, 123_456_789_012_345, 0.5, -0.125, 1e-5, 0.000123, 3.14159, -2.5e-300,
      1.7976931348623157e308, .leastNonzeroMagnitude, 2.2250738585072014e-308, .nan, .infinity, -.infinity, 0.1 + 0.2,
      1e21,
      9_007_199_254_740_992, 4503599627370496.5, 123.456,
    ]
    let integers: [Int64] = [0, 7, -7, 42, 99, 100, -100, 12_345_678, 123_456_789, .max, .min]
    for filled in [0, 200, 230, 240, 250, 255] {
      for indent in [1, 3, 8] {
        for number in numbers {
          var pieces = JSONByteWriter()
          var whole = JSONByteWriter()
          for _ in 0..<filled {
            pieces.append(UInt8(ascii: "a"))
            whole.append(UInt8(ascii: "a"))
          }
          pieces.appendMemberStart(UInt8(ascii: ","), indent: indent, key: "ci_abs_low")
          if let number { pieces.appendNumber(number) } else { pieces.appendNull() }
          whole.appendMember(UInt8(ascii: ","), indent: indent, key: "ci_abs_low", number: number)
          #expect(whole.bytes == pieces.bytes, "\(String(describing: number)) after \(filled) bytes")
        }
        for integer in integers {
          var pieces = JSONByteWriter()
          var whole = JSONByteWriter()
          for _ in 0..<filled {
            pieces.append(UInt8(ascii: "a"))
            whole.append(UInt8(ascii: "a"))
          }
          pieces.appendMemberStart(UInt8(ascii: "{"), indent: indent, key: "n")
          pieces.appendInteger(integer)
          whole.appendMember(UInt8(ascii: "{"), indent: indent, key: "n", integer: integer)
          #expect(whole.bytes == pieces.bytes, "\(integer) after \(filled) bytes")
          #expect(whole.text.hasSuffix("\"n\": \(integer)"))
        }
        for bool in [false, true] {
          var pieces = JSONByteWriter()
          var whole = JSONByteWriter()
          for _ in 0..<filled {
            pieces.append(UInt8(ascii: "a"))
            whole.append(UInt8(ascii: "a"))
          }
          pieces.appendMemberStart(UInt8(ascii: ","), indent: indent, key: "significant")
          pieces.append(bool ? "true" as StaticString : "false")
          whole.appendMember(UInt8(ascii: ","), indent: indent, key: "significant", bool: bool)
          #expect(whole.bytes == pieces.bytes, "\(bool) after \(filled) bytes")
        }
      }
    }
    let strings = [
      "", "v1", "seg-19999", "converted", "welch t-test", "a string of more than thirty-two bytes, copied whole",
      "ünïcode ✓", "needs \"escaping\"", "tab\there", "back\\slash",
    ]
    for filled in [0, 230, 250] {
      for string in strings {
        var pieces = JSONByteWriter()
        var whole = JSONByteWriter()
        for _ in 0..<filled {
          pieces.append(UInt8(ascii: "a"))
          whole.append(UInt8(ascii: "a"))
        }
        pieces.appendMemberStart(UInt8(ascii: ","), indent: 4, key: "segment")
        pieces.appendQuoted(string)
        let written = Array(string.utf8).withUnsafeBufferPointer { utf8 in
          whole.appendMember(UInt8(ascii: ","), indent: 4, key: "segment", quoting: utf8)
        }
        let escaped = string.contains { $0 == "\"" || $0 == "\\" || $0 == "\t" }
        #expect(written == !escaped, "\(string)")
        if written { #expect(whole.bytes == pieces.bytes, "\(string) after \(filled) bytes") }
      }
    }
    // The numbers as `JSONValue` prints them (its own path through `appendNumber`).
    var out = JSONByteWriter()
    out.appendMember(UInt8(ascii: "{"), indent: 1, key: "xs", number: 0.1 + 0.2)
    #expect(out.text == "{\n  \"xs\": 0.30000000000000004")
    #expect(JSONValue.number(.leastNonzeroMagnitude).serialized() == "5e-324")
    #expect(JSONValue.number(-0.0).serialized() == "0")
  }

  /// ``ShortCopy/copy(_:count:to:)`` against a byte loop: every length 0 to 40 at every offset 0 to 7 of source and target, the bytes
  /// around the target left as they were.
  @Test("short copies write exactly the bytes copied")
  func shortCopies() {
    var generator = SplitMix64(seed: 29)
    let source = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
    for count in 0...40 {
      for from in 0..<8 {
        for to in 0..<8 {
          var target = [UInt8](repeating: 0xA5, count: 64)
          source.withUnsafeBufferPointer { source in
            target.withUnsafeMutableBufferPointer { target in
              ShortCopy.copy(source.baseAddress! + from, count: count, to: target.baseAddress! + to)
            }
          }
          var expected = [UInt8](repeating: 0xA5, count: 64)
          expected[to..<(to + count)] = source[from..<(from + count)]
          #expect(target == expected, "\(count) bytes from \(from) to \(to)")
        }
      }
    }
  }

  /// ``ShortCopy/copy(_:count:to:)`` onto an overlapping range (as ``ShortestDigits`` moves digits back one byte):
  /// every length 0 to 32, moved back by 1 to 3 bytes and forward by 1 to 3, from offsets 8 to 15, against
  /// `memmove`'s result, the bytes around the target left as they were.
  @Test("short copies up to 32 bytes may overlap")
  func overlappingShortCopies() {
    var generator = SplitMix64(seed: 31)
    let original = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
    for count in 0...32 {
      for from in 8..<16 {
        for shift in [-3, -2, -1, 1, 2, 3] {
          var bytes = original
          bytes.withUnsafeMutableBufferPointer { bytes in
            ShortCopy.copy(
              UnsafePointer(bytes.baseAddress! + from), count: count, to: bytes.baseAddress! + from + shift)
          }
          var expected = original
          expected[(from + shift)..<(from + shift + count)] = original[from..<(from + count)]
          #expect(bytes == expected, "\(count) bytes from \(from) moved by \(shift)")
        }
      }
    }
  }

  /// The word-at-a-time test for bytes to escape against a byte loop: every byte value at every position of
  /// strings of 1 to 24 bytes among fillers around the thresholds (space, `!`, `#`, `]`, 0x7F, 0x80, 0xFF), and
  /// seeded random strings; and the strings written with the escape or without.
  @Test("bytes needing escapes are found eight at a time as one by one")
  func escapingTest() {
    func byByte(_ bytes: [UInt8]) -> Bool {
      bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }
    var checked = 0
    for length in 1...24 {
      for filler: UInt8 in [0x20, 0x21, 0x23, 0x5D, 0x7F, 0x80, 0xFF] {
        for position in 0..<length {
          for value in 0...255 {
            var bytes = [UInt8](repeating: filler, count: length)
            bytes[position] = UInt8(value)
            let found = bytes.withUnsafeBufferPointer { JSONByteWriter.needsEscaping($0) }
            if found != byByte(bytes) { Issue.record("\(bytes)") }
            checked += 1
          }
        }
      }
    }
    var generator = SplitMix64(seed: 17)
    for _ in 0..<100_000 {
      let bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
        Bool.random(using: &generator)
          ? UInt8.random(in: 0...255, using: &generator)
          : [0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xDC, 0xFF].randomElement(
            using: &generator) ?? 0
      }
      let found = bytes.withUnsafeBufferPointer { JSONByteWriter.needsEscaping($0) }
      if found != byByte(bytes) { Issue.record("\(bytes)") }
    }
    #expect(checked == 7 * 256 * 300)
    var out = JSONByteWriter()
    out.appendQuoted("twelve plain bytes, then a \"quote\" and a tab\t after the first eight")
    out.appendQuoted("ünïcode only, no escapes: ✓✓✓")
    let expected = #""twelve plain bytes, then a \"quote\" and a tab\t after the first eight""#
    #expect(out.text == expected + #""ünïcode only, no escapes: ✓✓✓""#)
  }
}
