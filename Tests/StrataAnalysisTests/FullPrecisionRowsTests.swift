import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// Numbers of 16 to 19 significant digits on the one-pass row (`NumberParser.scanDecimal` → `scanLong`): full-precision
/// floats as pandas' `to_csv` and R write them (`55.407000000000004`) are `parse(_:)`'s and `strtod`'s values bit for
/// bit, and what Eisel–Lemire cannot decide (ties, more than 19 digits) is left to the usual path.
@Suite("Full-precision numbers on the one-pass row")
struct FullPrecisionRowsTests {
  /// The literal's digits without sign and point, and its decimal exponent (minus the digits after the point).
  static func significand(_ text: [UInt8]) -> (digits: [UInt8], exponent: Int) {
    var digits: [UInt8] = []
    var exponent = 0
    var afterPoint = false
    for byte in text {
      if byte == UInt8(ascii: ".") {
        afterPoint = true
      } else if byte != UInt8(ascii: "-") {
        digits.append(byte)
        if afterPoint { exponent -= 1 }
      }
    }
    return (digits, exponent)
  }

  /// Why `scanDecimal` may leave a literal of plain-decimal form to the usual path, worked out from its digits alone:
  /// more than 19 significant digits, or Eisel–Lemire declining (a tie or a rounding boundary too close to tell).
  static func mayDecline(_ text: [UInt8]) -> Bool {
    let (digits, exponent) = significand(text)
    let significant = digits.drop { $0 == UInt8(ascii: "0") }
    guard !significant.isEmpty else { return false }
    if significant.count > 19 { return true }
    if significant.count <= 15 && exponent >= -22 { return false }
    guard let value = UInt64(String(decoding: significant, as: UTF8.self)) else { return false }
    return NumberParser.eiselLemire(value, exponent) == nil
  }

  /// Seeded plain decimals of every kind the one-pass row meets or must refuse, as bytes.
  struct Literals {
    var random: SplitMix64

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    mutating func digits(_ count: Int) -> [UInt8] {
      (0..<count).map { _ in UInt8(ascii: "0") + UInt8(int(0...9)) }
    }

    /// `digits` with a point after `point` of them.
    static func pointed(_ digits: [UInt8], at point: Int) -> [UInt8] {
      Array(digits[..<point]) + [UInt8(ascii: ".")] + Array(digits[point...])
    }

    /// One's digits moved by ±1 in the last place (a decimal string of digits, no point).
    static func step(_ digits: String, up: Bool) -> String? {
      guard let value = UInt64(digits), up || value > 0 else { return nil }
      let next = String(up ? value + 1 : value - 1)
      return String(repeating: "0", count: max(0, digits.count - next.count)) + next
    }

    mutating func next(_ shape: Int) -> [UInt8] {
      var text: [UInt8] = int(0...3) == 0 ? [UInt8(ascii: "-")] : []
      switch shape {
      case 0:  // 1 to 19 digits, the point anywhere or nowhere
        let count = int(1...19)
        let body = digits(count)
        text += int(0...2) == 0 ? body : Self.pointed(body, at: int(0...count))
      case 1:  // 16 to 19 significant digits, no leading zero, the point anywhere
        let count = int(16...19)
        var body = digits(count)
        body[0] = UInt8(ascii: "1") + UInt8(int(0...8))
        text += Self.pointed(body, at: int(1...count))
      case 2:  // leading zeros: 0.000…ddd, and 000ddd.dd
        let zeros = [UInt8](repeating: UInt8(ascii: "0"), count: int(0...25))
        let body = digits(int(1...19))
        if int(0...3) == 0 {
          text += zeros + Self.pointed(body, at: int(0...body.count))
        } else {
          text += [UInt8(ascii: "0"), UInt8(ascii: ".")] + zeros + body
        }
      case 3:  // what pandas and R write: the shortest and the 17-digit text of a double, in plain notation
        var written: String
        repeat {
          let magnitude = Double(sign: .plus, exponent: int(-13...56), significand: 1)
          let value = Double.random(in: 0..<magnitude, using: &random)
          written = int(0...2) == 0 ? "\(value * 1.1)" : String(format: int(0...1) == 0 ? "%.17g" : "%.16g", value)
        } while written.contains("e")  // exponent notation is not a plain decimal
        text += Array(written.utf8)
      case 4:  // exactly halfway between two doubles, 17 to 19 digits, or one in the last place off it
        let odd = (UInt64(1) << 53) | (random.next() >> 11) | 1
        let power = int(-3...9)
        let exact = NumberParserTests.Decimals.exactDecimal(odd, power: power)
        let point = exact.firstIndex(of: ".").map { exact.distance(from: exact.startIndex, to: $0) }
        var body = exact.filter { $0 != "." }
        if body.count <= 19, int(0...2) > 0, let moved = Self.step(body, up: int(0...1) == 0) { body = moved }
        let bytes = Array(body.utf8)
        text += point.map { Self.pointed(bytes, at: $0) } ?? bytes
      case 5:  // more than 19 digits: significant ones, or trailing and leading zeros that make them so
        let count = int(20...24)
        var body = digits(count)
        if int(0...1) == 0 {
          for index in int(1...17)..<count { body[index] = UInt8(ascii: "0") }
        }
        text += Self.pointed(body, at: int(0...count))
      default:  // zeros of many lengths, a bare point at an end
        let count = int(1...30)
        let zeros = [UInt8](repeating: UInt8(ascii: "0"), count: count)
        text += int(0...1) == 0 ? zeros : Self.pointed(zeros, at: int(0...count))
      }
      return text
    }
  }

