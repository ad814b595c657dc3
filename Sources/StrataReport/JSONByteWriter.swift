/// The UTF-8 bytes of a JSON document being written (`JSONValue.write`), handed on in chunks when an `emit`
/// is given.
///
/// Strings are escaped as RFC 8259 requires: `"` and `\` with a backslash, newline, carriage return and tab by
/// their letters, other control characters as `\u00XX`; everything else (non-ASCII included) is copied as is.
struct JSONByteWriter: TextOutputStream {
  private(set) var bytes: [UInt8] = []
  private let chunkSize: Int
  private let emit: (([UInt8]) -> Void)?

  init(chunkSize: Int = .max, emit: (([UInt8]) -> Void)? = nil) {
    self.chunkSize = chunkSize
    self.emit = emit
    if emit != nil { bytes.reserveCapacity(min(chunkSize, 1 << 20) + 4096) }
  }

  mutating func append(_ byte: UInt8) { bytes.append(byte) }

  mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

  mutating func appendNull() { Self.null.withUTF8Buffer { bytes.append(contentsOf: $0) } }

  private static let null: StaticString = "null"
  /// A newline and 32 levels of indent: `newline(indent:)` copies its first 1 + 2 × indent bytes.
  private static let newlineAndSpaces: StaticString =
    "\n                                                                "

  /// `"key": ` (`"key":` when not `pretty`); a key is plain ASCII that needs no escaping.
  mutating func appendKey(_ key: StaticString, pretty: Bool) {
    bytes.append(UInt8(ascii: "\""))
    key.withUTF8Buffer { bytes.append(contentsOf: $0) }
    bytes.append(UInt8(ascii: "\""))
    bytes.append(UInt8(ascii: ":"))
    if pretty { bytes.append(UInt8(ascii: " ")) }
  }

  /// The decimal digits of `value`, as `String(value)` spells them.
  mutating func appendInteger(_ value: Int64) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var start = 20
      repeat {
        start -= 1
        digits[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
        magnitude /= 10
      } while magnitude != 0
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
    }
  }

  /// A number as `JSONValue.number` prints it: `null` when not finite, a whole number below 10¹⁵ without a
  /// fraction, anything else in the shortest form that reads back as the same double (`Double.description`).
  mutating func appendNumber(_ x: Double) {
    if !x.isFinite {
      appendNull()
    } else if x == x.rounded(), abs(x) < 1e15 {
      // Whole numbers print without a fraction only when exact; keep ".0" off to read as integers.
      appendInteger(Int64(x))
    } else {
      // `write(to:)` prints `description`'s characters, handed over as bytes (`_writeASCII`) without a String.
      x.write(to: &self)
    }
  }

  /// `TextOutputStream`: text appended as UTF-8.
  mutating func write(_ string: String) { append(string) }

  /// `TextOutputStream`'s entry for ASCII text (what `Double.write(to:)` calls): the bytes appended as they are,
  /// where the default would make a `String` of them first.
  mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }

  /// A newline and two spaces per level.
  mutating func newline(indent: Int) {
    let count = 1 + 2 * indent
    Self.newlineAndSpaces.withUTF8Buffer { line in
      if count <= line.count {
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: line[..<count]))
      } else {
        bytes.append(contentsOf: line)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count - line.count))
      }
    }
  }

  /// `text` in double quotes, escaped.
  mutating func appendQuoted(_ text: String) {
    bytes.append(UInt8(ascii: "\""))
    let copied: Void? = text.utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
    if copied == nil { appendEscaped(Array(text.utf8)) }
    bytes.append(UInt8(ascii: "\""))
  }

  private mutating func appendEscaped<Bytes: Collection<UInt8>>(_ utf8: Bytes) {
    guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
      bytes.append(contentsOf: utf8)
      return
    }
    for byte in utf8 {
      switch byte {
      case UInt8(ascii: "\""): append("\\\"")
      case UInt8(ascii: "\\"): append("\\\\")
      case UInt8(ascii: "\n"): append("\\n")
      case UInt8(ascii: "\r"): append("\\r")
      case UInt8(ascii: "\t"): append("\\t")
      case ..<0x20:
        let hex = String(byte, radix: 16)
        append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
      default: bytes.append(byte)
      }
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
      append("[]")
      return
    }
    if pretty { newline(indent: indent) }
    append(UInt8(ascii: "]"))
  }

  /// Hands the bytes so far to `emit` once they reach the chunk size.
  mutating func flushIfFull() {
    guard bytes.count >= chunkSize, let emit else { return }
    emit(bytes)
    bytes.removeAll(keepingCapacity: true)
  }

  /// Hands any remaining bytes to `emit`.
  mutating func finish() {
    guard let emit, !bytes.isEmpty else { return }
    emit(bytes)
    bytes.removeAll(keepingCapacity: true)
  }
}
