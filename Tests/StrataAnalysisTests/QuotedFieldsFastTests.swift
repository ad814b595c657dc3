import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// `UnitLevelRows.consumeOther`'s first steps for quoted fields (`csv.QUOTE_ALL`, `QUOTE_NONNUMERIC`).
///
/// Each field read from the byte after its opening quote a word at a time, its closing quote found among the word's
/// bytes below `-`, its number parsed from the bytes between the quotes, its name looked up as `consumeFast` looks it
/// up; and the scanner's trying `consumeOther` first on the records after one it took. Each row taken is used exactly
/// as the scanner and `consume` use it; every other row is left to them.
@Suite("Quoted fields on the one-pass row at the unquoted fields' cost")
struct QuotedFieldsFastTests {
  static let header = QuotedRowsTests.header
  static let plans = QuotedRowsTests.plans

  /// `consumeOther` alone on `row`, placed `offset` bytes into the buffer (as the scanner calls it on a record that
  /// starts with a quote after one it took), for a reader of `plan` that collects unit hashes: the offset it returned
  /// (relative to the row), the line ends it counted, its cells' bits, counts and the unit hashes it collected.
  static func readOther(_ row: String, offset: Int, plan: AnalysisPlan) throws -> (
    next: Int, lineEnds: Int, bits: [String], read: Int, used: Int, hashes: [UInt64]
  ) {
    var options = DataReadOptions(checkDuplicates: true)
    options.chunkSize = 1 << 20
    var rows = try UnitLevelRows(header: header, plan: plan, path: "quoted.csv", options: options)
    rows.duplicateMode = .collect
    rows.hashes = HashScratch(capacity: 64, bits: 0)
    #expect(rows.takesFastRows)
    var bytes =
      [UInt8](repeating: UInt8(ascii: "z"), count: offset) + Array(row.utf8)
      + [UInt8](repeating: UInt8(ascii: "z"), count: UnitLevelRows.fastRowBytes + 16)
    let end = bytes.count
    var lineEnds = 0
    let next = try bytes.withUnsafeMutableBufferPointer { buffer in
      let base = try #require(buffer.baseAddress)
      return rows.consumeOther(base, offset, end, lineEnds: &lineEnds)
    }
    let hashes = Array(rows.hashes.hashes)
    rows.hashes.free()
    return (
      next < 0 ? next : next - offset, lineEnds, PipeChunksTests.bits(rows.statistics), rows.rowsRead,
      rows.rowsUsed, hashes
    )
  }

  /// `row` through `consumeOther` at each of `offsets` in the buffer and through the scanner and `consume` alone: when
  /// taken, the row's length returned, its line ends counted, its unit id's hash collected, and the cells bit for bit
  /// the usual path's; whether it was taken (the same at every offset).
  @discardableResult
  static func expectSameOther(_ row: String, unit: String, plan: AnalysisPlan, offsets: Range<Int> = 3..<5) throws
    -> Bool
  {
    let usual = try QuotedRowsTests.read(row, plan: plan, fast: false)
    var taken: Bool? = nil
    for offset in offsets {
      let other = try readOther(row, offset: offset, plan: plan)
      let context = "\(plan.id), offset \(offset): \(row.debugDescription)"
      #expect(taken == nil || taken == (other.next >= 0), "\(context)")
      taken = other.next >= 0
      guard other.next >= 0 else {
        #expect(other.read == 0 && other.used == 0 && other.hashes.isEmpty, "\(context)")
        continue
      }
      #expect(other.next == row.utf8.count, "\(context)")
      let lineFeeds = row.utf8.count(where: { $0 == UInt8(ascii: "\n") })
      #expect(other.lineEnds == lineFeeds - 1, "\(context)")
      #expect(other.bits == usual.bits, "\(context)")
      #expect(other.read == 1 && other.used == 1 && usual.used == 1, "\(context)")
      let hash = Array(unit.utf8).withUnsafeBufferPointer { UnitHashSet.hash($0) }
      #expect(other.hashes == [hash], "\(context)")
    }
    return taken ?? false
  }

  /// Every field quoted (`all`) or every field but numbers (`QUOTE_NONNUMERIC`).
  static func row(_ fields: [String], all: Bool, lineEnd: String = "\n") -> String {
    QuotedRowsTests.quoting(fields) { all || $0 < 4 } + lineEnd
  }