  @Test(
    "scanDecimal is parse's and strtod's value bit for bit on 1.4 M seeded decimals of 1-24 digits, and leaves only what Eisel-Lemire cannot decide"
  )
  func agreesOnSeededDecimals() {
    var literals = Literals(random: SplitMix64(seed: 1_717))
    var problems: [String] = []
    var taken = 0
    var long = 0
    var declined = 0
    let shapes = 7
    for index in 0..<(shapes * 200_000) {
      let text = literals.next(index % shapes)
      let shown = String(decoding: text, as: UTF8.self)
      let scanned = FastRowsTests.scanned(text)
      let parsed = FastRowsTests.parsed(text)
      let reference = Double(shown)
      if parsed?.bitPattern != reference?.bitPattern { problems.append("parse: \(shown)") }
      if let scanned {
        taken += 1
        if Self.significand(text).digits.count > 15 { long += 1 }
        if scanned.bitPattern != parsed?.bitPattern || scanned.bitPattern != reference?.bitPattern {
          problems.append("\(shown): \(scanned) != \(String(describing: reference))")
        }
      } else if Self.mayDecline(text) {
        declined += 1
      } else if text.contains(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
        problems.append("not taken: \(shown)")
      }
    }
    #expect(problems.isEmpty, "\(problems.count): \(problems.prefix(10))")
    // Most are taken, over half a million of them long; ties and literals of more than 19 digits are not.
    #expect(taken > shapes * 200_000 * 8 / 10 && long > 500_000, "\(taken) taken, \(long) long")
    #expect(declined > 200_000 && declined < 400_000, "\(declined)")
  }

  @Test("ties and their neighbours, zeros, signs, points and more than 19 digits, one by one")
  func fixedLiterals() {
    // Taken: the value parse gives.
    for text in [
      "55.407000000000004", "-55.407000000000004", "0.30000000000000004", "1234567890123456", "12345678901234568.",
      "-.12345678901234567", "0.000000000000000012345678901234567", "0000000000000000001", "1.0000000000000000",
      "-0.0000000000000000", "-0000000000000000000000", "9007199254740992", "9007199254740994", "9999999999999999999",
      "18014398509481985", "18014398509481987", "4503599627370496.25", "0.000000000000000000000001",
      "-0.0000000000000000000000000000000000000000001", "123456789.12345678",
    ] {
      let bytes = Array(text.utf8)
      #expect(FastRowsTests.scanned(bytes)?.bitPattern == Double(text)?.bitPattern, "\(text)")
      #expect(FastRowsTests.scanned(bytes, terminator: UInt8(ascii: "\n"))?.bitPattern == Double(text)?.bitPattern)
    }
    // Not taken (parse decides with strtod): exact ties, and more than 19 significant digits.
    for text in [
      "9007199254740993", "-9007199254740995", "18014398509481986", "4503599627370496.5", "2251799813685248.25",
      "12345678901234567890", "1.0000000000000000000", "0.12345678901234567891", "18446744073709551616",
    ] {
      #expect(FastRowsTests.scanned(Array(text.utf8)) == nil, "\(text)")
      #expect(FastRowsTests.parsed(Array(text.utf8))?.bitPattern == Double(text)?.bitPattern, "\(text)")
    }
  }

