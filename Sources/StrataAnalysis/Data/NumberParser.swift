#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Parses decimal numbers straight from bytes, without building a `String`; the result is `strtod`'s, bit for bit.
///
/// One pass reads the significand's digits (up to 19 significant ones fit a `UInt64`) and the decimal exponent q.
/// Then, for the value w × 10^q:
/// - at most 15 significant digits and |q| ≤ 22: `Double(w) × 10^q` or `Double(w) / 10^-q` is one correctly
///   rounded operation on exact doubles (Clinger 1990). The Eisel–Lemire product below, used here instead of the
///   division, made `analyze` slower (1.05–1.13× its CPU, 2026-12-05): the rows around a division hide its
///   latency, and the product's 30-odd extra instructions per number cost more.
/// - otherwise, with at most 19 significant digits and -342 ≤ q ≤ 308: the Eisel–Lemire method (Lemire 2021,
///   "Number Parsing at a Gigabyte per Second"), w times a 128-bit power of five, instead of `strtod`. It knows the
///   exact product only to within three units of its lowest bit, so when a rounding boundary lies that close (about
///   one value in 2^64, and every result near the subnormal range) it declines and `strtod` answers.
/// - anything else (more digits, `inf`, hex, huge exponents) goes to `strtod` on a small stack copy, and a literal
///   of 512 bytes or more that Clinger's cases do not cover is not a number (as before).
///
/// Three entries: `parse(_:)` for a field, `scanDecimal` for a plain decimal read as the one-pass row sees its bytes,
/// and `scanGeneral` for any form `parse(_:)` takes without spaces (exponents, a leading `+`), read from a field's
/// start; each gives `parse(_:)`'s value bit for bit.
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
  ///
  /// Inlined with only the commonest field of all, a 0/1 metric's `0` or `1` (any one digit): its value at once,
  /// without a call (in `analyze`'s per-row code, the call and the registers saved and reloaded around it were more
  /// than the digit's own work). Every other field is `parseField`'s, out of line.
  @inline(__always)
  public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    if bytes.count == 1, case let digit = bytes[0] &- UInt8(ascii: "0"), digit < 10 { return Double(digit) }
    return parseField(bytes)
  }

  /// The plain decimal at `bytes[start...]`, read while its bytes are seen: its value and the offset just past it.
  ///
  /// A plain decimal is an optional `-`, digits, at most one `.` and digits; for anything else there the result is
  /// nil (then `parse(_:)` decides, once the field's end is known). The caller checks that the byte after it ends the
  /// field.
  ///
  /// Bit for bit `parse(_:)`'s value for the field that ends there: the same digits, and for 1 to 15 of them (leading
  /// zeros counted) the same `Double(w) / 10^k` (Clinger's exact case), inline. More (full-precision floats as pandas
  /// and R write them, `55.407000000000004`) go to `scanLong`, out of line, which follows `parseLong`'s rule: nil
  /// where that would need `strtod`. Digits stop at `limit`; no byte past `limit + 2` is read.
  @inline(__always)
  static func scanDecimal(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ limit: Int) -> (value: Double, end: Int)? {
    var position = start
    let negative = bytes[position] == UInt8(ascii: "-")
    if negative { position &+= 1 }
    let digitsStart = position
    var significand: UInt64 = 0
    while position < limit, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
      significand = significand &* 10 &+ UInt64(digit)
      position &+= 1
    }
    var digits = position &- digitsStart
    var scale = 0
    if bytes[position] == UInt8(ascii: ".") {
      position &+= 1
      let fractionStart = position
      while position < limit, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
        significand = significand &* 10 &+ UInt64(digit)
        position &+= 1
      }
      scale = fractionStart &- position
      digits &-= scale
    }
    guard digits > 0 && digits <= 15 else {
      guard digits > 15, let value = scanLong(bytes, digitsStart, position, digits, significand, scale) else {
        return nil
      }
      return (negative ? -value : value, position)
    }
    // Below 10^15, so converted as a signed integer: one instruction, where an unsigned one takes six.
    let whole = Double(Int64(bitPattern: significand))
    let value = scale == 0 ? whole : whole / powersOfTen[-scale]
    return (negative ? -value : value, position)
  }

  /// `parseLong`'s value, unsigned, for a plain decimal (no exponent, so q = `scale` ≤ 0) of `digits` > 15 digits
  /// whose significand's bytes (the '.' among them) are `bytes[start..<end]`, or nil where `parseLong` would ask
  /// `strtod`: more than 19 significant digits, or Eisel–Lemire declining.
  ///
  /// The same steps in the same order: Clinger's case once leading zeros are not counted (`significantDigits`' count:
  /// the digits less the zeros before the first other digit), zero, Eisel–Lemire (whose result is finite here: at
  /// most 19 digits and q ≤ 0). Out of line: the usual row's numbers have at most 15 digits, and inlined into
  /// `UnitLevelRows.consumeFast` this cost the benchmark's rows 31 instructions each (as a call, under 1).
  ///
  /// `parseLong`'s one other rule, that a literal of 512 bytes or more is a number only in Clinger's case, needs no
  /// test here: a one-pass row is shorter (`UnitLevelRows.fastRowBytes`, 256); were that raised past 512, it would.
  @inline(never)
  static func scanLong(
    _ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ digits: Int, _ significand: UInt64, _ scale: Int
  ) -> Double? {
    var position = start
    var leadingZeros = 0
    while position < end, case let byte = bytes[position], byte == UInt8(ascii: "0") || byte == UInt8(ascii: ".") {
      if byte == UInt8(ascii: "0") { leadingZeros &+= 1 }
      position &+= 1
    }
    let count = digits &- leadingZeros
    if count <= 15 && scale >= -22 { return Double(significand) / powersOfTen[-scale] }
    guard count <= 19 else { return nil }
    if significand == 0 { return 0 }
    return eiselLemire(significand, scale)
  }

  /// The number at `bytes[start...]` in any form `parse(_:)` takes without spaces around it: its value and the offset
  /// just past it.
  ///
  /// The form is `[-+]?digits[.digits][(e|E)[-+]?digits]` (either run of digits may be empty, not both); the value is
  /// `parse(_:)`'s for the field that ends there, and nil where `parse(_:)` would give nil (`1e`, `1e+`, a value beyond
  /// the doubles, `1e400`) or the literal runs into `limit`. The caller checks that the byte after it ends the field.
  ///
  /// For exponent notation (`1e-05` as R and pandas write small numbers, `2.5E+03`) and a leading `+`, which
  /// `scanDecimal` leaves, in a reading of the row outside `UnitLevelRows.consumeFast`'s inlined steps: a test for them
  /// inside those steps cost the usual row 14 to 16 instructions (docs/performance.md, "Number forms real files
  /// write").
  ///
  /// `parseField`'s steps on the same bytes, so the same value bit for bit: the same loops for the significand, its
  /// digit count (leading zeros counted) and the decimal exponent q (the exponent's digits clamped at 100,000), then
  /// Clinger's exact case for at most 15 digits and |q| ≤ 22, else `parseLong` on the literal's bytes (Clinger once
  /// leading zeros are not counted, Eisel–Lemire, and `strtod` where that cannot decide, such as subnormal results:
  /// exact, and the usual path's own call). No byte at or past `limit` is read.
  @inline(never)
  static func scanGeneral(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ limit: Int) -> (value: Double, end: Int)? {
    var position = start
    let negative = bytes[position] == UInt8(ascii: "-")
    if negative || bytes[position] == UInt8(ascii: "+") { position &+= 1 }
    let digitsStart = position
    var significand: UInt64 = 0
    while position < limit, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
      significand = significand &* 10 &+ UInt64(digit)
      position &+= 1
    }
    var digits = position &- digitsStart
    var scale = 0
    if position < limit && bytes[position] == UInt8(ascii: ".") {
      position &+= 1
      let fractionStart = position
      while position < limit, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
        significand = significand &* 10 &+ UInt64(digit)
        position &+= 1
      }
      scale = fractionStart &- position
      digits &-= scale
    }
    guard digits > 0 && position < limit else { return nil }
    let digitsEnd = position
    if bytes[position] | 0x20 == UInt8(ascii: "e") {
      position &+= 1
      var exponentNegative = false
      if position < limit && (bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+")) {
        exponentNegative = bytes[position] == UInt8(ascii: "-")
        position &+= 1
      }
      var exponent = 0
      var sawExponentDigit = false
      while position < limit, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
        exponent = min(exponent &* 10 &+ Int(digit), 100_000)
        sawExponentDigit = true
        position &+= 1
      }
      guard sawExponentDigit && position < limit else { return nil }
      scale &+= exponentNegative ? -exponent : exponent
    }
    guard digits <= 15 && scale >= -22 && scale <= 22 else {
      let literal = UnsafeBufferPointer(start: bytes + start, count: position &- start)
      let digitRange = (digitsStart &- start)..<(digitsEnd &- start)
      guard
        let value = parseLong(literal, 0, literal.count, digits: digitRange, significand, scale, negative)
      else { return nil }
      return (value, position)
    }
    let value = scale >= 0 ? Double(significand) * powersOfTen[scale] : Double(significand) / powersOfTen[-scale]
    return (negative ? -value : value, position)
  }

  /// `parse(_:)` for any field: spaces around it, a sign, a fraction and an exponent (a one-digit field too).
  @inline(never)
  static func parseField(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    var start = 0, end = bytes.count
    while start < end && bytes[start] == UInt8(ascii: " ") { start += 1 }
    while end > start && bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
    guard start < end else { return nil }
    var position = start
    let negative = bytes[position] == UInt8(ascii: "-")
    if negative || bytes[position] == UInt8(ascii: "+") { position += 1 }
    let digitsStart = position
    var significand: UInt64 = 0
    while position < end, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
      significand = significand &* 10 &+ UInt64(digit)
      position += 1
    }
    // Digits read, leading zeros included; only a literal of more than 15 has its significant ones counted.
    var digits = position - digitsStart
    var scale = 0
    if position < end && bytes[position] == UInt8(ascii: ".") {
      position += 1
      let fractionStart = position
      while position < end, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
        significand = significand &* 10 &+ UInt64(digit)
        position += 1
      }
      scale = fractionStart - position
      digits -= scale
    }
    guard digits > 0 else { return slowParse(bytes, start, end) }
    let digitsEnd = position
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
    guard digits <= 15 && scale >= -22 && scale <= 22 else {
      return parseLong(bytes, start, end, digits: digitsStart..<digitsEnd, significand, scale, negative)
    }
    let value = scale >= 0 ? Double(significand) * powersOfTen[scale] : Double(significand) / powersOfTen[-scale]
    return negative ? -value : value
  }

  /// The rest of ``parse(_:)`` for a literal of more than 15 digits (leading zeros included) or an exponent beyond
  /// ±22: Clinger's cases once leading zeros are not counted, then Eisel–Lemire, then `strtod`.
  ///
  /// Not inlined: rare in most files, and a call inside ``parse(_:)`` made its common path keep values on the stack.
  @inline(never)
  private static func parseLong(
    _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, digits: Range<Int>, _ significand: UInt64,
    _ scale: Int, _ negative: Bool
  ) -> Double? {
    let count = significantDigits(bytes, digits.lowerBound, digits.upperBound)
    if count <= 15 && scale >= -22 && scale <= 22 {
      let value = scale >= 0 ? Double(significand) * powersOfTen[scale] : Double(significand) / powersOfTen[-scale]
      return negative ? -value : value
    }
    guard count <= 19 && end - start < 512 else { return slowParse(bytes, start, end) }
    if significand == 0 { return negative ? -0.0 : 0.0 }
    guard let value = eiselLemire(significand, scale) else { return slowParse(bytes, start, end) }
    guard value.isFinite else { return nil }
    return negative ? -value : value
  }

  /// w × 10^q correctly rounded (infinity above the largest double), or nil when the 128-bit product cannot
  /// decide the rounding, the result would be subnormal or q is outside the table; w must not be 0.
  ///
  /// With w shifted left by its l leading zeros and T the table's 5^q × 2^s (in [2^127, 2^128)), z = ⌊w·T / 2^64⌋
  /// (128 bits, from two 64×64-bit products) is the exact z* = w·5^q·2^(l+s-64) to within (z* - 2, z* + 1): T is
  /// exact for 0 ≤ q ≤ 55, truncated above (z* in [z, z + 2)) and rounded up below 0 (z* in (z - 1, z + 1)). The
  /// double's 53 bits and the rounding bit are z's top 54 (from bit 127 or 126); the bits below decide the rounding.
  /// Only a rounding boundary (rounding bit 1, every bit below 0) within that distance of z leaves the result open:
  /// z's low 9 bits all 1 with its low word ≥ 2^64 - 3, or all 0 with the low word ≤ 2 and the rounding bit 1.
  /// Otherwise a set rounding bit means "above the halfway point" (an exact tie is one of the open cases), and an
  /// exact double's z is exact: z* is then an integer, and z is the only integer in either interval around it.
  @inline(__always)
  static func eiselLemire(_ significand: UInt64, _ exponent: Int) -> Double? {
    guard exponent >= smallestPowerOfFive && exponent <= largestPowerOfFive else { return nil }
    let leadingZeros = significand.leadingZeroBitCount
    let normalized = significand &<< UInt64(leadingZeros)
    let index = (exponent - smallestPowerOfFive) * 2
    let upper = normalized.multipliedFullWidth(by: powersOfFive[index])
    let lower = normalized.multipliedFullWidth(by: powersOfFive[index + 1]).high
    let (low, carry) = upper.low.addingReportingOverflow(lower)
    let high = upper.high &+ (carry ? 1 : 0)
    let topBit = Int(high >> 63)
    let mantissaAndRoundingBit = high &>> UInt64(9 + topBit)
    let lowBits = high & 0x1FF
    if lowBits == 0x1FF && low >= UInt64.max - 2 { return nil }
    if lowBits == 0 && low <= 2 && mantissaAndRoundingBit & 1 == 1 { return nil }
    // floor(q · log2 10) is (q · 217706) >> 16 for every q of the table (checked by Scripts/powers-of-five.py).
    let biasedExponent = ((exponent &* 217_706) >> 16) + 63 + topBit - leadingZeros + 1023
    guard biasedExponent > 1 else { return nil }
    // Rounding bit 1 here means above halfway: round up. A carry to 2^53 moves into the exponent field by itself.
    let mantissa = (mantissaAndRoundingBit + 1) >> 1
    let bits = UInt64(biasedExponent - 1) << 52 &+ mantissa
    return bits >= 0x7FF0_0000_0000_0000 ? .infinity : Double(bitPattern: bits)
  }

  /// How many digits a literal's significand has from its first nonzero digit on (the '.' not counted).
  @inline(__always)
  private static func significantDigits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
    var position = start
    while position < end && (bytes[position] == UInt8(ascii: "0") || bytes[position] == UInt8(ascii: ".")) {
      position += 1
    }
    var count = 0
    while position < end {
      if bytes[position] != UInt8(ascii: ".") { count += 1 }
      position += 1
    }
    return count
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
