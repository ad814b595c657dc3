/// Why a request body is not JSON: the byte offset and what was expected there.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
  public var offset: Int
  public var message: String
  public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

extension JSON {
  /// The deepest nesting a request may use (a context is flat; values are shallow objects).
  static let maximumDepth = 32

  /// Parses JSON text (RFC 8259): one value, optional surrounding whitespace, nothing after it.
  ///
  /// `nonFinite`: also read `NaN`, `Infinity`, `-Infinity` (as Python's `json.dumps` writes them) and numbers
  /// beyond the double range as non-finite numbers, so that ingestion can name the item and field holding one.
  public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes, nonFinite: Bool = false) throws(JSONParseError)
    -> JSON
  {
    let array = Array(bytes)
    var parser = JSONParser(bytes: array, nonFinite: nonFinite)
    parser.skipWhitespace()
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    guard parser.offset == array.count else { throw parser.error("unexpected text after the JSON value") }
    return value
  }
}

private struct JSONParser {
  let bytes: [UInt8]
  let nonFinite: Bool
  var offset = 0

  init(bytes: [UInt8], nonFinite: Bool) {
    self.bytes = bytes
    self.nonFinite = nonFinite
  }

  func error(_ message: String) -> JSONParseError { JSONParseError(offset: offset, message: message) }

  mutating func skipWhitespace() {
    while offset < bytes.count {
      switch bytes[offset] {
      case 0x20, 0x0A, 0x0D, 0x09: offset += 1
      default: return
      }
    }
  }