  @Test("a long number cut by the limit: digits stop there, and what is taken is the value of the bytes read")
  func stopsAtTheLimit() {
    for text in ["55.407000000000004", "-123456789012345678", "0.0000000000000000012345", "1234567890123456789.5"] {
      let bytes = Array(text.utf8) + [UInt8(ascii: ",")] + [UInt8](repeating: UInt8(ascii: "7"), count: 8)
      bytes.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        for limit in 1...(text.utf8.count + 1) {
          guard let (value, end) = NumberParser.scanDecimal(base, 0, limit) else { continue }
          #expect(end <= limit + 1, "\(text) at \(limit)")
          let prefix = Array(buffer[..<end])
          #expect(value.bitPattern == FastRowsTests.parsed(prefix)?.bitPattern, "\(text) at \(limit)")
        }
      }
    }
  }

  /// Three continuous metrics after the 0/1 one: a row of three full-precision numbers.
  static let plan = AnalysisPlan(
    id: "digits", variants: ["control", "v1", "variant8"], segments: ["s1", "s2", "north"],
    metrics: [
      AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero),
      AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .secondary, missing: .exclude),
      AnalysisPlan.Metric(name: "minutes", kind: .continuous, role: .secondary, missing: .exclude),
      AnalysisPlan.Metric(name: "spend", kind: .continuous, role: .secondary, missing: .exclude),
    ])

  static let header = ["unit_id", "variant", "segment", "converted", "revenue", "minutes", "spend"]

  @Test("the one-pass row takes rows of three 17- to 19-digit numbers, long ids among them, and leaves ties alone")
  func takesFullPrecisionRows() throws {
    let long = "-1234567890.123456789"
    for row in [
      "u1,control,s1,0,55.407000000000004,0.30000000000000004,-1.2345678901234567\n",
      "\(String(repeating: "u", count: 100)),variant8,north,1,\(long),\(long),\(long)\n",
      "u1,v1,s2,1,,0.000000000000000012345678901234567,\n",
    ] {
      let result = try FastRowsTests.fast(row, header: Self.header, plan: Self.plan)
      #expect(result.taken && result.used == 1, "\(row)")
    }
    for row in [
      "u1,control,s1,0,9007199254740993,1,2\n", "u1,control,s1,0,1,12345678901234567890,2\n",
      "u1,control,s1,0,1,2,55.407000000000004e0\n", "u1,control,s1,0,1,2,55.40700000000000 \n",
      "u1,control,s1,12345678901234567,1,2,3\n",
    ] {
      let result = try FastRowsTests.fast(row, header: Self.header, plan: Self.plan)
      #expect(!result.taken && result.used == 0, "\(row)")
    }
  }

  /// Rows of `plan`'s columns whose numbers are `Literals`' (full precision, ties, leading zeros, more than 19 digits)
  /// and now and then a row the one-pass row leaves alone for another reason.
  static func text(rows: Int, seed: UInt64) -> String {
    var random = SplitMix64(seed: seed)
    var literals = Literals(random: SplitMix64(seed: seed &+ 1))
    var text = header.joined(separator: ",") + "\n"
    for index in 0..<rows {
      let variant = ["control", "v1", "variant8"][Int.random(in: 0..<3, using: &random)]
      let segment = ["s1", "s2", "north"][Int.random(in: 0..<3, using: &random)]
      let converted = Bool.random(using: &random) ? "1" : "0"
      let numbers = (0..<3).map { _ in
        Int.random(in: 0..<20, using: &random) == 0
          ? "" : String(decoding: literals.next(Int.random(in: 0..<7, using: &random)), as: UTF8.self)
      }
      let lineEnd = Int.random(in: 0..<100, using: &random) == 0 ? "\r\n" : "\n"
      text += "u\(index),\(variant),\(segment),\(converted),\(numbers.joined(separator: ","))\(lineEnd)"
    }
    return text
  }

  @Test(
    "a file of full-precision numbers read on the one-pass path gives the row-by-row read's summary bit for bit, 1 and 2 threads",
    arguments: [1, 2])
  func fileMatchesRowByRow(threads: Int) throws {
    let text = Self.text(rows: 20_000, seed: 29)
    let path = try CellSourcesTests.write(text, name: "digits.csv")
    for chunkSize in [4096, 1 << 23] {
      for checkDuplicates in [true, false] {
        var options = PipeChunksTests.options(chunkSize: chunkSize, threads: threads, spooled: false)
        options.checkDuplicates = checkDuplicates
        let file = try DataReader.read(paths: [path], plan: Self.plan, options: options)
        let rows = try PipeChunksTests.readPiped(text, plan: Self.plan, options: options)
        PipeChunksTests.expectSame(rows, file, "chunk size \(chunkSize), \(threads) threads, check \(checkDuplicates)")
        #expect(file.rowsUsed == 20_000)
      }
    }
    // Most rows on the one-pass path: the scanner's own loop, counting the rows `consumeFast` takes.
    let headerLength = text.utf8.prefix { $0 != UInt8(ascii: "\n") }.count
    var reader = try UnitLevelRows(
      header: Self.header, plan: Self.plan, path: path, options: DataReadOptions(checkDuplicates: false))
    #expect(reader.takesFastRows)
    var scanner = try CSVScanner(path: path, range: (headerLength + 1)..<text.utf8.count)
    defer { scanner.close() }
    var taken = 0
    try scanner.forEachRecord(
      fast: { bytes, start, end in
        let next = reader.consumeFast(bytes, start, end)
        if next >= 0 { taken += 1 }
        return next
      },
      { record in
        if !record.isBlank { try reader.consume(record) }
        return true
      })
    try reader.flush()
    #expect(reader.rowsUsed == 20_000 && taken > 8_000 && taken < 19_000, "\(taken) taken")
  }
}
