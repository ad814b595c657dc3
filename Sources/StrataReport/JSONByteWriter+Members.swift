extension JSONByteWriter {
  /// The start of a pretty-printed object member, `{` or `,` (`opening`), a line break, two spaces per level of
  /// `indent` and `"key": `, with one reservation of room and no call per part: what `append(_:)`,
  /// `newline(indent:)` and `appendKey(_:pretty:)` write one after the other, byte for byte.
  ///
  /// Every member of `analyze --json` with a literal key starts so (32 million at 20,000 segments × 16 variants):
  /// the three calls cost about 165 instructions a member (callgrind), more than most values, this about 115
  /// (its caller `JSONMemberWriter.key` included). Inlining it into every member's call site with the key's length
  /// made constant cost more (a retain and release of the buffer per member).
  ///
  /// `key` must have a pointer representation (any literal longer than one character has).
  @inline(__always)
  mutating func appendMemberStart(_ opening: UInt8, indent: Int, key: StaticString) {
    let keyCount = key.utf8CodeUnitCount
    let spaces = 2 * indent
    // 2 for the opening and the line break, the spaces (stored as 8-byte words, so up to 7 more), the key and its
    // `"`, `"`, `:` and ` `.
    let start = buffer.reserve(2 + spaces + 7 + keyCount + 4)
    start[0] = opening
    start[1] = UInt8(ascii: "\n")
    var offset = 0
    while offset < spaces {
      UnsafeMutableRawPointer(start + 2 + offset).storeBytes(of: 0x2020_2020_2020_2020 as UInt64, as: UInt64.self)
      offset += 8
    }
    let quote = start + 2 + spaces
    quote[0] = UInt8(ascii: "\"")
    (quote + 1).initialize(from: key.utf8Start, count: keyCount)
    quote[keyCount + 1] = UInt8(ascii: "\"")
    quote[keyCount + 2] = UInt8(ascii: ":")
    quote[keyCount + 3] = UInt8(ascii: " ")
    buffer.count += 2 + spaces + keyCount + 4
  }
}
