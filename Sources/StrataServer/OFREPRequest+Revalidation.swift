import Crypto
import Foundation
import NIOCore

/// The bulk revalidation's short way to its ETag: read straight from the body, without building its JSON tree.
///
/// A `304 Not Modified` needs only the unit id (for the consent check) and the context re-serialized compactly (for
/// ``OFREPRequest/bulkETag(catalog:refused:context:)``). Building the body's JSON tree, copying the context's
/// attributes and writing the tree back took more of the server's CPU than the rest of the 304 path's own work
/// (callgrind). For a body in the usual form this reads the unit and copies the context's tokens as they are, dropping
/// only spaces: exactly the bytes the tree would write back. Anything else is declined (nil) and takes the general
/// path, which gives the same answer and the same errors as before: a string with an escape or a byte beyond ASCII, a
/// number with a fraction, an exponent, more than 18 digits or `-0`, nesting deeper than 16, a repeated `context` or
/// `targetingKey`, a `targetingKey` that is not non-empty text, and any text that is not JSON.
extension OFREPRequest {
  /// What a bulk revalidation needs from a body: the unit id and the context re-serialized compactly.
  struct Revalidation {
    var unit: String
    var contextBytes: [UInt8]
  }

  /// The unit id and compact context of `{"context": {"targetingKey": "...", ...}}` when the body is in the form
  /// described above (the same bytes as ``context(_:keepingBytes:)`` makes); nil otherwise.
  static func revalidation(_ body: ByteBuffer) -> Revalidation? {
    body.withUnsafeReadableBytes { bytes in
      var scanner = RevalidationScanner(bytes: bytes)
      return scanner.document()
    }
  }
}

extension OFREPRequest {
  /// The bulk answer's strong ETag: `"` lowercase hex SHA-256 `"` over the catalog's ETag, NUL, whether the unit
  /// withdrew consent (0 or 1) and the context re-serialized compactly.
  ///
  /// The answer is a function of exactly these (the catalog's ETag covers every definition's hash; the context is
  /// everything the request says; nothing reads the clock), so equal ETags mean equal answers, and any change that
  /// could change the answer changes the ETag. No flag is evaluated and no body is written to answer a 304.
  static func bulkETag(catalog: String, refused: Bool, context: [UInt8]) -> String {
    // The input in one buffer, hashed in one call: the same digest as three `update` calls, and no difference in
    // instructions that callgrind could tell from its run-to-run spread.
    var input: [UInt8] = []
    input.reserveCapacity(catalog.utf8.count + 2 + context.count)
    input.append(contentsOf: catalog.utf8)
    input.append(0)
    input.append(refused ? 1 : 0)
    input.append(contentsOf: context)
    var hasher = SHA256()
    input.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    let digest = hasher.finalize()
    let hexDigits: StaticString = "0123456789abcdef"
    return String(unsafeUninitializedCapacity: 66) { text in
      text[0] = UInt8(ascii: "\"")
      var position = 1
      digest.withUnsafeBytes { bytes in
        hexDigits.withUTF8Buffer { hex in
          for byte in bytes {
            text[position] = hex[Int(byte >> 4)]
            text[position + 1] = hex[Int(byte & 0x0F)]
            position += 2
          }
        }
      }
      text[position] = UInt8(ascii: "\"")
      return position + 1
    }
  }

  /// Whether an `If-None-Match` value matches `etag` (weak comparison, as RFC 9110 §13.1.2 asks): any of its
  /// comma-separated entity tags, spaces and tabs around it trimmed and `W/` ignored, equals `etag`, or it is `*`.
  static func matches(_ condition: String, etag: String) -> Bool {
    var condition = condition
    var etag = etag
    return condition.withUTF8 { condition in etag.withUTF8 { etag in matches(condition, etag: etag) } }
  }

  private static func matches(_ condition: UnsafeBufferPointer<UInt8>, etag: UnsafeBufferPointer<UInt8>) -> Bool {
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    var start = 0
    while start < condition.count {
      var end = start
      while end < condition.count, condition[end] != UInt8(ascii: ",") { end += 1 }
      var low = start
      var high = end
      while low < high, isSpace(condition[low]) { low += 1 }
      while high > low, isSpace(condition[high - 1]) { high -= 1 }
      if high - low == 1, condition[low] == UInt8(ascii: "*") { return true }
      if high - low >= 2, condition[low] == UInt8(ascii: "W"), condition[low + 1] == UInt8(ascii: "/") { low += 2 }
      if high - low == etag.count, !etag.isEmpty, let etagStart = etag.baseAddress,
        let conditionStart = condition.baseAddress,
        memcmp(conditionStart + low, etagStart, etag.count) == 0
      {
        return true
      }
      start = end + 1
    }
    return false
  }
}

/// Reads one body for ``OFREPRequest/revalidation(_:)``: every method returns false (or nil) to decline.
private struct RevalidationScanner {
  let bytes: UnsafeRawBufferPointer
  var offset = 0
  var output: [UInt8] = []

  /// The deepest nesting read here; deeper contexts take the general path.
  static let maximumDepth = 16

  init(bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
    output.reserveCapacity(bytes.count)
  }

  mutating func document() -> OFREPRequest.Revalidation? {
    skipSpace()
    guard take(UInt8(ascii: "{")) else { return nil }
    var unit: String?
    skipSpace()
    if !take(UInt8(ascii: "}")) {
      repeat {
        skipSpace()
        guard let name = string() else { return nil }
        skipSpace()
        guard take(UInt8(ascii: ":")) else { return nil }
        skipSpace()
        if equals(name, "context") {
          guard unit == nil, let found = context() else { return nil }
          unit = found
        } else {
          guard value(depth: 1, emit: false) else { return nil }
        }
        skipSpace()
      } while take(UInt8(ascii: ","))
      guard take(UInt8(ascii: "}")) else { return nil }
    }
    skipSpace()
    guard offset == bytes.count, let unit else { return nil }
    return OFREPRequest.Revalidation(unit: unit, contextBytes: output)
  }

