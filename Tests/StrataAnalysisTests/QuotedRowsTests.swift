import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// The one-pass row (`UnitLevelRows.consumeFast`) with quoted fields (R's `write.csv`, Python's
/// `csv.QUOTE_NONNUMERIC` and `QUOTE_ALL`) and names with a space or another byte below `-` inside: each row it takes
/// is used exactly as the scanner and `consume` use it, and every other row is left to them untouched.
@Suite("The one-pass row with quoted fields and names with spaces")
struct QuotedRowsTests {
  static let header = ["unit_id", "variant", "note", "segment", "converted", "revenue"]

  /// Short names (the table of short names), spaces and other bytes below `-` among them: names a definition does not
  /// allow (variant keys and segment names are letters, digits, `_`, `-` and `.`), but the reader takes any.
  static let shortPlan = AnalysisPlan(
    id: "quoted", variants: ["control", "v1", "A&B"], segments: ["s1", "New York", "25+", "a(b)", "x y", "north"],
    metrics: FastRowsTests.plan.metrics)
  /// Many and long names (the wide table).
  static let widePlan = AnalysisPlan(
    id: "quoted-wide", variants: ["control", "treatment b", "v1"],
    segments: (1...60).map { "New York \($0)" } + [
      "gym (city)", "25+", "A&B", "seg-1", "a b c d e f g h i j k l m n o p", "high-engagement gym members 7",
    ],
    metrics: FastRowsTests.plan.metrics)
  /// The plans the tests run with: short names, many and long ones, and `FastRowsTests.manyPlan` (the hash table as
  /// well, names with spaces at their ends among them).
  static let plans = [shortPlan, widePlan, FastRowsTests.manyPlan]

  /// What a reader of `plan` does with `row` (after `header`): through `consumeFast` and, for a record with a quote,
  /// `consumeOther`, as the scanner calls them (`fast`: whether either took the row), or through the scanner and
  /// `consume` alone; its cells' bits, issues and counts.
  static func read(_ row: String, header: [String] = header, plan: AnalysisPlan, fast: Bool) throws -> (
    taken: Bool, bits: [String], issues: DataIssues, read: Int, used: Int
  ) {
    let text = header.joined(separator: ",") + "\n" + row
    let path = try CellSourcesTests.write(text, name: "quoted-row.csv")
    var options = DataReadOptions(checkDuplicates: false)
    options.chunkSize = 1 << 20
    var rows = try UnitLevelRows(header: header, plan: plan, path: path, options: options)
    #expect(rows.takesFastRows)
    var taken = false
    if fast {
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
      #expect(next == -1 || next == row.utf8.count, "\(row.debugDescription)")
      // A row taken tells the scanner the line ends inside its quotes: all its line feeds but the last.
      let lineFeeds = row.utf8.count(where: { $0 == UInt8(ascii: "\n") })
      #expect(next == -1 || lineEnds == max(0, lineFeeds - 1), "\(row.debugDescription)")
      taken = next >= 0
    }
    if !taken {
      var scanner = try CSVScanner(path: path, range: (text.utf8.count - row.utf8.count)..<text.utf8.count)
      defer { scanner.close() }
      try scanner.forEachRecord { record in
        if !record.isBlank { try rows.consume(record) }
        return true
      }
      try rows.flush()
    }
    return (taken, PipeChunksTests.bits(rows.statistics), rows.issues, rows.rowsRead, rows.rowsUsed)
  }

  /// `row` read on the one-pass row and by the usual path alone: the same cells to the bit, issues and counts; and
  /// whether the one-pass row took it.
  @discardableResult
  static func expectSame(_ row: String, header: [String] = header, plan: AnalysisPlan) throws -> Bool {
    try compare(row, header: header, plan: plan).taken
  }

  /// `expectSame`'s checks; whether the one-pass row took the row, and whether the usual path used it.
  static func compare(_ row: String, header: [String] = header, plan: AnalysisPlan) throws -> (
    taken: Bool, used: Bool
  ) {
    let fast = try read(row, header: header, plan: plan, fast: true)
    let usual = try read(row, header: header, plan: plan, fast: false)
    #expect(fast.bits == usual.bits, "\(plan.id): \(row.debugDescription)")
    #expect(fast.issues == usual.issues, "\(plan.id): \(row.debugDescription)")
    #expect(fast.read == usual.read && fast.used == usual.used, "\(plan.id): \(row.debugDescription)")
    // Nothing is taken that the usual path would not use.
    #expect(!fast.taken || usual.used == 1, "\(plan.id): \(row.debugDescription)")
    return (fast.taken, usual.used == 1)
  }

