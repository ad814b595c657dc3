import Testing

@testable import StrataReport

/// `appendMemberStart` (one write for `{` or `,`, the line break, the indent and `"key": `) against the three calls
/// it replaces in `analyze --json`'s members.
@Suite("JSON member start")
struct JSONMemberStartTests {
  @Test("the bytes of append, newline and appendKey, at every indent and for short and long keys")
  func sameBytesAsThePieces() {
    let keys: [StaticString] = ["df", "n_control", "ci_abs_low", "selection_adjusted_interval_low", "xy"]
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
}