  /// The context object, copied compactly to `output`; its `targetingKey`, which must be non-empty text, given once.
  mutating func context() -> String? {
    guard take(UInt8(ascii: "{")) else { return nil }
    output.append(UInt8(ascii: "{"))
    var unit: String?
    skipSpace()
    if !take(UInt8(ascii: "}")) {
      var first = true
      repeat {
        if !first { output.append(UInt8(ascii: ",")) }
        first = false
        skipSpace()
        guard let name = string() else { return nil }
        copy(quoted: name)
        output.append(UInt8(ascii: ":"))
        skipSpace()
        guard take(UInt8(ascii: ":")) else { return nil }
        skipSpace()
        if equals(name, "targetingKey") {
          guard unit == nil, offset < bytes.count, bytes[offset] == UInt8(ascii: "\""), let text = string(),
            !text.isEmpty
          else { return nil }
          copy(quoted: text)
          unit = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[text]), as: UTF8.self)
        } else {
          guard value(depth: 2, emit: true) else { return nil }
        }
        skipSpace()
      } while take(UInt8(ascii: ","))
      guard take(UInt8(ascii: "}")) else { return nil }
    }
    output.append(UInt8(ascii: "}"))
    return unit
  }

  /// One value, copied compactly to `output` when `emit`.
  mutating func value(depth: Int, emit: Bool) -> Bool {
    guard depth <= RevalidationScanner.maximumDepth, offset < bytes.count else { return false }
    switch bytes[offset] {
    case UInt8(ascii: "\""):
      guard let text = string() else { return false }
      if emit { copy(quoted: text) }
      return true
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      let close = bytes[offset] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
      let isObject = close == UInt8(ascii: "}")
      if emit { output.append(bytes[offset]) }
      offset += 1
      skipSpace()
      if take(close) {
        if emit { output.append(close) }
        return true
      }
      var first = true
      repeat {
        if emit && !first { output.append(UInt8(ascii: ",")) }
        first = false
        skipSpace()
        if isObject {
          guard let name = string() else { return false }
          if emit {
            copy(quoted: name)
            output.append(UInt8(ascii: ":"))
          }
          skipSpace()
          guard take(UInt8(ascii: ":")) else { return false }
          skipSpace()
        }
        guard value(depth: depth + 1, emit: emit) else { return false }
        skipSpace()
      } while take(UInt8(ascii: ","))
      guard take(close) else { return false }
      if emit { output.append(close) }
      return true
    case UInt8(ascii: "t"): return literal("true", emit: emit)
    case UInt8(ascii: "f"): return literal("false", emit: emit)
    case UInt8(ascii: "n"): return literal("null", emit: emit)
    default: return integer(emit: emit)
    }
  }

  /// A string token with no escape and only printable ASCII: the range of its text (between the quotes).
  mutating func string() -> Range<Int>? {
    guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { return nil }
    var end = offset + 1
    while end < bytes.count {
      let byte = bytes[end]
      if byte == UInt8(ascii: "\"") {
        defer { offset = end + 1 }
        return (offset + 1)..<end
      }
      // An escape, a control character (not JSON) or a byte beyond ASCII (to be checked as UTF-8): general path.
      guard byte != UInt8(ascii: "\\"), byte >= 0x20, byte < 0x80 else { return nil }
      end += 1
    }
    return nil
  }

  /// An integer of 1 to 18 digits, not `-0` and with no leading zero, that no fraction or exponent follows: the
  /// parser reads it as an integer and the writer gives back the same digits.
  mutating func integer(emit: Bool) -> Bool {
    let start = offset
    if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
    let digitsStart = offset
    while offset < bytes.count, (0x30...0x39).contains(bytes[offset]) { offset += 1 }
    let digits = offset - digitsStart
    guard (1...18).contains(digits), digits == 1 || bytes[digitsStart] != 0x30 else { return false }
    guard !(digits == 1 && bytes[digitsStart] == 0x30 && digitsStart > start) else { return false }  // -0
    if offset < bytes.count {
      let next = bytes[offset] | 0x20
      guard next != UInt8(ascii: "."), next != UInt8(ascii: "e") else { return false }
    }
    if emit { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<offset])) }
    return true
  }

  mutating func literal(_ word: StaticString, emit: Bool) -> Bool {
    let count = word.utf8CodeUnitCount
    guard bytes.count - offset >= count else { return false }
    for index in 0..<count where bytes[offset + index] != word.utf8Start[index] { return false }
    if emit { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])) }
    offset += count
    return true
  }

  /// Whether the text in `range` is `word`.
  func equals(_ range: Range<Int>, _ word: StaticString) -> Bool {
    guard range.count == word.utf8CodeUnitCount else { return false }
    for index in 0..<range.count where bytes[range.lowerBound + index] != word.utf8Start[index] { return false }
    return true
  }

  mutating func copy(quoted range: Range<Int>) {
    output.append(UInt8(ascii: "\""))
    output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
    output.append(UInt8(ascii: "\""))
  }

  mutating func take(_ byte: UInt8) -> Bool {
    guard offset < bytes.count, bytes[offset] == byte else { return false }
    offset += 1
    return true
  }

  mutating func skipSpace() {
    while offset < bytes.count {
      switch bytes[offset] {
      case 0x20, 0x0A, 0x0D, 0x09: offset += 1
      default: return
      }
    }
  }
}
