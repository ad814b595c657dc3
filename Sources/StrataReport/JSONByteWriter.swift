/// The UTF-8 bytes of a JSON document being written (`JSONValue.write`), handed on in chunks when an `emit`
/// is given: `emit` reads the writer's own buffer in place (valid only during the call), where an array copy of
/// each chunk cost a `malloc`, a `memcpy` and a `free` per 64 KB (1.2 GB of JSON at 20,000 segments × 16 variants).
///
/// Strings are escaped as RFC 8259 requires: `"` and `\` with a backslash, newline, carriage return and tab by
/// their letters, other control characters as `\u00XX`; everything else (non-ASCII included) is copied as is.
///
/// The bytes live in one buffer owned by the writer (`JSONBytes`) and written through its pointer: an append makes
/// room once for all its bytes (the buffer doubles when full) and copies them, where an array's `append` checked
/// its uniqueness and capacity for every byte. Copies of a writer share the buffer (what one appends, the other
/// sees), so `JSONMemberWriter` holds one without moving the bytes in and out.
struct JSONByteWriter: TextOutputStream {
  /// Written through by this file and `JSONByteWriter+Members.swift` only.
  let buffer: JSONBytes
  private let chunkSize: Int
  private let emit: ((UnsafeBufferPointer<UInt8>) -> Void)?

  init(chunkSize: Int = .max, emit: ((UnsafeBufferPointer<UInt8>) -> Void)? = nil) {
    self.chunkSize = chunkSize
    self.emit = emit
    buffer = JSONBytes(capacity: emit != nil ? min(chunkSize, 1 << 20) + 4096 : 256)
  }

  /// The bytes not yet handed to `emit` (all of them without one).
  var bytes: [UInt8] { Array(buffer.written) }

  /// The bytes not yet handed to `emit`, as text.
  var text: String { String(decoding: buffer.written, as: UTF8.self) }

  mutating func append(_ byte: UInt8) { buffer.append(byte) }

  mutating func append(_ text: String) {
    var text = text
    text.withUTF8 { buffer.append($0) }
  }

  mutating func append(_ text: StaticString) {
    if text.hasPointerRepresentation {
      buffer.append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    } else {
      text.withUTF8Buffer { buffer.append($0) }
    }
  }

  mutating func appendNull() { append("null" as StaticString) }

  /// `"key": ` (`"key":` when not `pretty`); a key is plain ASCII that needs no escaping.
  ///
  /// Written through the buffer's pointer without a closure: `withUTF8Buffer`'s closure retained and released the
  /// buffer on every key (5.6 million keys at 20,000 segments × 3 variants).
  mutating func appendKey(_ key: StaticString, pretty: Bool) {
    guard key.hasPointerRepresentation else {
      // A one-character literal is stored as its scalar, without bytes to point at.
      key.withUTF8Buffer { key in
        append(UInt8(ascii: "\""))
        buffer.append(key)
        append(pretty ? "\": " as StaticString : "\":")
      }
      return
    }
    let count = key.utf8CodeUnitCount
    let start = buffer.reserve(count + 4)
    start[0] = UInt8(ascii: "\"")
    (start + 1).initialize(from: key.utf8Start, count: count)
    start[count + 1] = UInt8(ascii: "\"")
    start[count + 2] = UInt8(ascii: ":")
    start[count + 3] = UInt8(ascii: " ")
    buffer.count += count + (pretty ? 4 : 3)
  }

  /// The decimal digits of `value`, as `String(value)` spells them.
  mutating func appendInteger(_ value: Int64) {
    buffer.count &+= Self.writeInteger(value, to: buffer.reserve(24))
  }

