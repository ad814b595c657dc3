extension JSONByteWriter {
  /// Whether any byte of `utf8` must be escaped in a JSON string: a control character (below 0x20), `"` or `\`.
  ///
  /// Eight bytes at a time (SWAR): in a 64-bit word `w`, `(w − 0x20…20) & ~w & 0x80…80` is non-zero exactly when
  /// some byte is below 0x20 (a byte at or above 0x80 never sets its top bit there, and a borrow can only start at
  /// a byte below 0x20), and `w ^ 0x22…22` has a zero byte, found by the same test against 0x01, exactly when some
  /// byte is `"`. A byte-by-byte loop cost about four instructions a byte; the notes of `analyze --json` (600,000
  /// comparisons at 20,000 segments × 16 variants) are sentences.
  ///
  /// The last one to seven bytes are one more word, never a byte loop (most strings written are short: variant and
  /// segment names, test names, about nine million of them at 20,000 segments × 16 variants): the word ending at the
  /// last byte when the string has eight or more (its bytes already checked are checked again), else the bytes
  /// gathered by a 4-, a 2- and a 1-byte load into a word of `A`s, which need no escape. Nothing is read past the end.
  static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = utf8.baseAddress else { return false }
    let count = utf8.count
    var offset = 0
    while count - offset >= 8 {
      if wordNeedsEscaping(UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)) { return true }
      offset += 8
    }
    guard offset < count else { return false }
    if count >= 8 { return wordNeedsEscaping(UnsafeRawPointer(base + count - 8).loadUnaligned(as: UInt64.self)) }
    let raw = UnsafeRawPointer(base)
    var word: UInt64 = 0x4141_4141_4141_4141
    var at = 0
    if count & 4 != 0 {
      word = word & 0xFFFF_FFFF_0000_0000 | UInt64(raw.loadUnaligned(as: UInt32.self))
      at = 4
    }
    if count & 2 != 0 {
      word = word & 0xFFFF_0000_FFFF_FFFF | UInt64(raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)) << 32
      at += 2
    }
    if count & 1 != 0 {
      word = word & 0xFF00_FFFF_FFFF_FFFF | UInt64(base[at]) << 48
    }
    return wordNeedsEscaping(word)
  }

  /// Whether any of the eight bytes of `word` is below 0x20, `"` or `\` (the tests above).
  @inline(__always)
  private static func wordNeedsEscaping(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    let control = (word &- 0x20 &* ones) & ~word & high
    let quote = word ^ (0x22 &* ones)
    let backslash = word ^ (0x5C &* ones)
    let quoteZero = (quote &- ones) & ~quote & high
    let backslashZero = (backslash &- ones) & ~backslash & high
    return control | quoteZero | backslashZero != 0
  }
}
