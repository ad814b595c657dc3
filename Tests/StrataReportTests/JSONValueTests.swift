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
      // Either side of 1, where the writer stops looking for whole numbers.
      1.0.nextDown, -1.0.nextDown, 1.0.nextUp, -1.0.nextUp, 0.5, -0.5, 1.5, -1.5,
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

  /// The bytes of edge values, spelt out: JSON output must not change when the writer does (these are the forms of
  /// `String(Int64(x))` and `Double.description` that `analyze --json` has always printed, `-0` as `0`, whole
  /// numbers from 10¹⁵ with `.0`).
  @Test("edge numbers print exactly as before")
  func edgeNumbers() {
    let cases: [(UInt64, String)] = [
      (0x8000_0000_0000_0000, "0"),  // -0
      (0, "0"),
      (1, "5e-324"),  // the smallest subnormal
      (0x8000_0000_0000_0001, "-5e-324"),
      (0x0010_0000_0000_0000, "2.2250738585072014e-308"),  // the smallest normal
      (0x000F_FFFF_FFFF_FFFF, "2.225073858507201e-308"),  // the largest subnormal
      (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
      (4_921_056_587_992_461_136, "1e+21"),
      (14_144_428_624_847_236_944, "-1e+21"),
      (4_502_148_214_488_346_440, "1e-07"),
      (4_532_020_583_610_935_537, "1e-05"),
      (4_547_007_122_018_943_789, "0.0001"),
      (4_831_355_200_913_801_216, "1000000000000000.0"),  // 1e15: no longer written as an integer
      (4_831_355_200_913_801_208, "999999999999999"),  // 1e15 - 1
      (14_054_727_237_768_577_016, "-999999999999999"),
      (4_845_873_199_050_653_696, "9007199254740992.0"),  // 2^53
      (4_845_873_199_050_653_697, "9.007199254740994e+15"),  // 2^53 + 2
      (4_846_369_599_423_283_200, "1e+16"),
      (4_846_369_599_423_283_201, "1.0000000000000002e+16"),
      (4_591_870_180_066_957_722, "0.1"),
      (4_599_676_419_421_066_581, "0.3333333333333333"),
      (4_817_745_636_528_479_846, "123456789012345.6"),
      (4_616_583_683_022_153_318, "4.35"),
      (4_636_737_291_354_636_288, "100"),
    ]
    for (bits, expected) in cases {
      let x = Double(bitPattern: bits)
      #expect(JSONValue.number(x).serialized() == expected, "\(x)")
      #expect(JSONValue.array([.number(x), .finite(x)]).serialized(pretty: false) == "[\(expected),\(expected)]")
    }
    for x in [Double.nan, -.nan, .infinity, -.infinity, .signalingNaN] {
      #expect(JSONValue.number(x).serialized() == "null" && JSONValue.finite(x).serialized() == "null")
    }
    #expect(JSONValue.integer(.min).serialized() == "-9223372036854775808")
    #expect(JSONValue.integer(.max).serialized() == "9223372036854775807")
  }

  @Test("strings are escaped as RFC 8259 asks, everything else copied as is")
  func escapes() {
    let text = "\u{0}\u{1}\u{1F} \t\r\n\"\\/é✓𝄞\u{7F}"
    #expect(JSONValue.string(text).serialized() == #""\u0000\u0001\u001f \t\r\n\"\\/é✓𝄞\#u{7F}""#)
    #expect(
      JSONValue.object([(text, .null)]).serialized(pretty: false)
        == #"{"\u0000\u0001\u001f \t\r\n\"\\/é✓𝄞\#u{7F}":null}"#)
  }

  /// A document far larger than the writer's first buffer (256 bytes, so it grows several times), with strings of
  /// every length up to 300 bytes, and nesting deeper than the 32 indent levels copied at once, against the same text
  /// built by concatenation; streamed in chunks of several sizes it is the same bytes.
  @Test("large and deep documents: the bytes agree with text built by hand, whole or in chunks")
  func largeDocuments() {
    var items: [JSONValue] = []
    var expected = "["
    for length in 0...300 {
      let text = String(String(repeating: "abcdefghij", count: 31).prefix(length))
      items.append(.string(text))
      expected += (length == 0 ? "\n  " : ",\n  ") + "\"" + text + "\""
    }
    expected += "\n]"
    let array = JSONValue.array(items)
    #expect(array.serialized() == expected)
    var deep = JSONValue.integer(7)
    var deepText = "7"
    for level in (0..<40).reversed() {
      deep = .array([deep])
      let inner = String(repeating: " ", count: 2 * (level + 1))
      let outer = String(repeating: " ", count: 2 * level)
      deepText = "[\n" + inner + deepText + "\n" + outer + "]"
    }
    #expect(deep.serialized() == deepText)
    for value in [array, deep] {
      for chunkSize in [1, 3, 100, 4096, 1 << 16] {
        var streamed: [UInt8] = []
        value.write(chunkSize: chunkSize) { streamed += $0 }
        #expect(String(decoding: streamed, as: UTF8.self) == value.serialized(), "chunk size \(chunkSize)")
      }
    }
  }
}