  /// Writes the decimal digits of `value` as `String(value)` spells them at `target` (room for 24 bytes) and returns
  /// their number (a sign included).
  ///
  /// Eight digits at a time in place (`ShortestDigits.writeInteger`), where one digit at a time from the end and
  /// a move to the start cost 66 instructions for a lone `0` and more for each digit.
  @inline(__always)
  static func writeInteger(_ value: Int64, to target: UnsafeMutablePointer<UInt8>) -> Int {
    // At most 21 bytes: a sign and 20 digits' room.
    guard value < 0 else { return ShortestDigits.writeInteger(value.magnitude, to: target) }
    target[0] = UInt8(ascii: "-")
    return ShortestDigits.writeInteger(value.magnitude, to: target + 1) &+ 1
  }

  /// `null` as a little-endian word.
  static let nullBytes: UInt32 = 0x6C6C_756E

  /// A number as `JSONValue.number` prints it: `null` when not finite, a whole number below 10¹⁵ without a
  /// fraction, anything else in the shortest form that reads back as the same double (`Double.description`).
  mutating func appendNumber(_ x: Double) {
    if let count = Self.writeNumber(x, to: buffer.reserve(ShortestDigits.scratchCount)) {
      buffer.count &+= count
    } else {
      // Subnormals through `write(to:)`, which hands `description`'s characters over as bytes (`_writeASCII`)
      // without a String.
      x.write(to: &self)
    }
  }

  /// Writes `x` as `appendNumber` spells it at `target` (room for `ShortestDigits.scratchCount` bytes) and returns
  /// the number of bytes; nil, with nothing meaningful written, for a subnormal (left to `description`).
  @inline(__always)
  static func writeNumber(_ x: Double, to target: UnsafeMutablePointer<UInt8>) -> Int? {
    let magnitude = x.magnitude
    if !x.isFinite {
      UnsafeMutableRawPointer(target).storeBytes(of: nullBytes, as: UInt32.self)
      return 4
    }
    if magnitude < 1 ? x == 0 : magnitude < 1e15 && Double(Int64(x)) == x {
      // Whole numbers print without a fraction only when exact; keep ".0" off to read as integers. (Below 10¹⁵ the
      // conversion truncates exactly, so this is `x == x.rounded()` without a call to the C library's `round`.)
      // Below 1 only zero is whole: most numbers written (p-values, rates, lifts) skip the conversions.
      return writeInteger(magnitude < 1 ? 0 : Int64(x), to: target)
    }
    // `description`'s characters written in place by ShortestDigits.
    return ShortestDigits.write(x, to: target)
  }

  /// `TextOutputStream`: text appended as UTF-8.
  mutating func write(_ string: String) { append(string) }

  /// `TextOutputStream`'s entry for ASCII text (what `Double.write(to:)` calls): the bytes appended as they are,
  /// where the default would make a `String` of them first.
  mutating func _writeASCII(_ bytes: UnsafeBufferPointer<UInt8>) { buffer.append(bytes) }

  /// A newline and two spaces per level, written in place: the spaces as 8-byte words into room reserved past
  /// the end (only `1 + 2 × indent` bytes are counted), where a `memset` call per line cost more than the line.
  mutating func newline(indent: Int) {
    let count = 1 + 2 * indent
    let start = buffer.reserve(count + 8)
    start[0] = UInt8(ascii: "\n")
    var offset = 1
    while offset < count {
      UnsafeMutableRawPointer(start + offset).storeBytes(of: 0x2020_2020_2020_2020 as UInt64, as: UInt64.self)
      offset += 8
    }
    buffer.count += count
  }

  /// `text` in double quotes, escaped.
  mutating func appendQuoted(_ text: String) {
    let copied: Void? = text.utf8.withContiguousStorageIfAvailable { appendQuoted(utf8: $0) }
    if copied == nil {
      var text = text
      text.withUTF8 { appendQuoted(utf8: $0) }
    }
  }

  /// UTF-8 text in double quotes, escaped.
  private mutating func appendQuoted(utf8: UnsafeBufferPointer<UInt8>) {
    // One pass over the bytes, eight at a time: does any need escaping?
    guard !Self.needsEscaping(utf8) else {
      buffer.append(UInt8(ascii: "\""))
      for byte in utf8 { appendEscaped(byte) }
      buffer.append(UInt8(ascii: "\""))
      return
    }
    let start = buffer.reserve(utf8.count + 2)
    start[0] = UInt8(ascii: "\"")
    if let base = utf8.baseAddress { ShortCopy.copy(base, count: utf8.count, to: start + 1) }
    start[utf8.count + 1] = UInt8(ascii: "\"")
    buffer.count += utf8.count + 2
  }

