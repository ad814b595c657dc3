import StrataReport
import StrataTestSupport
import Testing

@Suite("JSON output")
struct JSONValueTests {
  @Test("tiny p-values keep full precision, non-finite numbers become null, keys keep their order")
  func formatting() {
    let value = JSONValue.object([
      ("p_value", .number(8.089055620722685e-207)), ("df", .number(2)), ("ratio", .finite(.infinity)),
      ("name", .string("a\"b\n")),
    ])
    #expect(
      value.serialized(pretty: false) == #"{"p_value":8.089055620722685e-207,"df":2,"ratio":null,"name":"a\"b\n"}"#)
  }

  /// Numbers are written as digits straight into the bytes; they must read exactly as the `String` forms they
  /// replace: `String(Int64(x))` for a whole number below 10¹⁵, `x.description` otherwise, `String(i)` for an
  /// integer.
  @Test("numbers print as their String forms did")
  func numbersAsTheirStringForms() {
    var random = SplitMix64(seed: 2026)
    var doubles: [Double] = [
      0, -0.0, 1, -1, 0.1, 1e15, -1e15, 999_999_999_999_999, 1e15 - 0.5, 1e16, 1e-5, 123_456.75, .leastNonzeroMagnitude,
      .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .ulpOfOne, 8.089055620722685e-207,
    ]
    for _ in 0..<20_000 {
      let bits = Double(bitPattern: random.next())
      let scaled =
        Double(Int64(bitPattern: random.next()) >> Int(random.next() % 64)) / Double(1 << (random.next() % 40))
      doubles += [bits, scaled, scaled.rounded()]
    }
    for x in doubles where x.isFinite {
      let expected = x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : x.description
      #expect(JSONValue.number(x).serialized() == expected, "\(x)")
    }
    #expect(JSONValue.number(.nan).serialized() == "null" && JSONValue.number(-.infinity).serialized() == "null")
    var integers: [Int] = [0, 1, -1, 9, 10, -10, .max, .min, .max - 1, .min + 1]
    for _ in 0..<5_000 { integers.append(Int(truncatingIfNeeded: random.next()) >> Int(random.next() % 64)) }
    for i in integers { #expect(JSONValue.integer(i).serialized() == String(i), "\(i)") }
  }
}
