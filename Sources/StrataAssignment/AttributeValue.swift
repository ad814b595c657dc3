/// The value of a unit attribute (`plan`, `checkins_90d`, `email_consent`).
///
/// Attributes read from a CSV file or the command line are text (`.string`); a library caller may pass
/// typed values. A comparison takes its type from the rule's literal (docs/assignment-spec.md §5): a
/// number literal reads text as a decimal number, a boolean literal reads `true`/`false`/`1`/`0`, a
/// string literal compares UTF-8 bytes. A value that cannot be read as the literal's type does not match.
public enum AttributeValue: Sendable, Hashable {
  case string(String)
  case number(Double)
  case bool(Bool)

  /// The value as a number: a number, or text in the decimal grammar
  /// `-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?`; nil otherwise.
  @inlinable
  public var numberValue: Double? {
    switch self {
    case .number(let value): return value
    case .string(let text): return AttributeValue.parseNumber(text.utf8)
    case .bool: return nil
    }
  }

  /// The value as a boolean: a boolean, or the text `true`/`false` (any ASCII case) or `1`/`0`; nil otherwise.
  @inlinable
  public var boolValue: Bool? {
    switch self {
    case .bool(let value): return value
    case .string(let text): return AttributeValue.parseBool(text.utf8)
    case .number: return nil
    }
  }

  /// Reads decimal text in the spec's number grammar; nil for anything else (no `inf`, `nan`, hex,
  /// spaces or leading `+`).
  @inlinable
  public static func parseNumber<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Double? {
    parseNumber(bytes) { Double(String(decoding: $0, as: UTF8.self)) }
  }

  /// ``parseNumber(_:)`` with the value of text that is not a short integer given by `convert` (called only on text
  /// in the grammar; it must give the correctly rounded value, as `strtod` does, for example a parser without the
  /// `String` that `Double(_:)` needs).
  @inlinable
  public static func parseNumber<Bytes: Collection<UInt8>>(_ bytes: Bytes, converting convert: (Bytes) -> Double?)
    -> Double?
  {
    var integer = 0
    var integerDigits = 0
    var negative = false
    // 0 start, 1 sign, 2 integer digits, 3 point, 4 fraction digits, 5 e, 6 exponent sign, 7 exponent digits
    var state = 0
    for byte in bytes {
      let isDigit = byte >= 0x30 && byte <= 0x39
      if isDigit && state <= 2 {
        integer = integer &* 10 &+ Int(byte &- 0x30)
        integerDigits &+= 1
      }
      switch state {
      case 0: if byte == 0x2D { state = 1; negative = true } else if isDigit { state = 2 } else { return nil }
      case 1: if isDigit { state = 2 } else { return nil }
      case 2:
        if isDigit {} else if byte == 0x2E { state = 3 } else if byte | 0x20 == 0x65 { state = 5 } else { return nil }
      case 3: if isDigit { state = 4 } else { return nil }
      case 4: if isDigit {} else if byte | 0x20 == 0x65 { state = 5 } else { return nil }
      case 5: if isDigit { state = 7 } else if byte == 0x2D || byte == 0x2B { state = 6 } else { return nil }
      case 6: if isDigit { state = 7 } else { return nil }
      default: if !isDigit { return nil }
      }
    }
    guard state == 2 || state == 4 || state == 7 else { return nil }
    // Integers of up to 15 digits are exact in a Double: convert directly (the same value strtod gives).
    if state == 2 && integerDigits <= 15 { return negative ? -Double(integer) : Double(integer) }
    return convert(bytes)
  }

  /// Reads `true`/`false` (any ASCII case) or `1`/`0`.
  @inlinable
  public static func parseBool<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool? {
    switch bytes.count {
    case 1:
      let byte = bytes[bytes.startIndex]
      return byte == 0x31 ? true : byte == 0x30 ? false : nil
    case 4: return matchesLowercased(bytes, "true") ? true : nil
    case 5: return matchesLowercased(bytes, "false") ? false : nil
    default: return nil
    }
  }

  @inlinable
  static func matchesLowercased<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ word: StaticString) -> Bool {
    guard bytes.count == word.utf8CodeUnitCount else { return false }
    var index = 0
    for byte in bytes {
      let lower = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
      if lower != word.utf8Start[index] { return false }
      index += 1
    }
    return true
  }
}

extension AttributeValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByBooleanLiteral
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
}