  /// Every field of `row` quoted (`"…"`) where `quote(index)` says so.
  static func quoting(_ fields: [String], _ quote: (Int) -> Bool) -> String {
    fields.enumerated().map { quote($0.offset) ? "\"\($0.element)\"" : $0.element }.joined(separator: ",")
  }

  @Test(
    "quoted unit ids, variants, segments, skipped fields and numbers, in every mix with unquoted ones, LF and CRLF: taken, and used as the usual path uses them",
    arguments: plans.indices)
  func takesQuotedFields(plan index: Int) throws {
    let plan = Self.plans[index]
    let variant = plan.variants[plan.variants.count - 1]
    let segments = [plan.segments[0], plan.segments[plan.segments.count / 2], plan.segments[plan.segments.count - 1]]
    for segment in segments {
      let fields = ["u17", variant, "a note, with a comma", segment, "1", "18.41"]
      // Every subset of the six fields quoted (the note only when quoted: unquoted, its comma splits it).
      for mask in 0..<64 where mask & 4 != 0 {
        for lineEnd in ["\n", "\r\n"] {
          let row = Self.quoting(fields) { mask & (1 << $0) != 0 } + lineEnd
          let result = try Self.compare(row, plan: plan)
          #expect(result.taken == result.used, "\(plan.id): \(row.debugDescription)")
        }
      }
    }
    // Quoted numbers as `parse` reads them (QUOTE_ALL), empty ones as missing, and quoted names with spaces around
    // them (which the usual path drops).
    for (converted, revenue) in [
      ("0", "-3.5"), ("1", "1e-05"), ("1", " 2.5 "), ("0", ""), ("", "7"), ("  ", "  "), ("1", "+5"), ("0", ".5"),
      ("1", "55.407000000000004"), ("0", "2.5E+20"),
    ] {
      let row = "\"u1\",\"\(variant)\",\"\",\"\(segments[1])\",\"\(converted)\",\"\(revenue)\"\n"
      #expect(try Self.expectSame(row, plan: plan), "\(plan.id): \(row.debugDescription)")
    }
    for name in [" \(segments[1])", "\(segments[1])  ", "  \(segments[1]) "] {
      let row = "u1,\"\(variant) \",,\"\(name)\",1,2\n"
      #expect(try Self.expectSame(row, plan: plan), "\(plan.id): \(row.debugDescription)")
    }
  }

  @Test(
    "R's write.csv rows (quoted strings, numbers in exponent notation or with a leading +): taken through scanGeneral, each as the usual path reads it; forms parse refuses are left to it",
    arguments: plans.indices)
  func takesExponentsInQuotedRecords(plan index: Int) throws {
    let plan = Self.plans[index]
    let variant = plan.variants[1]
    let segment = plan.segments[plan.segments.count - 1]
    func row(_ converted: String, _ revenue: String, _ lineEnd: String) -> String {
      "\"u1\",\"\(variant)\",\"a note\",\"\(segment)\",\(converted),\(revenue)\(lineEnd)"
    }
    for (converted, revenue) in [
      ("1", "1.841e-05"), ("0", "2.5E+03"), ("1", "+5"), ("0", "-1.5e-7"), ("1", "1e0"), ("1", "5e-324"),
      ("0", "1.7976931348623157e308"), ("1", "12345678901234567e-12"), ("0", "1e-400"), ("1e0", "3"), ("0E5", "4"),
      ("+1", "+1.5e+2"), ("1", ""), ("1", "18.41"),
    ] {
      for lineEnd in ["\n", "\r\n"] {
        let text = row(converted, revenue, lineEnd)
        #expect(try Self.expectSame(text, plan: plan), "\(plan.id): \(text.debugDescription)")
      }
    }
    for (converted, revenue) in [
      ("1", "1e"), ("1", "1e+"), ("0", "1e400"), ("1", "-1e309"), ("2e0", "3"), ("5e-1", "3"), ("1", "1e5x"),
      ("1", "1e5 "), ("1", "1e5e5"), ("1", "NA"), ("TRUE", "3"), ("1", "+"), ("1", "++5"),
    ] {
      let text = row(converted, revenue, "\n")
      let result = try Self.compare(text, plan: plan)
      #expect(!result.taken, "\(plan.id): \(text.debugDescription)")
    }
  }