  @Test(
    "QUOTE_ALL and QUOTE_NONNUMERIC rows, unit ids of 1 to 17 bytes (the closing quote at each offset 0–15 of a word and past it), at each offset of the buffer: taken and used as the usual path uses them",
    arguments: plans.indices)
  func closingQuoteAtEveryOffset(plan index: Int) throws {
    let plan = Self.plans[index]
    let variant = plan.variants[0]
    let segment = plan.segments[0]
    for length in 1...17 {
      let unit = String("u1234567890abcdefgh".prefix(length))
      for all in [true, false] {
        for lineEnd in ["\n", "\r\n"] {
          let row = Self.row([unit, variant, "ok", segment, "1", "18.41"], all: all, lineEnd: lineEnd)
          #expect(
            try Self.expectSameOther(row, unit: unit, plan: plan, offsets: 0..<16),
            "\(plan.id): \(row.debugDescription)")
        }
      }
    }
  }

  @Test(
    "quoted numbers of 1 to 19 characters, negative, with a fraction or not, empty (`\"\"`) as missing, 0/1 values: each from the bytes between the quotes, bit for bit the usual path's; forms the first steps leave (spaces, exponents, +, NA, text) decided as before",
    arguments: plans.indices)
  func quotedNumbers(plan index: Int) throws {
    let plan = Self.plans[index]
    let variant = plan.variants[plan.variants.count - 1]
    let segment = plan.segments[plan.segments.count - 1]
    let taken = [
      "0", "7", "18.41", "-3.5", ".5", "5.", "-0", "123456789", "1234567.125", "0.000001", "99999999999999.9",
      "55.407000000000004", "1234567890123456789", "",
    ]
    for revenue in taken {
      for converted in ["0", "1", ""] {
        for all in [true, false] {
          let row = Self.row(["u1", variant, "n", segment, converted, revenue], all: all)
          #expect(try Self.expectSameOther(row, unit: "u1", plan: plan), "\(plan.id): \(row.debugDescription)")
        }
      }
    }
    // Taken by `otherValue` (parse), or left: the same as the usual path either way.
    for revenue in [" 2.5", "2.5 ", "  ", "1e-05", "2.5E+20", "+5", "NA", "abc", "1,5", "\"\"5", "5\"\"", "1.2.3", "-"]
    {
      let row = "\"u1\",\"\(variant)\",\"n\",\"\(segment)\",\"1\",\"\(revenue)\"\n"
      try Self.expectSameOther(row, unit: "u1", plan: plan)
    }
    // A 0/1 metric's quoted 2 and text: left to the usual path.
    for converted in ["2", "yes", "0.5"] {
      let row = Self.row(["u1", variant, "n", segment, converted, "1"], all: true)
      #expect(try !Self.expectSameOther(row, unit: "u1", plan: plan), "\(plan.id): \(row.debugDescription)")
    }
  }

  @Test(
    "quoted names of every length, with spaces, `\"\"`, line ends or unknown: the first step's word lookup where it applies, the general lookup or the usual path otherwise, always the usual path's cell",
    arguments: plans.indices)
  func quotedNames(plan index: Int) throws {
    let plan = Self.plans[index]
    // Names with a space at an end are no name once the usual path drops it (`FastRowsTests.manyPlan`'s "west ").
    for segment in plan.segments where segment.first != " " && segment.last != " " {
      for variant in plan.variants where variant.first != " " && variant.last != " " {
        let row = Self.row(["u9", variant, "n", segment, "0", "2.25"], all: true)
        // Names with spaces inside or bytes below `-` go to the general lookup; every known name is taken.
        #expect(try Self.expectSameOther(row, unit: "u9", plan: plan), "\(plan.id): \(row.debugDescription)")
      }
    }
    for name in ["", " ", "s1 ", "unknown", "s\"\"1", "s1\n", "s1\r", "seg-99999", "abcdefgh", "New York 61"] {
      let row = "\"u9\",\"\(plan.variants[0])\",\"n\",\"\(name)\",\"0\",\"2.25\"\n"
      try Self.expectSameOther(row, unit: "u9", plan: plan)
    }
  }

  @Test(
    "unit ids and skipped fields quoted with spaces, commas, `\"\"`, carriage returns or line ends inside, text after the closing quote, no closing quote, empty units: the usual path's reading, taken or left"
  )
  func quotedUnitsAndSkippedFields() throws {
    let plan = QuotedRowsTests.shortPlan
    for (unit, field) in [
      ("u 1", "\"u 1\""), ("u,1", "\"u,1\""), ("u+1", "\"u+1\""), ("u1\r", "\"u1\r\""), ("u1", "u1"),
    ] {
      let row = "\(field),\"v1\",\"n\",\"s1\",\"1\",\"2\"\n"
      #expect(try Self.expectSameOther(row, unit: unit, plan: plan), "\(row.debugDescription)")
    }
    for unitField in ["\"\"", "\" \"", "\"u\"\"1\"", "\"u1\"x", "\"u1", "\"u\n1\"", "\"u1\"\"\"", "\"\"\"u1\""] {
      let row = "\(unitField),\"v1\",\"n\",\"s1\",\"1\",\"2\"\n"
      #expect(try !Self.expectSameOther(row, unit: "", plan: plan), "\(row.debugDescription)")
    }
    // Skipped fields: `""`, line ends and commas inside a quoted note are read (their line ends counted), text after
    // the closing quote is not.
    for note in ["\"a \"\"b\"\", c\"", "\"line 1\nline 2\r\nline 3\"", "\"\"", "\"\"\"\"", "\"x\"\"\"", "n n", "\",\""]
    {
      let row = "\"u1\",\"v1\",\(note),\"s1\",\"1\",\"2\"\n"
      #expect(try Self.expectSameOther(row, unit: "u1", plan: plan), "\(row.debugDescription)")
    }
    for note in ["\"a\"b", "\"a", "a\"b", "\"a\" "] {
      let row = "\"u1\",\"v1\",\(note),\"s1\",\"1\",\"2\"\n"
      #expect(try !Self.expectSameOther(row, unit: "u1", plan: plan), "\(row.debugDescription)")
    }
  }

  /// `text`'s data rows read by a scanner of `bufferSize` bytes with the one-pass row's two steps (`fast`) or without:
  /// cells' bits, issues and counts.
  static func scanned(_ text: String, plan: AnalysisPlan, fast: Bool, bufferSize: Int) throws -> (
    bits: [String], issues: DataIssues, read: Int, used: Int, line: Int
  ) {
    let path = try CellSourcesTests.write(text, name: "quoted-all.csv")
    var rows = try UnitLevelRows(
      header: header, plan: plan, path: path, options: DataReadOptions(checkDuplicates: false))
    let headerEnd = try #require(text.utf8.firstIndex(of: UInt8(ascii: "\n")))
    let start = text.utf8.distance(from: text.utf8.startIndex, to: headerEnd) + 1
    var scanner = try CSVScanner(path: path, range: start..<text.utf8.count, bufferSize: bufferSize)
    defer { scanner.close() }
    try scanner.forEachRecord(
      fast: { fast ? rows.consumeFast($0, $1, $2) : -1 },
      quoted: { fast ? rows.consumeOther($0, $1, $2, lineEnds: &$3) : -1 }
    ) { record in
      if !record.isBlank { try rows.consume(record) }
      return true
    }
    try rows.flush()
    return (PipeChunksTests.bits(rows.statistics), rows.issues, rows.rowsRead, rows.rowsUsed, scanner.nextLine)
  }

  /// A QUOTE_ALL file (`lineEnd` line ends) with, among its rows, the ones the one-pass row leaves or reads otherwise:
  /// unquoted rows, `""` inside a unit id, multi-line notes, quoted `NA`, exponents, bad values, unknown names,
  /// blank lines, repeats.
  static func quotedFile(rows: Int, seed: UInt64, plan: AnalysisPlan, lineEnd: String) -> String {
    var random = SplitMix64(seed: seed)
    var text = header.map { "\"\($0)\"" }.joined(separator: ",") + lineEnd
    for index in 0..<rows {
      let roll = Int.random(in: 0..<100, using: &random)
      let variant = plan.variants[Int.random(in: 0..<plan.variants.count, using: &random)]
      let segment = plan.segments[Int.random(in: 0..<plan.segments.count, using: &random)]
      let converted = Int.random(in: 0..<5, using: &random) == 0 ? "1" : "0"
      var revenue = String(format: "%.2f", Double.random(in: 0...900, using: &random))
      var unit = "\"u\(index)\""
      var note = "\"ok\""
      switch roll {
      case 0: unit = "\"u\"\"\(index)\""
      case 1: note = "\"line one\nline two, \"\"quoted\"\"\""
      case 2: revenue = "NA"
      case 3: revenue = "1e-3"
      case 4: revenue = "abc"
      case 5:
        text += lineEnd
        continue
      case 6: unit = "\"u\(Int.random(in: 0...index, using: &random))\""
      case 7:
        text += "u\(index),\(variant),ok,\(segment),\(converted),\(revenue)\(lineEnd)"
        continue
      case 8: note = "\"x\"y"
      default: break
      }
      text +=
        "\(unit),\"\(variant)\",\(note),\"\(segment)\",\"\(converted)\",\"\(revenue)\"\(lineEnd)"
    }
    return text
  }

  @Test(
    "QUOTE_ALL files through the scanner (records after a taken one tried by consumeOther first), LF and CRLF, buffers of 300 B to 64 KiB: cells, issues with their lines, counts and the line count bit for bit the usual path's"
  )
  func scannedFilesAgree() throws {
    for plan in Self.plans {
      for (seed, lineEnd) in [(UInt64(3), "\n"), (4, "\r\n")] {
        let text = Self.quotedFile(rows: 3000, seed: seed, plan: plan, lineEnd: lineEnd)
        let usual = try Self.scanned(text, plan: plan, fast: false, bufferSize: 1 << 16)
        #expect(usual.used > 2500 && usual.used < usual.read)
        for bufferSize in [300, 301, 517, 4096, 1 << 16] {
          let context = "\(plan.id), \(lineEnd.debugDescription), buffer \(bufferSize)"
          let fast = try Self.scanned(text, plan: plan, fast: true, bufferSize: bufferSize)
          #expect(fast.bits == usual.bits, "\(context)")
          #expect(fast.issues == usual.issues, "\(context)")
          #expect(fast.read == usual.read && fast.used == usual.used, "\(context)")
          #expect(fast.line == usual.line, "\(context)")
        }
      }
    }
  }

  @Test(
    "a QUOTE_ALL or QUOTE_NONNUMERIC copy of a file gives its summary bit for bit (one chunk; 1 and 3 threads, with and without the check)"
  )
  func quotedCopiesAgreeWithPlain() throws {
    let plan = QuotedRowsTests.widePlan
    var random = SplitMix64(seed: 41)
    var fields: [[String]] = []
    for index in 0..<4000 {
      let unit = "u\(Int.random(in: 0...(index + 20), using: &random))"
      let variant = plan.variants[Int.random(in: 0..<plan.variants.count, using: &random)]
      let segment = plan.segments[Int.random(in: 0..<plan.segments.count, using: &random)]
      let converted = Bool.random(using: &random) ? "1" : "0"
      let revenue = index % 9 == 0 ? "" : String(format: "%.3f", Double.random(in: -50...900, using: &random))
      fields.append([unit, variant, "a note", segment, converted, revenue])
    }
    func file(_ quote: (Int, String) -> Bool) -> String {
      let head = Self.header.enumerated().map { quote($0.offset, $0.element) ? "\"\($0.element)\"" : $0.element }
      return
        ([head.joined(separator: ",")]
        + fields.map { row in
          row.enumerated().map { quote($0.offset, $0.element) ? "\"\($0.element)\"" : $0.element }.joined(
            separator: ",")
        }).joined(separator: "\n") + "\n"
    }
    let plain = try CellSourcesTests.write(file { _, _ in false }, name: "plain.csv")
    let all = try CellSourcesTests.write(file { _, _ in true }, name: "all.csv")
    let nonNumeric = try CellSourcesTests.write(file { $0 < 4 || $1.isEmpty }, name: "nonnumeric.csv")
    for check in [true, false] {
      for threads in [1, 3] {
        let options = QuotedCutsTests.options(chunkSize: 1 << 30, threads: threads, check: check)
        let expected = try DataReader.read(paths: [plain], plan: plan, options: options)
        for path in [all, nonNumeric] {
          let quoted = try DataReader.read(paths: [path], plan: plan, options: options)
          let context = "\(path), \(threads) threads, check \(check)"
          #expect(PipeChunksTests.bits(quoted.statistics) == PipeChunksTests.bits(expected.statistics), "\(context)")
          #expect(quoted.issues == expected.issues, "\(context)")
          #expect(quoted.rowsRead == expected.rowsRead && quoted.rowsUsed == expected.rowsUsed, "\(context)")
        }
      }
    }
  }
}
