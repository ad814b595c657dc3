#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Parses decimal numbers straight from bytes, without building a `String`.
///
/// The fast path covers plain decimals (`-12.5`, `0.25`, `3e2`) whose significand has at most 15 digits
/// and whose decimal exponent is at most 22 in size: then `significand × 10^k` (or `/ 10^k`) is one
/// correctly rounded operation on exact doubles (Clinger 1990), so the result equals `strtod`'s. Anything
/// else (more digits, `inf`, hex, huge exponents) goes to `strtod` on a small stack copy.
public enum NumberParser {
  /// 10⁰ … 10²², every one exact in a double.
  ///
  /// Written as literals so the compiler lays the array out statically: computed, it was initialised lazily, with a
  /// `swift_once` check on every parse.
  private static let powersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22,
  ]

  /// The number in `bytes` (surrounding spaces allowed), or nil when it is not a finite number.
  @inline(__always)
  public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    var start = 0, end = bytes.count
    while start < end && bytes[start] == UInt8(ascii: " ") { start += 1 }
    while end > start && bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
    guard start < end else { return nil }
    var position = start
    var negative = false
    if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
      negative = bytes[position] == UInt8(ascii: "-")
      position += 1
    }
    var significand: UInt64 = 0
    var digits = 0
    var scale = 0
    var sawDigit = false
    while position < end, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
      if significand != 0 || digit != 0 { digits += 1 }
      significand = significand &* 10 &+ UInt64(digit)
      sawDigit = true
      position += 1
    }
    if position < end && bytes[position] == UInt8(ascii: ".") {
      position += 1
      while position < end, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
        if significand != 0 || digit != 0 { digits += 1 }
        significand = significand &* 10 &+ UInt64(digit)
        scale -= 1
        sawDigit = true
        position += 1
      }
    }
    guard sawDigit else { return slowParse(bytes, start, end) }
    if position < end && (bytes[position] | 0x20) == UInt8(ascii: "e") {
      position += 1
      var exponentNegative = false
      if position < end && (bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+")) {
        exponentNegative = bytes[position] == UInt8(ascii: "-")
        position += 1
      }
      var exponent = 0
      var sawExponentDigit = false
      while position < end, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
        exponent = min(exponent * 10 + Int(digit), 100_000)
        sawExponentDigit = true
        position += 1
      }
      guard sawExponentDigit else { return nil }
      scale += exponentNegative ? -exponent : exponent
    }
    guard position == end else { return slowParse(bytes, start, end) }
    guard digits <= 15 && scale >= -22 && scale <= 22 else { return slowParse(bytes, start, end) }
    var value = Double(significand)
    value = scale < 0 ? value / powersOfTen[-scale] : value * powersOfTen[scale]
    return negative ? -value : value
  }

  /// `strtod` on a NUL-terminated copy; only finite values are numbers here.
  private static func slowParse(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
    let length = end - start
    guard length < 512 else { return nil }
    // Decimal notation only: no hex floats, no "inf"/"nan" words.
    for index in start..<end {
      let byte = bytes[index]
      guard
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
          || byte == UInt8(ascii: "-")
          || byte == UInt8(ascii: "+") || byte | 0x20 == UInt8(ascii: "e")
      else { return nil }
    }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { copy -> Double? in
      for index in 0..<length { copy[index] = CChar(bitPattern: bytes[start + index]) }
      copy[length] = 0
      var stop: UnsafeMutablePointer<CChar>? = nil
      guard let start = copy.baseAddress else { return nil }
      let value = strtod(start, &stop)
      guard let stop, stop == start + length, value.isFinite else { return nil }
      return value
    }
  }
}