  mutating func value(depth: Int) throws(JSONParseError) -> JSON {
    guard depth < JSON.maximumDepth else { throw error("nested deeper than \(JSON.maximumDepth) levels") }
    guard offset < bytes.count else { throw error("unexpected end of input") }
    switch bytes[offset] {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "N") where nonFinite: try literal("NaN"); return .number(.nan)
    case UInt8(ascii: "I") where nonFinite: try literal("Infinity"); return .number(.infinity)
    case UInt8(ascii: "-")
    where nonFinite && offset + 1 < bytes.count && bytes[offset + 1] == UInt8(ascii: "I"):
      offset += 1
      try literal("Infinity")
      return .number(-.infinity)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw error("expected a value")
    }
  }

  mutating func literal(_ word: StaticString) throws(JSONParseError) {
    let count = word.utf8CodeUnitCount
    let matches = word.withUTF8Buffer { utf8 in
      offset + count <= bytes.count && bytes[offset..<offset + count].elementsEqual(utf8)
    }
    guard matches else { throw error("expected \(word)") }
    offset += count
  }

  mutating func object(depth: Int) throws(JSONParseError) -> JSON {
    offset += 1
    var members: [(String, JSON)] = []
    skipWhitespace()
    if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
      offset += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a member name") }
      let name = try string()
      skipWhitespace()
      guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw error("expected \":\"") }
      offset += 1
      skipWhitespace()
      members.append((name, try value(depth: depth + 1)))
      skipWhitespace()
      guard offset < bytes.count else { throw error("unexpected end of input in an object") }
      if bytes[offset] == UInt8(ascii: ",") {
        offset += 1
      } else if bytes[offset] == UInt8(ascii: "}") {
        offset += 1
        return .object(members)
      } else {
        throw error("expected \",\" or \"}\"")
      }
    }
  }

  mutating func array(depth: Int) throws(JSONParseError) -> JSON {
    offset += 1
    var items: [JSON] = []
    skipWhitespace()
    if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
      offset += 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try value(depth: depth + 1))
      skipWhitespace()
      guard offset < bytes.count else { throw error("unexpected end of input in an array") }
      if bytes[offset] == UInt8(ascii: ",") {
        offset += 1
      } else if bytes[offset] == UInt8(ascii: "]") {
        offset += 1
        return .array(items)
      } else {
        throw error("expected \",\" or \"]\"")
      }
    }
  }

  mutating func number() throws(JSONParseError) -> JSON {
    let start = offset
    var isInteger = true
    if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
    func digits(_ parser: inout JSONParser) -> Int {
      let begin = parser.offset
      while parser.offset < parser.bytes.count, (0x30...0x39).contains(parser.bytes[parser.offset]) {
        parser.offset += 1
      }
      return parser.offset - begin
    }
    let integerStart = offset
    let integerDigits = digits(&self)
    guard integerDigits > 0 else { throw error("expected digits") }
    guard integerDigits == 1 || bytes[integerStart] != 0x30 else { throw error("leading zeros are not allowed") }
    if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
      isInteger = false
      offset += 1
      guard digits(&self) > 0 else { throw error("expected digits after the decimal point") }
    }
    if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
      isInteger = false
      offset += 1
      if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
      guard digits(&self) > 0 else { throw error("expected digits in the exponent") }
    }
    // Up to 18 digits always fit an Int: read them without making text.
    if isInteger, integerDigits <= 18 {
      var value = 0
      for byte in bytes[integerStart..<offset] { value = value * 10 + Int(byte - 0x30) }
      return .integer(bytes[start] == UInt8(ascii: "-") ? -value : value)
    }
    let text = String(decoding: bytes[start..<offset], as: UTF8.self)
    if isInteger, let value = Int(text) { return .integer(value) }
    guard let value = Double(text), value.isFinite || nonFinite else { throw error("number out of range") }
    return .number(value)
  }

  mutating func string() throws(JSONParseError) -> String {
    offset += 1
    // Most strings (member names, ids, attribute values) have no escape: read them straight from the input.
    var end = offset
    var ascii = true
    while end < bytes.count {
      let byte = bytes[end]
      if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
      if byte >= 0x80 { ascii = false }
      end += 1
    }
    if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
      let text: String
      if ascii {
        text = String(decoding: bytes[offset..<end], as: UTF8.self)
      } else {
        guard let valid = String(validating: bytes[offset..<end], as: UTF8.self) else {
          throw error("text is not valid UTF-8")
        }
        text = valid
      }
      offset = end + 1
      return text
    }
    var result: [UInt8] = []
    while offset < bytes.count {
      let byte = bytes[offset]
      switch byte {
      case UInt8(ascii: "\""):
        offset += 1
        guard let text = String(validating: result, as: UTF8.self) else { throw error("text is not valid UTF-8") }
        return text
      case UInt8(ascii: "\\"):
        offset += 1
        guard offset < bytes.count else { throw error("unexpected end of input in a string") }
        let escape = bytes[offset]
        offset += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(escape)
        case UInt8(ascii: "b"): result.append(0x08)
        case UInt8(ascii: "f"): result.append(0x0C)
        case UInt8(ascii: "n"): result.append(0x0A)
        case UInt8(ascii: "r"): result.append(0x0D)
        case UInt8(ascii: "t"): result.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800..<0xDC00).contains(scalar) {
            guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
            else { throw error("unpaired surrogate") }
            offset += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          }
          guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
          result.append(contentsOf: Array(String(Character(unicode)).utf8))
        default: throw error("invalid escape")
        }
      case 0..<0x20: throw error("control character in a string")
      default:
        result.append(byte)
        offset += 1
      }
    }
    throw error("unexpected end of input in a string")
  }

  mutating func hex4() throws(JSONParseError) -> UInt32 {
    guard offset + 4 <= bytes.count else { throw error("incomplete \\u escape") }
    var value: UInt32 = 0
    for byte in bytes[offset..<offset + 4] {
      let digit: UInt8
      switch byte {
      case 0x30...0x39: digit = byte - 0x30
      case 0x41...0x46: digit = byte - 0x37
      case 0x61...0x66: digit = byte - 0x57
      default: throw error("invalid \\u escape")
      }
      value = value << 4 | UInt32(digit)
    }
    offset += 4
    return value
  }
}
