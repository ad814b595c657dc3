import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// Numbers in exponent notation (`NumberParser.scanGeneral`, for a reading of the row that is not the usual path's):
/// `1e-05` as R and pandas write small numbers, `2.5E+03`, a leading `+`, are `parse(_:)`'s and `strtod`'s values bit
/// for bit, and what `parse(_:)` refuses (`1e`, `1e+`, `1e400`) `scanGeneral` refuses too; files of such numbers give
/// the same summary on every path.
@Suite("Numbers in exponent notation")
struct ExponentRowsTests {
  /// `scanGeneral` on `text` followed by `terminator`: its value when it reads exactly `text`, else nil.
  static func general(_ text: [UInt8], terminator: UInt8 = UInt8(ascii: ",")) -> Double? {
    let bytes = text + [terminator] + [UInt8](repeating: UInt8(ascii: "7"), count: 8)
    return bytes.withUnsafeBufferPointer { buffer -> Double? in
      guard let base = buffer.baseAddress, let (value, end) = NumberParser.scanGeneral(base, 0, buffer.count - 4)
      else { return nil }
      return end == text.count && buffer[end] == terminator ? value : nil
    }
  }

  /// Seeded numbers in every form with an exponent (and some without), as bytes.
  struct Literals {
    var random: SplitMix64

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    mutating func digits(_ count: Int) -> String {
      String((0..<count).map { _ in Character(String(int(0...9))) })
    }

    /// Any double's magnitude: a random significand at a random binary exponent, subnormals and the largest included.
    mutating func double() -> Double {
      switch int(0...9) {
      case 0: return Double(bitPattern: random.next() & 0x000F_FFFF_FFFF_FFFF)  // subnormal (or zero)
      case 1: return Double(bitPattern: 0x7FEF_FFFF_FFFF_FFFF - (random.next() & 0xFFFF))  // the largest
      default:
        return Double(sign: .plus, exponent: int(-1_074...1_023), significand: Double.random(in: 1..<2, using: &random))
      }
    }

    mutating func next(_ shape: Int) -> String {
      switch shape {
      case 0:  // as printf writes them: %e (pandas' float_format, numpy.savetxt), %.17e, %g, %.15g (R), uppercase
        let format = ["%e", "%.6e", "%.17e", "%.16e", "%g", "%.15g", "%.17g", "%E", "%.3E", "%.0e"][int(0...9)]
        return String(format: format, double() * (int(0...3) == 0 ? -1 : 1))
      case 1:  // Swift's shortest text of a double (as pandas writes floats: 1e-05, 1.2345e+20, 5e-324)
        let value = double()
        return int(0...3) == 0 ? "-\(value)" : "\(value)"
      case 2:  // any sign, 1 to 19 digits with the point anywhere, e or E, any exponent sign, leading zeros
        let sign = ["", "-", "+"][int(0...2)]
        let count = int(1...19)
        var mantissa = digits(count)
        if int(0...2) > 0 {
          let point = mantissa.index(mantissa.startIndex, offsetBy: int(0...count))
          mantissa.insert(".", at: point)
        }
        let exponent = [int(-25...25), int(-330...310), int(-400...400)][int(0...2)]
        let zeros = String(repeating: "0", count: int(0...2) == 0 ? int(1...3) : 0)
        let exponentSign = exponent < 0 ? "-" : ["", "+"][int(0...1)]
        return sign + mantissa + ["e", "E"][int(0...1)] + exponentSign + zeros + String(abs(exponent))
      case 3:  // near the ends of the doubles: overflow to infinity, the smallest normal, subnormals, underflow to zero
        let mantissa = "\(int(1...9))" + (int(0...1) == 0 ? "" : "." + digits(int(1...18)))
        let exponent = [int(305...310), int(-310 ... -305), int(-330 ... -320), int(-345 ... -340)][int(0...3)]
        return mantissa + "e" + String(exponent)
      case 4:  // more than 19 digits (strtod decides), or zeros
        let mantissa = int(0...1) == 0 ? digits(int(20...26)) : String(repeating: "0", count: int(1...25))
        return (int(0...1) == 0 ? "-" : "") + mantissa + "e" + String(int(-30...30))
      default:  // no exponent: a leading + (scanGeneral reads it too), plain decimals
        let count = int(1...17)
        return (int(0...1) == 0 ? "+" : "-") + digits(count) + (int(0...1) == 0 ? "" : "." + digits(int(1...5)))
      }
    }
  }