  @Test(
    "quoted fields the scanner reads otherwise or rejects: not taken (a doubled quote or a line end inside a field that is used, a quote not at the start, text after the closing quote, an unclosed quote, empty or bad ones), the usual path's result",
    arguments: plans.indices)
  func leavesOtherQuotes(plan index: Int) throws {
    let plan = Self.plans[index]
    let segment = plan.segments[1]
    for row in [
      "\"u\"\"1\",control,,\(segment),1,2\n", "\"u\n1\",control,,\(segment),1,2\n",
      "u1,\"control\"\"\",,\(segment),1,2\n", "u1,\"con\ntrol\",,\(segment),1,2\n",
      "u1,control,,\"\(segment)\n\",1,2\n", "u1,control,,\(segment),\"1\n\",2\n",
      "u1,control,,\(segment),1,\"2\r\n\"\n",
      "u\"1\",control,,\(segment),1,2\n", "u1,con\"trol\",,\(segment),1,2\n", "u1,control,n\"o\"te,\(segment),1,2\n",
      "\"u1\"x,control,,\(segment),1,2\n", "u1,\"control\" ,,\(segment),1,2\n", "u1,control,\"n\"o,\(segment),1,2\n",
      "u1,control,,\"\(segment)\"\r,1,2\n", "u1,control,,\(segment),\"1\"2,2\n", "u1,control,,\(segment),1,\"2\"\r\r\n",
      "\"\",control,,\(segment),1,2\n", "\"  \",control,,\(segment),1,2\n", "u1,\"\",,\(segment),1,2\n",
      "u1,\"contro\",,\(segment),1,2\n", "u1,control,,\"\(segment)x\",1,2\n", "u1,control,,\(segment),\"2\",2\n",
      "u1,control,,\(segment),\"x\",2\n", "u1,control,,\(segment),1,\"abc\"\n", "u1,control,,\(segment),\"1\"\n",
      "u1,control,,\(segment),1,2,\"extra\"\n", "u1,\"control\r\",,\(segment),1,2\n",
      "u1,control,,\(segment),1,\"2\"", "u1,control,,\(segment),1,\"2",
      "u1,control,,\(segment),1,\"2\n", "u1,control,,\"\(segment),1,2\n", "\"u1,control,,\(segment),1,2\n",
    ] {
      #expect(!(try Self.expectSame(row, plan: plan)), "\(plan.id): \(row.debugDescription)")
    }
    // A carriage return inside quotes is the field's (both scanners keep it): a unit id with one is taken.
    #expect(try Self.expectSame("\"u\r1\",control,,\(segment),1,2\n", plan: plan))
    #expect(try Self.expectSame("u1,control,\"\r\",\(segment),1,2\n", plan: plan))
    // An unclosed quote that runs to the end of the bytes read (past the row's 256 bytes).
    let long = "u1,control,\"" + String(repeating: "n", count: 300) + "\n"
    #expect(!(try Self.expectSame(long, plan: plan)))
  }

  @Test(
    "skipped fields quoted with doubled quotes and line ends inside (multi-line notes, LF and CRLF, the note in the middle or last): taken, their line ends counted, used as the usual path uses them; text after the closing quote, an unclosed note and rows past 256 bytes left to it",
    arguments: plans.indices)
  func takesMultiLineSkippedFields(plan index: Int) throws {
    let plan = Self.plans[index]
    let segment = plan.segments[plan.segments.count / 2]
    let notes = [
      "a\"\"b", "a\nb", "a\r\nb", "\n", "\"\"", "\"\"\n\"\"", "\n\n\n", "Called twice.\nLeft a voicemail.",
      "Asked about pricing, then \"\"the annual plan\"\".\nFollow up in May.\nNo answer since.", "Survey: 4/5\n",
      "line one\nline two, with a comma", "x,\"\"y\"\"\r\n\nz\"\"", String(repeating: "n\n", count: 60),
    ]
    let last = ["unit_id", "variant", "segment", "converted", "revenue", "note"]
    for note in notes {
      for lineEnd in ["\n", "\r\n"] {
        let row = "u1,\"\(plan.variants[1])\",\"\(note)\",\(segment),1,2.5\(lineEnd)"
        #expect(try Self.expectSame(row, plan: plan), "\(plan.id): \(row.debugDescription)")
        let atEnd = "u2,control,\(segment),0,,\"\(note)\"\(lineEnd)"
        #expect(try Self.expectSame(atEnd, header: last, plan: plan), "\(plan.id): \(atEnd.debugDescription)")
      }
    }
    for row in [
      "u1,control,\"a\nb\"x,\(segment),1,2\n", "u1,control,\"a\nb\" ,\(segment),1,2\n",
      "u1,control,\"a\nb\"\r,\(segment),1,2\n", "u1,control,\"a\nb\"\"\n",
      "u1,control,\"a\n" + String(repeating: "n\n", count: 130) + "\",\(segment),1,2\n",
      "u1,control,\"a\nb\",\(segment),2,2\n", "u1,control,\"a\nb\",\(segment),1,x\n",
    ] {
      #expect(!(try Self.expectSame(row, plan: plan)), "\(plan.id): \(row.debugDescription)")
    }
  }

