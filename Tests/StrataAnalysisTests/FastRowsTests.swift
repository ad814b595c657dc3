import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// The one-pass path for the usual unit-level row (`UnitLevelRows.consumeFast`, numbers read by
/// `NumberParser.scanDecimal` as the scan sees them) gives what the scanner, `consume` and `NumberParser.parse` give,
/// bit for bit, and leaves every other row to them untouched.
@Suite("The one-pass row path")
struct FastRowsTests {
  /// `scanDecimal` on `text` followed by `terminator`: its value when it reads exactly `text`, else nil.
  static func scanned(_ text: [UInt8], terminator: UInt8 = UInt8(ascii: ",")) -> Double? {
    let bytes = text + [terminator] + [UInt8](repeating: UInt8(ascii: "7"), count: 8)
    return bytes.withUnsafeBufferPointer { buffer -> Double? in
      guard let base = buffer.baseAddress, let (value, end) = NumberParser.scanDecimal(base, 0, buffer.count - 4)
      else { return nil }
      return end == text.count && buffer[end] == terminator ? value : nil
    }
  }

  static func parsed(_ text: [UInt8]) -> Double? {
    text.withUnsafeBufferPointer { NumberParser.parse($0) }
  }

  /// Whether `scanDecimal` agrees with `parse` on `text`: when it takes the field, `parse` gives the same bits.
  static func agrees(_ text: [UInt8]) -> Bool {
    guard let value = scanned(text) else { return true }
    guard let reference = parsed(text) else { return false }
    return value.bitPattern == reference.bitPattern
  }

  @Test("scanDecimal is parse's value, bit for bit, on every field of 1-6 bytes over digits, signs, '.', 'e', space, x")
  func scanDecimalAgreesOnShortFields() {
    let alphabet = Array("0159.-+e x".utf8)
    var disagreements: [String] = []
    var taken = 0
    var text: [UInt8] = []
    func visit(_ length: Int) {
      if !text.isEmpty {
        if !Self.agrees(text) { disagreements.append(String(decoding: text, as: UTF8.self)) }
        if Self.scanned(text) != nil { taken += 1 }
      }
      guard length > 0 else { return }
      for byte in alphabet {
        text.append(byte)
        visit(length - 1)
        text.removeLast()
      }
    }
    visit(6)
    #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    #expect(taken > 10_000)
  }

