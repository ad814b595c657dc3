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
  ///
  /// The key's bytes are copied by ``ShortCopy/copy(_:count:to:)`` (a key is a few to about 30 bytes), not by a `memcpy` call, and the
  /// lengths are added without overflow checks (an indent and a literal's length are small): about 25 of the
  /// member's instructions (callgrind).
  @inline(__always)
  mutating func appendMemberStart(_ opening: UInt8, indent: Int, key: StaticString) {
    buffer.count &+= writeMemberStart(opening, indent: indent, key: key, room: 0).length
  }

  /// What `appendMemberStart` writes, with `room` more bytes reserved after it for the member's value, not counted:
  /// returns where the value goes and the number of bytes written before it.
  @inline(__always)
  func writeMemberStart(_ opening: UInt8, indent: Int, key: StaticString, room: Int) -> (
    value: UnsafeMutablePointer<UInt8>, length: Int
  ) {
    let keyCount = key.utf8CodeUnitCount
    let spaces = indent &* 2
    // 2 for the opening and the line break, the spaces (stored as 8-byte words, so up to 7 more), the key and its
    // `"`, `"`, `:` and ` `.
    let start = buffer.reserve(spaces &+ keyCount &+ 13 &+ room)
    start[0] = opening
    start[1] = UInt8(ascii: "\n")
    var offset = 0
    while offset < spaces {
      UnsafeMutableRawPointer(start + 2 + offset).storeBytes(of: 0x2020_2020_2020_2020 as UInt64, as: UInt64.self)
      offset &+= 8
    }
    let quote = start + 2 + spaces
    quote[0] = UInt8(ascii: "\"")
    ShortCopy.copy(key.utf8Start, count: keyCount, to: quote + 1)
    let end = quote + 1 + keyCount
    end[0] = UInt8(ascii: "\"")
    end[1] = UInt8(ascii: ":")
    end[2] = UInt8(ascii: " ")
    return (end + 3, spaces &+ keyCount &+ 6)
  }

  /// A pretty member whose value is a number (`appendNumber`'s spelling; `null` when nil): its start and value
  /// written in one reservation, the bytes counted once.
  ///
  /// Each `add(_:finite:)` of `analyze --json` (3.3 million at 20,000 segments × 3 variants) made two calls, each
  /// reserving room and adding to the count on its own; `key` must have a pointer representation.
  @inline(__always)
  mutating func appendMember(_ opening: UInt8, indent: Int, key: StaticString, number: Double?) {
    let (value, prefix) = writeMemberStart(opening, indent: indent, key: key, room: ShortestDigits.scratchCount)
    guard let number else {
      UnsafeMutableRawPointer(value).storeBytes(of: Self.nullBytes, as: UInt32.self)
      buffer.count &+= prefix &+ 4
      return
    }
    if let count = Self.writeNumber(number, to: value) {
      buffer.count &+= prefix &+ count
    } else {
      buffer.count &+= prefix
      number.write(to: &self)
    }
  }

  /// A pretty member whose value is a whole number, in one reservation (as `appendMember(_:indent:key:number:)`).
  @inline(__always)
  mutating func appendMember(_ opening: UInt8, indent: Int, key: StaticString, integer: Int64) {
    let (value, prefix) = writeMemberStart(opening, indent: indent, key: key, room: 24)
    buffer.count &+= prefix &+ Self.writeInteger(integer, to: value)
  }

  /// A pretty member whose value is `true` or `false`, in one reservation.
  @inline(__always)
  mutating func appendMember(_ opening: UInt8, indent: Int, key: StaticString, bool: Bool) {
    let (value, prefix) = writeMemberStart(opening, indent: indent, key: key, room: 8)
    // "true" and "false" as little-endian words; only 4 or 5 bytes are counted.
    let word: UInt64 = bool ? 0x6575_7274 : 0x65_736C_6166
    UnsafeMutableRawPointer(value).storeBytes(of: word, as: UInt64.self)
    buffer.count &+= prefix &+ (bool ? 4 : 5)
  }

  /// A pretty member whose value is the string `utf8` in quotes, in one reservation; false, with nothing written,
  /// when the string needs an escape (then `appendMemberStart` and `appendQuoted` write it).
  @inline(__always)
  mutating func appendMember(
    _ opening: UInt8, indent: Int, key: StaticString, quoting utf8: UnsafeBufferPointer<UInt8>
  ) -> Bool {
    guard !Self.needsEscaping(utf8) else { return false }
    let count = utf8.count
    let (value, prefix) = writeMemberStart(opening, indent: indent, key: key, room: count &+ 2)
    value[0] = UInt8(ascii: "\"")
    if let base = utf8.baseAddress { ShortCopy.copy(base, count: count, to: value + 1) }
    value[count &+ 1] = UInt8(ascii: "\"")
    buffer.count &+= prefix &+ count &+ 2
    return true
  }
}