  @Test(
    "scanGeneral is parse's and strtod's value bit for bit on 600,000 seeded numbers with exponents, and takes exactly what parse takes"
  )
  func agreesOnSeededNumbers() {
    var literals = Literals(random: SplitMix64(seed: 2_026))
    var problems: [String] = []
    var taken = 0
    var refused = 0
    var subnormal = 0
    let shapes = 6
    for index in 0..<(shapes * 100_000) {
      let text = literals.next(index % shapes)
      let bytes = Array(text.utf8)
      let parsed = FastRowsTests.parsed(bytes)
      let scanned = Self.general(bytes)
      let reference = Double(text)
      // parse is strtod's value where that is finite, and refuses the rest (1e400 is not a number to it).
      if let parsed {
        if parsed.bitPattern != reference?.bitPattern { problems.append("parse: \(text)") }
      } else if let reference, reference.isFinite {
        problems.append("parse refuses \(text)")
      }
      if scanned?.bitPattern != parsed?.bitPattern {
        problems.append("\(text): \(String(describing: scanned)) != \(String(describing: parsed))")
      }
      if let scanned {
        taken += 1
        if scanned != 0 && abs(scanned) < Double.leastNormalMagnitude { subnormal += 1 }
      } else {
        refused += 1
      }
    }
    #expect(problems.isEmpty, "\(problems.count): \(problems.prefix(10))")
    #expect(taken > 450_000 && refused > 10_000 && subnormal > 20_000, "\(taken) taken, \(refused), \(subnormal)")
  }

  @Test("scanGeneral agrees with parse on every field of 1-5 bytes over digits, signs, '.', 'e', 'E', space and x")
  func agreesOnShortFields() {
    let alphabet = Array("019.-+eE x".utf8)
    var problems: [String] = []
    var taken = 0
    var text: [UInt8] = []
    func visit(_ length: Int) {
      if !text.isEmpty {
        let scanned = Self.general(text)
        let parsed = FastRowsTests.parsed(text)
        // Spaces around a number are parse's to trim; scanGeneral stops at them (then the field is the usual path's).
        let expected = text.contains(UInt8(ascii: " ")) ? nil : parsed
        if scanned?.bitPattern != expected?.bitPattern { problems.append(String(decoding: text, as: UTF8.self)) }
        if scanned != nil { taken += 1 }
      }
      guard length > 0 else { return }
      for byte in alphabet {
        text.append(byte)
        visit(length - 1)
        text.removeLast()
      }
    }
    visit(5)
    #expect(problems.isEmpty, "\(problems.count): \(problems.prefix(10))")
    #expect(taken > 2_000, "\(taken)")
  }

  @Test("exponents one by one: limits, leading zeros, uppercase, no digits, beyond the doubles, a number cut by limit")
  func fixedLiterals() {
    for text in [
      "1e-05", "1E-05", "2.5E+03", "2.5e3", "1e0", "1e+0", "1e-0", "1e00005", "-1.5e-7", "+1e5", "5.e3", ".5e1",
      "-.5E-1",
      "1e22", "1e23", "1e-22", "1e-23", "9007199254740993e0", "1.7976931348623157e308", "2.2250738585072014e-308",
      "4.9406564584124654e-324", "5e-324", "2e-324", "1e-400", "-1e-400", "0e999999999", "-0e5", "123456789012345e-5",
      "1234567890123456789e-10", "1e100000", "1e-100000",
    ] {
      let bytes = Array(text.utf8)
      let parsed = FastRowsTests.parsed(bytes)
      #expect(Self.general(bytes)?.bitPattern == parsed?.bitPattern, "\(text)")
      #expect(Self.general(bytes, terminator: UInt8(ascii: "\n"))?.bitPattern == parsed?.bitPattern, "\(text)")
      if let parsed { #expect(parsed.bitPattern == Double(text)?.bitPattern, "\(text)") }
    }
    // Taken, the value of the text: these all give a finite number.
    for text in ["1e-05", "2.5E+03", "1e00005", "5e-324", "1e-400", "1.7976931348623157e308", "+1e5"] {
      #expect(Self.general(Array(text.utf8))?.bitPattern == Double(text)?.bitPattern, "\(text)")
    }
    // Not numbers to parse, so not to scanGeneral either.
    for text in [
      "1e", "1e+", "1e-", "E5", "e5", ".e5", "1e5e5", "1e5.", "1.7976931348623159e308", "1e400", "-1e309", "+",
    ] {
      #expect(Self.general(Array(text.utf8)) == nil, "\(text)")
      #expect(FastRowsTests.parsed(Array(text.utf8)) == nil, "\(text)")
    }
    // A number cut by the limit: whatever is taken is the value of the bytes read, and no byte at limit is read.
    for text in ["1.5e-05", "-2.5E+300", "12345678901234567e-12"] {
      let bytes = Array(text.utf8) + [UInt8(ascii: ",")] + [UInt8](repeating: UInt8(ascii: "7"), count: 8)
      bytes.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        for limit in 1...(text.utf8.count + 1) {
          guard let (value, end) = NumberParser.scanGeneral(base, 0, limit) else { continue }
          #expect(end < limit, "\(text) at \(limit)")
          #expect(value.bitPattern == FastRowsTests.parsed(Array(buffer[..<end]))?.bitPattern, "\(text) at \(limit)")
        }
      }
    }
  }