  @Test(
    "scanDecimal agrees on every field of 1-5 digits and '.', on seeded decimals of up to 19 digits, and takes the usual ones"
  )
  func scanDecimalAgreesOnDecimals() {
    let alphabet = Array("0123456789.".utf8)
    var disagreements: [String] = []
    var text: [UInt8] = []
    func visit(_ length: Int) {
      if !text.isEmpty && !Self.agrees(text) { disagreements.append(String(decoding: text, as: UTF8.self)) }
      guard length > 0 else { return }
      for byte in alphabet {
        text.append(byte)
        visit(length - 1)
        text.removeLast()
      }
    }
    visit(5)
    var random = SplitMix64(seed: 17)
    for _ in 0..<300_000 {
      let digits = Int.random(in: 1...19, using: &random)
      var field = (0..<digits).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &random) }
      if Bool.random(using: &random) { field.insert(UInt8(ascii: "."), at: Int.random(in: 0...digits, using: &random)) }
      if Int.random(in: 0..<4, using: &random) == 0 { field.insert(UInt8(ascii: "-"), at: 0) }
      if !Self.agrees(field) { disagreements.append(String(decoding: field, as: UTF8.self)) }
      let significant = field.filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
      if significant <= 15 && Self.scanned(field) == nil {
        disagreements.append("not taken: " + String(decoding: field, as: UTF8.self))
      }
    }
    #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    for usual in [
      "0", "1", "18.41", "-0", "-3.5", "5.", ".5", "-.5", "123456789012345", "0.00000000000001", "1234567890123456",
    ] {
      let field = Array(usual.utf8)
      #expect(Self.scanned(field) != nil && Self.agrees(field), "\(usual)")
      #expect(Self.scanned(field, terminator: UInt8(ascii: "\n")) == Self.scanned(field), "\(usual)")
    }
    for unusual in ["", "-", ".", "+5", " 5", "5 ", "1e3", "1.2.3", "0x10", "12345678901234567890", "5\r"] {
      #expect(Self.scanned(Array(unusual.utf8)) == nil, "\(unusual)")
    }
  }

  static let plan = AnalysisPlan(
    id: "fast", variants: ["control", "v1", "variant8"], segments: ["s1", "s2", "north"],
    metrics: [
      AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero),
      AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .secondary, missing: .exclude),
    ])

  /// A header and `rows` rows, most of them usual, the others each unusual in one way (quoting, CRLF, spaces, long
  /// ids and names, numbers `parse` takes and `scanDecimal` does not, bad rows, blank lines).
  static func text(rows: Int, seed: UInt64) -> String {
    var random = SplitMix64(seed: seed)
    var text = "unit_id,variant,note,segment,converted,revenue\n"
    let unusualValues = [
      "", " 3", "3 ", "+5", "-0", "1e300", "1E-5", "2.5e3", "12345678901234567", "0.1234567890123456789", "abc", ".",
      "-", "5.", ".5", "-.25", "1.2.3", "00000000000000000001",
    ]
    for index in 0..<rows {
      let roll = Int.random(in: 0..<200, using: &random)
      var unit = "u\(index)"
      var variant = ["control", "v1", "variant8"][Int.random(in: 0..<3, using: &random)]
      var note = Bool.random(using: &random) ? "" : "n\(index % 7)"
      var segment = ["s1", "s2", "north"][Int.random(in: 0..<3, using: &random)]
      var converted = Bool.random(using: &random) ? "1" : "0"
      var revenue = String(format: "%.2f", Double.random(in: 0...900, using: &random))
      var lineEnd = "\n"
      var extra = ""
      switch roll {
      case 0: unit = "\"u\(index), quoted\""
      case 1: unit = ""
      case 2: unit = " "
      case 3: unit = "a-much-longer-unit-id-\(index)-of-many-words"
      case 4: variant = "holdout"
      case 5: variant = " v1"
      case 6: segment = "s1 "
      case 7: segment = "east"
      case 8: converted = "2"
      case 9: converted = "x"
      case 10: revenue = unusualValues[Int.random(in: 0..<unusualValues.count, using: &random)]
      case 11: lineEnd = "\r\n"
      case 12: extra = ",surplus"
      case 13:
        text += "\(unit),\(variant)\n"
        continue
      case 14:
        text += "\n"
        continue
      case 15: note = "with space"
      case 16: note = String(repeating: "n", count: 300)
      case 17: variant = "\"v1\""
      case 18: converted = "1.0"
      case 19: revenue = String(repeating: "9", count: 15)
      case 20: unit = "u\(Int.random(in: 0...index, using: &random))"  // a repeat
      default: break
      }
      text += "\(unit),\(variant),\(note),\(segment),\(converted),\(revenue)\(extra)\(lineEnd)"
    }
    return text
  }

  /// The generated files the one-pass path is checked on: `text`'s, with 8 names or fewer (the short name table),
  /// `manyText`'s, with more (the hashed one), and `wideText`'s, with many names of at most 8 bytes (the wide table).
  enum Names: Sendable, CaseIterable, CustomTestStringConvertible {
    case few, many, wide

    var plan: AnalysisPlan {
      switch self {
      case .few: FastRowsTests.plan
      case .many: FastRowsTests.manyPlan
      case .wide: FastRowsTests.widePlan
      }
    }
    var text: String {
      switch self {
      case .few: FastRowsTests.text(rows: 20_000, seed: 5)
      case .many: FastRowsTests.manyText(rows: 20_000, seed: 11)
      case .wide: FastRowsTests.wideText(rows: 20_000, seed: 13)
      }
    }
    /// Fewer rows used than this would mean the file's rows are mostly not the usual ones.
    var fewestUsed: Int { self == .few ? 17_000 : self == .many ? 10_000 : 16_000 }
    var testDescription: String {
      switch self {
      case .few: "8 names or fewer"
      case .many: "more than 8 names"
      case .wide: "many names of at most 16 bytes"
      }
    }
  }

  @Test(
    "a file read on the one-pass path gives the row-by-row read's summary bit for bit (cells, issues, rows), with and without the duplicate check, under --strict",
    arguments: Names.allCases, [(threads: 1, checkDuplicates: true), (1, false), (2, true), (2, false)])
  func fileMatchesRowByRow(names: Names, run: (threads: Int, checkDuplicates: Bool)) throws {
    let (threads, checkDuplicates) = run
    let plan = names.plan
    let text = names.text
    let path = try CellSourcesTests.write(text)
    for chunkSize in [4096, 1 << 23] {
      var options = PipeChunksTests.options(chunkSize: chunkSize, threads: threads, spooled: false)
      options.checkDuplicates = checkDuplicates
      let file = try DataReader.read(paths: [path], plan: plan, options: options)
      let rows = try PipeChunksTests.readPiped(text, plan: plan, options: options)
      PipeChunksTests.expectSame(
        rows, file, "\(names): chunk size \(chunkSize), \(threads) threads, check \(checkDuplicates)")
      #expect(file.rowsUsed > names.fewestUsed && file.rowsUsed < file.rowsRead)
      // Under --strict the first bad row stops the read: on a prefix that fits the pipe's buffer, so that its writer
      // is done before the reader stops (a write to a pipe nobody reads any more would end the tests' process).
      options.strict = true
      let prefix = String(
        text.utf8.prefix(40_000).split(separator: UInt8(ascii: "\n")).dropLast().map {
          String(decoding: $0, as: UTF8.self) + "\n"
        }.joined())
      try PipeChunksTests.expectSameFirstError(prefix, plan: plan, options: options)
    }
  }

  /// `consumeFast` on the row `row` (with room after it), then `consumeOther` when it has a quote (as the scanner calls
  /// them), for a reader of `plan`'s columns in `header`: whether either took it, the rows used and the cell (variant,
  /// segment) of the unit it counted, if any.
  static func fast(_ row: String, header: [String], plan: AnalysisPlan = plan) throws -> (
    taken: Bool, used: Int, cell: (variant: Int, segment: Int)?
  ) {
    var options = DataReadOptions(checkDuplicates: false)
    options.chunkSize = 1 << 20
    var rows = try UnitLevelRows(header: header, plan: plan, path: "data.csv", options: options)
    #expect(rows.takesFastRows)
    var bytes = Array(row.utf8) + [UInt8](repeating: UInt8(ascii: "z"), count: UnitLevelRows.fastRowBytes + 16)
    let end = bytes.count
    var lineEnds = 0
    let next = try bytes.withUnsafeMutableBufferPointer { buffer in
      let base = try #require(buffer.baseAddress)
      // As the scanner: a record `consumeFast` leaves goes to `consumeOther` when it has a quote before its line end.
      let taken = rows.consumeFast(base, 0, end)
      return taken >= 0 || !row.utf8.prefix(while: { $0 != UInt8(ascii: "\n") }).contains(UInt8(ascii: "\""))
        ? taken : rows.consumeOther(base, 0, end, lineEnds: &lineEnds)
    }
    #expect(next == -1 || next == row.utf8.count, "\(row)")
    let statistics = rows.statistics
    var cell: (Int, Int)? = nil
    for variant in plan.variants.indices {
      for segment in plan.segments.indices where statistics.units(variant: variant, segment: segment) > 0 {
        cell = (variant, segment)
      }
    }
    return (next >= 0, rows.rowsUsed, cell)
  }

  /// More than 8 variants and segments (their names in `ByteNameTable`'s hash table), of 1 to 30 bytes: names of
  /// 8, 16 and 24 bytes, a name 25 bytes long whose first 24 are another's, names that share their first 8 or 16
  /// bytes, non-ASCII names, and names the one-pass row cannot read as they stand (a space inside or at an end, a
  /// byte below `-`).
  static let manyPlan = AnalysisPlan(
    id: "many",
    variants: ["control", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "treatment", "variant-of-eighteen"],
    segments: [
      "s", "seg-1", "seg-10", "seg-1704", "seg-12345", "abcdefgh", "abcdefghX", "abcdefghijklmnop", "abcdefghijklmnopQ",
      "abcdefghijklmnopqrstuvw", "abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrstuvwxy",
      "abcdefghijklmnopqrstuvwxyz-0123", "café-ü", "Ümlaut-✓-ﬁ-long-name", "north east", "west ", " east", "A&B",
      "x+y", "2026.12.06", "a/b:c_d~e",
    ],
    metrics: plan.metrics)

  /// Whether the one-pass row can take `name` as it stands: at least 1 byte, none below `-` (its row within
  /// `UnitLevelRows.fastRowBytes`).
  ///
  /// Quoted, or in a record with a quote, `UnitLevelRows.consumeOther` takes any name with no space at either end.
  static func fastName(_ name: String) -> Bool {
    !name.isEmpty && name.utf8.allSatisfy { $0 >= UInt8(ascii: "-") }
  }

  @Test(
    "with more than 8 names of up to 31 bytes (the wide table, the hash table too), the one-pass row takes each into its own cell, quoted ones too, and leaves spaced and unknown ones untouched"
  )
  func takesHashedNames() throws {
    let header = ["unit_id", "variant", "note", "segment", "converted", "revenue"]
    let plan = Self.manyPlan
    #expect(ByteNameTable(plan.variants).hasHashTable && ByteNameTable(plan.segments).hasHashTable)
    #expect(ByteNameTable(plan.variants).hasWideTable && ByteNameTable(plan.segments).hasWideTable)
    for (segment, name) in plan.segments.enumerated() {
      for (variant, variantName) in [(0, "control"), (8, "treatment"), (9, "variant-of-eighteen")] {
        let row = "u1,\(variantName),n,\(name),1,2.5\n"
        let result = try Self.fast(row, header: header, plan: plan)
        if Self.fastName(name) {
          #expect(
            result.taken && result.used == 1 && result.cell?.variant == variant && result.cell?.segment == segment,
            "\(row)")
        } else {
          #expect(!result.taken && result.used == 0, "\(row)")
        }
      }
    }
    // Unknown names, prefixes and extensions of known ones (at 8, 16 and 24 bytes among them), empty or with a
    // carriage return, and variants likewise: never taken.
    let unknown = [
      "seg-2", "seg-17040", "seg-170", "Seg-1704", "abcdefghi", "abcdefghijklmno", "abcdefghijklmnopq",
      "abcdefghijklmnopqrstuv", "abcdefghijklmnopqrstuvwX", "abcdefghijklmnopqrstuvwxz", "abcdefghijklmnopqrstuvwxyz",
      "café", "north", "west", "east", "A", "\"t\"", "t ", " t", "", "seg-1\r", "\"s\"\"\"", "\"s",
    ]
    for name in unknown {
      let result = try Self.fast("u1,control,n,\(name),1,2.5\n", header: header, plan: plan)
      #expect(!result.taken && result.used == 0, "\(name.debugDescription)")
    }
    for name in ["v8", "treatmen", "treatments", "variant-of-eighteen!", "\"v8\"", " v8", "v8 ", "", "v1\r"] {
      let result = try Self.fast("u1,\(name),n,s,1,2.5\n", header: header, plan: plan)
      #expect(!result.taken && result.used == 0, "\(name.debugDescription)")
    }
    // Known names quoted, or with spaces around them in a record with a quote: taken, as the usual path takes them.
    for (name, segment) in [
      ("\"s\"", 0), ("s ", 0), (" s", 0), ("\" seg-1 \"", 1), (" abcdefghijklmnopqrstuvwxyz-0123", 12),
      ("north east", 15), ("\"A&B\"", 18),
    ] {
      let result = try Self.fast("u1,\" v1\",n,\(name),1,2.5\n", header: header, plan: plan)
      #expect(result.taken && result.cell?.variant == 1 && result.cell?.segment == segment, "\(name.debugDescription)")
    }
    // A name's words may not reach past what the row's limit allows (`fastRowBytes - 16` for a word's start, 8 bytes
    // after it): a name of 24 bytes, the row's last field, starting late in its 256 bytes (at `unitBytes + 15`; its
    // third word, and the one after it that holds its line end, must start before 240).
    let lastSegment = ["unit_id", "variant", "converted", "revenue", "note", "segment"]
    for (unitBytes, taken) in [(192, true), (200, true), (201, false), (208, false), (220, false)] {
      let row = String(repeating: "u", count: unitBytes) + ",control,1,2,n,abcdefghijklmnopqrstuvwx\n"
      let result = try Self.fast(row, header: lastSegment, plan: plan)
      #expect(result.taken == taken && result.used == (taken ? 1 : 0), "\(unitBytes)")
    }
  }

  /// More than `ByteNameTable.shortLimit` variants and segments of at most 16 bytes (the wide table): 40 variants,
  /// 2,000 segments named as the benchmark's (`seg-1` to `seg-2000`), and among them names of 1, 8, 9, 15 and 16 bytes,
  /// one that is another's first 7 bytes, non-ASCII ones, and names the one-pass row cannot read as they stand.
  static let widePlan = AnalysisPlan(
    id: "wide", variants: ["control"] + (1..<40).map { "v\($0)" },
    segments: (1...2_000).map { "seg-\($0)" } + [
      "s", "abcdefgh", "abcdefg", "seg-12345", "abcdefghijklmno", "abcdefghijklmnop", "café-ü", "x+y", "a b", "é",
    ],
    metrics: plan.metrics)

  @Test(
    "with many names of at most 8 bytes (the wide table), the one-pass row takes each into its own cell, quoted ones too, and leaves spaced and unknown ones untouched"
  )
  func takesWideNames() throws {
    let header = ["unit_id", "variant", "note", "segment", "converted", "revenue"]
    let plan = Self.widePlan
    #expect(ByteNameTable(plan.variants).hasWideTable && ByteNameTable(plan.segments).hasWideTable)
    // A reader per row: every 37th benchmark name and the others, each with a variant of its own.
    let checked = Array(stride(from: 0, to: 2_000, by: 37)) + [1_999] + Array(2_000..<plan.segments.count)
    for segment in checked {
      let name = plan.segments[segment]
      for variant in [segment % 40, 39 - segment % 40] {
        let row = "u1,\(plan.variants[variant]),n,\(name),1,2.5\n"
        let result = try Self.fast(row, header: header, plan: plan)
        if Self.fastName(name) {
          #expect(
            result.taken && result.used == 1 && result.cell?.variant == variant && result.cell?.segment == segment,
            "\(row)")
        } else {
          #expect(!result.taken && result.used == 0, "\(row)")
        }
      }
    }
    let unknown = [
      "seg-0", "seg-2001", "seg-02", "Seg-1", "seg-1000x", "abcdefghi", "abcdef", "abcdefgH", "café", "x", "\"t\"",
      "t ", " t", "", "seg-1\r", "seg-12\u{0}", "seg-2345", "seg-123456", "abcdefghijklmnopq", "abcdefghijklmnoX",
      "abcdefghijklmn", "abcdefghijklmnoq ", "\"s\"\"\"",
    ]
    for name in unknown {
      let result = try Self.fast("u1,control,n,\(name),1,2.5\n", header: header, plan: plan)
      #expect(!result.taken && result.used == 0, "\(name.debugDescription)")
    }
    for name in ["v40", "v0", "contro", "controls", "\"v40\"", " v40", "v40 ", ""] {
      let result = try Self.fast("u1,\(name),n,s,1,2.5\n", header: header, plan: plan)
      #expect(!result.taken && result.used == 0, "\(name.debugDescription)")
    }
    // Known names quoted, or with spaces around them in a record with a quote: taken, as the usual path takes them.
    for (name, segment) in [("\"s\"", 2_000), ("s ", 2_000), (" seg-7", 6), ("\"abcdefghijklmnop \"", 2_005)] {
      let result = try Self.fast("u1,\"v1\",n,\(name),1,2.5\n", header: header, plan: plan)
      #expect(result.taken && result.cell?.variant == 1 && result.cell?.segment == segment, "\(name.debugDescription)")
    }
  }

  /// `text(rows:seed:)`'s rows with `widePlan`'s names, each drawn from all of them, unknown ones now and then.
  static func wideText(rows: Int, seed: UInt64) -> String {
    var random = SplitMix64(seed: seed)
    let segments = widePlan.segments + ["seg-2001", "seg-0", "abcdef", "seg-1 "]
    let variants = widePlan.variants + ["v40", " v1"]
    var text = "unit_id,variant,note,segment,converted,revenue\n"
    for index in 0..<rows {
      let roll = Int.random(in: 0..<50, using: &random)
      // Most rows' segment from the benchmark's names, the rest from all.
      let segment =
        roll < 40
        ? "seg-\(Int.random(in: 1...2_000, using: &random))"
        : segments[Int.random(in: 0..<segments.count, using: &random)]
      let variant = variants[Int.random(in: 0..<variants.count, using: &random)]
      let converted = Bool.random(using: &random) ? "1" : "0"
      let revenue = String(format: "%.2f", Double.random(in: 0...900, using: &random))
      text += "u\(index),\(variant),,\(roll == 49 ? "\"\(segment)\"" : segment),\(converted),\(revenue)\n"
    }
    return text
  }

  /// `text(rows:seed:)`'s rows with `manyPlan`'s names, each drawn from all of them, unknown ones now and then.
  static func manyText(rows: Int, seed: UInt64) -> String {
    var random = SplitMix64(seed: seed)
    let segments = manyPlan.segments + ["seg-2", "abcdefghijklmnopqrstuvwX", "abcdefghijklmnopqrstuvwxz"]
    let variants = manyPlan.variants + ["v8", " v1"]
    var text = "unit_id,variant,note,segment,converted,revenue\n"
    for index in 0..<rows {
      let segment = segments[Int.random(in: 0..<segments.count, using: &random)]
      let variant = variants[Int.random(in: 0..<variants.count, using: &random)]
      let converted = Bool.random(using: &random) ? "1" : "0"
      let revenue = String(format: "%.2f", Double.random(in: 0...900, using: &random))
      let quoted = Int.random(in: 0..<50, using: &random) == 0
      text += "u\(index),\(variant),,\(quoted ? "\"\(segment)\"" : segment),\(converted),\(revenue)\n"
    }
    return text
  }

  @Test("the one-pass path takes the usual row and leaves every other untouched (no row used)")
  func takesUsualRowsOnly() throws {
    let header = ["unit_id", "variant", "note", "segment", "converted", "revenue"]
    for usual in [
      "u1,control,,s1,0,18.41\n", "u1,control,,s1,0,18.41\r\n", "u1,control,,s1,0,\r\n", "u22,v1,n3,north,1,-0\n",
      "abcdefghijklmnopq,variant8,x,s2,1,5.\n",
      "u1,control,n,s1,0,123456789012345\n", "u1,control,,s1,1.0,1\n", "u1,control,,s1,0,55.407000000000004\n",
      "u1,control,,s1,0,\n", "u1,control,,s1,,18.41\n", "\"u1\",control,,s1,0,18.41\n", "\" u1\", control,,s1,0,1\n",
      "u1,control,\"a b\",s1,0,1\n", "u1,control,a b,\"s1\",\"0\",\"1\"\n",
    ] {
      let result = try Self.fast(usual, header: header)
      #expect(result.taken && result.used == 1, "\(usual)")
    }
    for unusual in [
      "\n", "\r\n", "u1,control,,s1,0,18.41\r\r\n", "u1,control,,s1,0,18.41\r", "u1\r,control,,s1,0,18.41\n",
      "u1,control,,s1\r,0,18.41\r\n", "u1,control,,s1,0\r,18.41\n", "u1,control,,s1,0,18.\r41\n",
      "\"u1\"\"\",control,,s1,0,18.41\n", ",control,,s1,0,18.41\n", " ,\"control\",,s1,0,18.41\n",
      " u1,control,,s1,0,18.41\n", "u1,holdout,,s1,0,18.41\n", "u1,control,,east,0,18.41\n",
      "u1, control,,s1,0,18.41\n", "u1,control,,s1,2,18.41\n", "u1,control,,s1,0,1e3\n",
      "u1,control,,s1,0,18.41,extra\n", "u1,control,,s1,0\n", "u1,control,a b,s1,0,1\n", "u1,control,a\"b,s1,0,1\n",
      "u1,\"contr ol\",,s1,0,18.41\n",
      "u1,control,,s1,0,+5\n", "u1,control,,s1,0,12345678901234567890\n", "u1,controls,,s1,0,1\n",
      "u1,control,,s1,0,18.41",
    ] {
      let result = try Self.fast(unusual, header: header)
      #expect(!result.taken && result.used == 0, "\(unusual)")
    }
  }
  /// 20,000 segments × 3 variants: cells beyond `UnitLevelRows.prefetchBytes`, so that rows wait for their cells.
  static let hugePlan = AnalysisPlan(
    id: "huge", variants: ["control", "v1", "v2"], segments: (0..<20_000).map { "seg-\($0)" }, metrics: plan.metrics)

  /// `text`'s data rows read as the chunk reader reads them (the one-pass row tried first, then `consume`), by a reader
  /// of `plan` whose cells are fetched ahead or not: its cells, issues and counts, and whether it would fetch them.
  static func readScanned(_ text: String, plan: AnalysisPlan, prefetching: Bool) throws -> (
    statistics: SufficientStatistics, issues: DataIssues, read: Int, used: Int, fetchesByItself: Bool, fast: Bool
  ) {
    let path = try CellSourcesTests.write(text, name: "waiting.csv")
    let headerLine = text.utf8.prefix { $0 != UInt8(ascii: "\n") }
    let header = String(decoding: headerLine, as: UTF8.self).split(separator: ",").map(String.init)
    var rows = try UnitLevelRows(
      header: header, plan: plan, path: path, options: DataReadOptions(checkDuplicates: false))
    let fetchesByItself = rows.prefetchesCells
    rows.prefetchesCells = prefetching
    var scanner = try CSVScanner(path: path, range: (headerLine.count + 1)..<text.utf8.count)
    defer { scanner.close() }
    let fast = rows.takesFastRows
    try scanner.forEachRecord(
      fast: { fast ? rows.consumeFast($0, $1, $2) : -1 },
      quoted: { fast ? rows.consumeOther($0, $1, $2, lineEnds: &$3) : -1 }
    ) { record in
      if !record.isBlank { try rows.consume(record) }
      return true
    }
    try rows.flush()
    return (rows.statistics, rows.issues, rows.rowsRead, rows.rowsUsed, fetchesByItself, fast)
  }

  @Test(
    "rows that wait for their cells (20,000 segments) are added in order: the cells bit for bit as without fetching ahead, one-pass rows and others mixed"
  )
  func waitingRowsAreAddedInOrder() throws {
    var random = SplitMix64(seed: 23)
    var text = "unit_id,variant,segment,converted,revenue\n"
    for index in 0..<30_000 {
      let roll = Int.random(in: 0..<100, using: &random)
      // Most rows in a few cells, so that one cell's rows follow each other within the fetch distance.
      var segment = "seg-\(Int.random(in: 0..<(roll < 60 ? 4 : 20_000), using: &random))"
      let variant = ["control", "v1", "v2"][Int.random(in: 0..<3, using: &random)]
      let converted = Bool.random(using: &random) ? "1" : "0"
      var revenue = String(format: "%.3f", Double.random(in: 0...900, using: &random))
      var lineEnd = "\n"
      switch roll {
      case 0: segment = "\"\(segment)\""
      case 1: lineEnd = "\r\n"
      case 2: revenue = "abc"
      case 3: segment = "seg-20000"
      case 4: revenue = ""
      case 5: revenue = "1e2"
      default: break
      }
      text += "u\(index),\(variant),\(segment),\(converted),\(revenue)\(lineEnd)"
    }
    let fetched = try Self.readScanned(text, plan: Self.hugePlan, prefetching: true)
    let direct = try Self.readScanned(text, plan: Self.hugePlan, prefetching: false)
    #expect(fetched.fetchesByItself && fetched.fast && direct.fast)
    #expect(PipeChunksTests.bits(fetched.statistics) == PipeChunksTests.bits(direct.statistics))
    #expect(fetched.issues == direct.issues)
    #expect(fetched.read == direct.read && fetched.used == direct.used && fetched.used > 27_000)
    // The same rows with nothing for the one-pass row (every unit id quoted, a doubled quote inside): `consume` alone,
    // fetching ahead or not.
    let header = "unit_id,variant,segment,converted,revenue\n"
    let lines = text.utf8.dropFirst(header.utf8.count).split(separator: UInt8(ascii: "\n"))
    let quoted =
      header
      + lines.map { line in
        let comma = line.firstIndex(of: UInt8(ascii: ",")) ?? line.endIndex
        return "\"" + String(decoding: line[..<comma], as: UTF8.self) + "\"\"\""
          + String(decoding: line[comma...], as: UTF8.self)
          + "\n"
      }.joined()
    let usualFetched = try Self.readScanned(quoted, plan: Self.hugePlan, prefetching: true)
    let usualDirect = try Self.readScanned(quoted, plan: Self.hugePlan, prefetching: false)
    #expect(PipeChunksTests.bits(usualFetched.statistics) == PipeChunksTests.bits(usualDirect.statistics))
    #expect(usualFetched.used == fetched.used && usualFetched.issues == usualDirect.issues)
  }

  @Test(
    "records the fast path takes count as visits would: lines, the scan's end, every buffer size, last record taken or not"
  )
  func fastRecordsKeepTheScannersAccount() throws {
    for count in [300, 301] {
      let text = (0..<count).map { "r\($0),\($0 % 7)\n" }.joined()
      let path = try CellSourcesTests.write(text)
      for bufferSize in [16, 17, 31, 64, 100, 4096] {
        var plain = try CSVScanner(path: path, bufferSize: bufferSize)
        defer { plain.close() }
        var visited = 0
        try plain.forEachRecord { _ in
          visited += 1
          return true
        }
        var scanner = try CSVScanner(path: path, bufferSize: bufferSize)
        defer { scanner.close() }
        var taken = 0
        var visitedToo = 0
        var records = 0
        try scanner.forEachRecord(
          fast: { bytes, start, end in
            // Every other record, when it ends within the bytes read.
            var position = start
            while position < end && bytes[position] != UInt8(ascii: "\n") { position += 1 }
            guard position < end, records % 2 == 0 else { return -1 }
            records += 1
            taken += 1
            return position + 1
          },
          { _ in
            records += 1
            visitedToo += 1
            return true
          })
        let context = "\(count) records, buffer \(bufferSize)"
        #expect(visited == count && taken + visitedToo == count && taken > 0, "\(context)")
        #expect(scanner.nextOffset == plain.nextOffset && plain.nextOffset == text.utf8.count, "\(context)")
        #expect(scanner.nextLine == plain.nextLine && scanner.nextLine == count + 1, "\(context)")
        #expect(scanner.lastRecordEndedLine && plain.lastRecordEndedLine, "\(context)")
      }
    }
  }
}