  @Test(
    "in a record with a quote, spaces around names, unit ids and skipped fields with spaces, and names with a space or another byte below `-` inside (`New York`, `A&B`: beyond what definitions allow): taken as the usual path takes them; without a quote, left to it",
    arguments: plans.indices)
  func takesNamesWithSpaces(plan index: Int) throws {
    let plan = Self.plans[index]
    for (segmentIndex, name) in plan.segments.enumerated() {
      for (variant, lineEnd) in [("control", "\n"), (plan.variants[1], "\r\n")] {
        for field in [name, " \(name)", "\(name) ", "  \(name)  "] {
          let row = "\"u 1\",\(variant),a note (x),\(field),1,2.5\(lineEnd)"
          let taken = try Self.expectSame(row, plan: plan)
          // Without a quote, the inlined steps leave a field with a space or another byte below `-`, and so the row.
          let plain = try Self.expectSame("u1,\(variant),,\(field),1,2.5\(lineEnd)", plan: plan)
          #expect(
            plain == (FastRowsTests.fastName(field) && FastRowsTests.fastName(variant)),
            "\(plan.id): \(field.debugDescription)")
          // Every name but one with spaces of its own at an end (which no field can match, spaces around it
          // dropped) or a comma, quote or line end in it.
          let expected = name.utf8.first != UInt8(ascii: " ") && name.utf8.last != UInt8(ascii: " ")
          #expect(taken == expected, "\(plan.id) segment \(segmentIndex): \(row.debugDescription)")
        }
        // The name as the row's last field, before either line end.
        let last = try Self.expectSame(
          "u1,\(variant),1,2.5,\"n\",\(name)\(lineEnd)",
          header: ["unit_id", "variant", "converted", "revenue", "note", "segment"],
          plan: plan)
        #expect(last || name.utf8.first == UInt8(ascii: " ") || name.utf8.last == UInt8(ascii: " "), "\(name)")
      }
      // Close strangers: a byte more or less, another byte inside, spaces in the middle doubled.
      for stranger in [
        "\(name)x", String(name.dropLast()), name.replacingOccurrences(of: " ", with: "  "), "x \(name)",
      ]
      where !plan.segments.contains(stranger.trimmingCharacters(in: .init(charactersIn: " "))) {
        try Self.expectSame("\"u1\",control,,\(stranger),1,2\n", plan: plan)
      }
    }
    // Unit ids of spaces only are empty (the usual path's rule); with other bytes, their spaces are theirs.
    for unit in [" ", "   ", " u1", "u1 ", "u 1", "u+1", "(u1)", "u&1"] {
      let taken = try Self.expectSame("\(unit),control,\"\",\(plan.segments[1]),1,2\n", plan: plan)
      #expect(taken == (unit.trimmingCharacters(in: .whitespaces) != ""), "\(unit.debugDescription)")
    }
    // A carriage return inside an unquoted field is not taken (a record with a quote elsewhere drops it).
    #expect(!(try Self.expectSame("u1,control,a\rb,\"\(plan.segments[1])\",1,2\n", plan: plan)))
    #expect(!(try Self.expectSame("u1,control,a\rb,\(plan.segments[1]),1,2\n", plan: plan)))
  }

  /// Rows of `plan`'s names, quoted as R and Python write them or not, with spaces, and each unusual row of
  /// `FastRowsTests.text` now and then (bad quotes, CRLF, bad numbers, repeated units).
  static func text(plan: AnalysisPlan, rows: Int, seed: UInt64) -> String {
    var random = SplitMix64(seed: seed)
    var text = "\"unit_id\",\"variant\",\"note\",\"segment\",\"converted\",\"revenue\"\n"
    let odd = [
      "\"x\"\"y\"", "\"a\nb\"", "a\"b\"", "\"a\"b", "\"\"", " ", "\r", "\"unknown name\"", "unknown", "\"  \"",
    ]
    for index in 0..<rows {
      let roll = Int.random(in: 0..<60, using: &random)
      // R's write.csv quotes every string; QUOTE_NONNUMERIC likewise; QUOTE_ALL the numbers too; some files none.
      let style = (index / 500) % 4
      let quote: (Int) -> Bool = { field in style == 3 || (style != 0 && field < 4) }
      var unit = "u\(index)"
      var variant = plan.variants[Int.random(in: 0..<plan.variants.count, using: &random)]
      var note = Bool.random(using: &random) ? "" : "note \(index % 7), (x)"
      var segment = plan.segments[Int.random(in: 0..<plan.segments.count, using: &random)]
      var converted = Bool.random(using: &random) ? "1" : "0"
      var revenue = String(format: "%.2f", Double.random(in: 0...900, using: &random))
      var lineEnd = "\n"
      switch roll {
      case 0: unit = odd[Int.random(in: 0..<odd.count, using: &random)]
      case 1: variant = odd[Int.random(in: 0..<odd.count, using: &random)]
      case 2: segment = odd[Int.random(in: 0..<odd.count, using: &random)]
      case 3: note = odd[Int.random(in: 0..<odd.count, using: &random)]
      case 4: revenue = ["", " 3", "1e-05", "abc", "\"2.5\"", "\"\"", "\"x\""][Int.random(in: 0..<7, using: &random)]
      case 5: converted = ["2", "\"1\"", "\"0.5\"", ""][Int.random(in: 0..<4, using: &random)]
      case 6: lineEnd = "\r\n"
      case 7: unit = "u\(Int.random(in: 0...index, using: &random))"  // a repeat
      case 8: segment = " \(segment) "
      case 9: unit = "u \(index)"
      case 10:
        text += "\"u\(index)\",\"\(variant)\"\n"
        continue
      default: break
      }
      let fields = [unit, variant, note, segment, converted, revenue]
      // An odd field stays as it is; the others quoted as the row's style says (a note with a comma always).
      text +=
        Self.quoting(fields) { field in
          !fields[field].contains("\"") && !fields[field].contains("\r")
            && (quote(field) || fields[field].contains(","))
        } + lineEnd
    }
    return text
  }

  @Test(
    "a file of quoted and unquoted rows, names with spaces and odd rows read on the one-pass path gives the row-by-row read's summary bit for bit: 1 and 2 threads, chunks of 4 KiB and 8 MiB, file and pipe, with and without the duplicate check, under --strict",
    arguments: plans.indices, [1, 2])
  func fileMatchesRowByRow(plan index: Int, threads: Int) throws {
    let plan = Self.plans[index]
    let text = Self.text(plan: plan, rows: 12_000, seed: UInt64(31 + index))
    let path = try CellSourcesTests.write(text)
    for checkDuplicates in [true, false] {
      for chunkSize in [4096, 1 << 23] {
        let label = "\(plan.id), \(threads) threads, chunk \(chunkSize), check \(checkDuplicates)"
        var options = PipeChunksTests.options(chunkSize: chunkSize, threads: threads, spooled: false)
        options.checkDuplicates = checkDuplicates
        let rows = try PipeChunksTests.readPiped(text, plan: plan, options: options)
        let file = try DataReader.read(paths: [path], plan: plan, options: options)
        PipeChunksTests.expectSame(rows, file, label)
        #expect(file.rowsUsed > 9_000 && file.rowsUsed < file.rowsRead, "\(label)")
        // A pipe copied to a temporary file first is read in chunks, on the one-pass path too.
        var spooled = PipeChunksTests.options(chunkSize: chunkSize, threads: threads, spooled: true)
        spooled.checkDuplicates = checkDuplicates
        let pipe = try PipeChunksTests.readPiped(text, plan: plan, options: spooled)
        PipeChunksTests.expectSame(rows, pipe, label + ", spooled pipe")
        PipeChunksTests.expectNoSpoolLeft(spooled, label)
      }
    }
    // Under --strict the first bad row stops the read, at the same line with the same message.
    var options = PipeChunksTests.options(chunkSize: 4096, threads: threads, spooled: false)
    options.strict = true
    let prefix = String(
      text.utf8.prefix(40_000).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map {
        String(decoding: $0, as: UTF8.self) + "\n"
      }.joined())
    try PipeChunksTests.expectSameFirstError(prefix, plan: plan, options: options)
  }
}