  /// Rows of `FullPrecisionRowsTests.plan`'s columns whose numbers are `Literals`' (those `parse` refuses among them,
  /// `NA` now and then), the 0/1 metric in exponent notation at times, LF and CRLF line ends.
  static func text(rows: Int, seed: UInt64) -> String {
    var random = SplitMix64(seed: seed)
    var literals = Literals(random: SplitMix64(seed: seed &+ 1))
    var text = FullPrecisionRowsTests.header.joined(separator: ",") + "\n"
    for index in 0..<rows {
      let variant = ["control", "v1", "variant8"][Int.random(in: 0..<3, using: &random)]
      let segment = ["s1", "s2", "north"][Int.random(in: 0..<3, using: &random)]
      let converted = ["0", "1", "1e0", "0E+00", "1.000000e+00"][Int.random(in: 0..<5, using: &random)]
      let numbers = (0..<3).map { _ in
        switch Int.random(in: 0..<40, using: &random) {
        case 0: ""
        case 1: "NA"
        case 2...9: String(format: "%.2f", Double.random(in: 0...900, using: &random))
        default: literals.next(Int.random(in: 0..<6, using: &random))
        }
      }
      let lineEnd = Int.random(in: 0..<50, using: &random) == 0 ? "\r\n" : "\n"
      text += "u\(index),\(variant),\(segment),\(converted),\(numbers.joined(separator: ","))\(lineEnd)"
    }
    return text
  }

  @Test(
    "a file of exponents read in chunks (from the file and a spooled pipe) gives the row-by-row read's summary bit for bit, 1 and 2 threads",
    arguments: [1, 2])
  func fileMatchesRowByRow(threads: Int) throws {
    let text = Self.text(rows: 20_000, seed: 41)
    let path = try CellSourcesTests.write(text, name: "exponents.csv")
    for chunkSize in [4096, 1 << 23] {
      for checkDuplicates in [true, false] {
        var options = PipeChunksTests.options(chunkSize: chunkSize, threads: threads, spooled: false)
        options.checkDuplicates = checkDuplicates
        let label = "chunk size \(chunkSize), \(threads) threads, check \(checkDuplicates)"
        let rows = try PipeChunksTests.readPiped(text, plan: FullPrecisionRowsTests.plan, options: options)
        let file = try DataReader.read(paths: [path], plan: FullPrecisionRowsTests.plan, options: options)
        PipeChunksTests.expectSame(rows, file, label)
        var spooledOptions = PipeChunksTests.options(chunkSize: chunkSize, threads: threads, spooled: true)
        spooledOptions.checkDuplicates = checkDuplicates
        let spooled = try PipeChunksTests.readPiped(text, plan: FullPrecisionRowsTests.plan, options: spooledOptions)
        PipeChunksTests.expectSame(rows, spooled, label + ", spooled")
        PipeChunksTests.expectNoSpoolLeft(spooledOptions, label)
        // Rows with NA or a number parse refuses are dropped, the same ones either way.
        #expect(file.rowsUsed > 15_000 && file.rowsUsed < 19_000, "\(file.rowsUsed)")
      }
    }
  }
}