  private mutating func appendEscaped(_ byte: UInt8) {
    switch byte {
    case UInt8(ascii: "\""): append("\\\"" as StaticString)
    case UInt8(ascii: "\\"): append("\\\\" as StaticString)
    case UInt8(ascii: "\n"): append("\\n" as StaticString)
    case UInt8(ascii: "\r"): append("\\r" as StaticString)
    case UInt8(ascii: "\t"): append("\\t" as StaticString)
    case ..<0x20:
      let hex = String(byte, radix: 16)
      append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
    default: buffer.append(byte)
    }
  }

  /// Writes a JSON array, each item's value by `item` (its own indent is `indent + 1`).
  ///
  /// `[`, the items with `,` between them, each on a line of its own one level deeper than `indent` when `pretty`,
  /// and `]` on a line at `indent`; `[]` when there are none. The only array writer: `JSONValue` and
  /// `JSONMemberWriter` both call it.
  mutating func writeArray<Items: Sequence>(
    _ items: Items, pretty: Bool, indent: Int, _ item: (Items.Element, inout JSONByteWriter) -> Void
  ) {
    var written = 0
    for element in items {
      append(UInt8(ascii: written == 0 ? "[" : ","))
      if pretty { newline(indent: indent + 1) }
      item(element, &self)
      flushIfFull()
      written += 1
    }
    if written == 0 {
      append("[]" as StaticString)
      return
    }
    if pretty { newline(indent: indent) }
    append(UInt8(ascii: "]"))
  }

  /// Hands the bytes so far to `emit` once they reach the chunk size.
  mutating func flushIfFull() {
    guard buffer.count >= chunkSize, let emit else { return }
    emit(buffer.written)
    buffer.count = 0
  }

  /// Hands any remaining bytes to `emit`.
  mutating func finish() {
    guard let emit, buffer.count > 0 else { return }
    emit(buffer.written)
    buffer.count = 0
  }
}

/// The buffer of a `JSONByteWriter`: `count` initialised bytes from `start`, room for `capacity`.
///
/// A class so that it can free its memory; its fields skip the exclusivity checks Swift makes on a class's
/// stored properties (`swift_beginAccess` on every append): only the writer touches them, and no access to one
/// overlaps another.
final class JSONBytes {
  @exclusivity(unchecked) private var start: UnsafeMutablePointer<UInt8>
  @exclusivity(unchecked) var count = 0
  @exclusivity(unchecked) private var capacity: Int

  init(capacity: Int) {
    self.capacity = max(capacity, 64)
    start = .allocate(capacity: self.capacity)
  }

  deinit { start.deallocate() }

  /// The bytes written.
  var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

  /// Makes room for `extra` more bytes and returns where they go (`start + count`); the caller writes them and
  /// adds to `count`.
  @inline(__always)
  func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
    // `count` never exceeds `capacity`, and no append comes near `Int.max` bytes.
    if capacity &- count < extra { grow(to: count &+ extra) }
    return start + count
  }

  @inline(__always)
  func append(_ byte: UInt8) {
    reserve(1).initialize(to: byte)
    count += 1
  }

  @inline(__always)
  func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let base = bytes.baseAddress else { return }
    reserve(bytes.count).initialize(from: base, count: bytes.count)
    count += bytes.count
  }

  /// Moves the bytes to a buffer of at least `needed` bytes, twice the old capacity when that is more.
  @inline(never)
  private func grow(to needed: Int) {
    let newCapacity = max(needed, 2 * capacity)
    let newStart = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    newStart.initialize(from: start, count: count)
    start.deallocate()
    start = newStart
    capacity = newCapacity
  }
}
