import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

@Suite("CSV scanner and number parser")
struct CSVScannerTests {
  static func temporaryFile(_ text: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-csv-\(UUID().uuidString).csv")
    try Data(text.utf8).write(to: url)
    return url
  }

  static func scan(_ text: String, bufferSize: Int) throws -> [(line: Int, fields: [String])] {
    let url = try temporaryFile(text)
    defer { try? FileManager.default.removeItem(at: url) }
    var scanner = try CSVScanner(path: url.path, bufferSize: bufferSize)
    defer { scanner.close() }
    var records: [(Int, [String])] = []
    try scanner.forEachRecord { record in
      records.append((record.line, (0..<record.fieldCount).map { record.string($0) }))
      return true
    }
    return records
  }

  @Test func quotingLineEndsAndLineNumbers() throws {
    let text = "a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",3\n\"multi\nline\",,\"\"\nlast,row,no-newline"
    for bufferSize in [28, 31, 64, 1 << 16] {
      let records = try Self.scan(text, bufferSize: bufferSize)
      #expect(
        records.map(\.fields) == [
          ["a", "b", "c"], ["x, y", "he said \"hi\"", "3"], ["multi\nline", "", ""], ["last", "row", "no-newline"],
        ], "buffer \(bufferSize)")
      #expect(records.map(\.line) == [1, 2, 3, 5], "buffer \(bufferSize)")
    }
  }

  /// Random records written with RFC 4180 quoting come back field for field, whatever the buffer size.
  @Test func randomRecordsRoundTrip() throws {
    var generator = SplitMix64(seed: 42)
    let alphabet = Array("ab1 ,\"\n\r.-é")
    var expected: [[String]] = []
    var text = ""
    for _ in 0..<300 {
      let fields = (0..<Int.random(in: 1...5, using: &generator)).map { _ in
        String((0..<Int.random(in: 0...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
      }
      expected.append(fields)
      text +=
        fields.map { field in
          field.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) }) || field.isEmpty
            ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",") + "\n"
    }
    for bufferSize in [90, 131, 4096] {
      let records = try Self.scan(text, bufferSize: bufferSize)
      #expect(records.count == expected.count, "buffer \(bufferSize)")
      if let index = Array(zip(records, expected)).firstIndex(where: { $0.0.fields != $0.1 }) {
        Issue.record(
          "buffer \(bufferSize): record \(index) is \(records[index].fields.debugDescription), expected \(expected[index].debugDescription)"
        )
      }
    }
  }

  /// Unquoted records are split a word (eight bytes) at a time: every position of a comma, a line end (LF or CRLF)
  /// and a quote within and across words gives the fields of a byte-by-byte split, with the right lines, whatever
  /// the buffer size; a quote met after eight or more bytes of a record still sends it to the quoted path.
  @Test func unquotedRecordsSplitWordAtATime() throws {
    var generator = SplitMix64(seed: 17)
    let alphabet = Array("ab1 .-é\r")
    // Runs of commas (more than four in a word), and records with more fields than the scanner's first arrays.
    var expected: [[String]] = [
      ["a", "", "", "", "", "", "", "", "", "b"], [String](repeating: "", count: 19),
      (0..<150).map { "\($0 % 3 == 0 ? "" : "f\($0)")" }, [String](repeating: "", count: 300),
    ]
    var text = expected.map { $0.joined(separator: ",") + "\n" }.joined()
    for _ in 0..<2000 {
      let fields = (0..<Int.random(in: 1...9, using: &generator)).map { _ in
        String((0..<Int.random(in: 0...13, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
      }
      let quoteLast = Int.random(in: 0..<10, using: &generator) == 0
      var written = fields
      if quoteLast { written[written.count - 1] = "\"q,\"\"\"" }
      let crlf = Bool.random(using: &generator)
      text += written.joined(separator: ",") + (crlf ? "\r\n" : "\n")
      // A record with a quote goes the quoted path, which drops every carriage return outside quotes.
      var kept = quoteLast ? fields.map { $0.replacingOccurrences(of: "\r", with: "") } : fields
      if quoteLast { kept[kept.count - 1] = "q,\"" }
      if !crlf && !quoteLast, let last = kept.last, last.hasSuffix("\r") {
        kept[kept.count - 1] = String(last.dropLast())
      }
      expected.append(kept)
    }
    text += "no,line,end"
    expected.append(["no", "line", "end"])
    for bufferSize in [700, 1001, 1 << 16] {
      let records = try Self.scan(text, bufferSize: bufferSize)
      #expect(records.count == expected.count, "buffer \(bufferSize)")
      if let index = Array(zip(records, expected)).firstIndex(where: { $0.0.fields != $0.1 }) {
        Issue.record(
          "buffer \(bufferSize): record \(index) is \(records[index].fields.debugDescription), expected \(expected[index].debugDescription)"
        )
      }
      #expect(records.map(\.line) == Array(1...expected.count), "buffer \(bufferSize)")
    }
  }

  /// `candidateBytes` marks exactly the bytes below `-` (0x2D), commas, line ends and quotes among them, and nothing
  /// else, whatever the bytes around them (no carry between bytes).
  @Test func candidateBytesMarksExactlyTheBytesBelowMinus() {
    var generator = SplitMix64(seed: 5)
    for round in 0..<40_000 {
      var bytes = (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }
      if round % 2 == 0 {
        for index in bytes.indices where Bool.random(using: &generator) {
          bytes[index] = [
            0x2C, 0x0A, 0x22, 0x0D, 0x20, 0x2B, 0x2D, 0x2E, 0x0B, 0x09, 0x21, 0x23, 0xAC, 0x8A, 0xA2, 0xAD, 0x00, 0x7F,
            0x80, 0xFF,
          ].randomElement(using: &generator)!
        }
      }
      let word = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
      let expected = bytes.enumerated().reduce(UInt64(0)) {
        $1.element < 0x2D ? $0 | UInt64(0x80) << (8 * UInt64($1.offset)) : $0
      }
      #expect(CSVScanner.candidateBytes(word) == expected, "\(bytes)")
    }
  }

  /// Word edges and the word carried from one record to the next.
  ///
  /// Records aimed at every length from 0 to 40 bytes, so that each starts at every offset within a word and fields,
  /// commas, line ends (LF and CRLF) and quotes fall on and across the edges of 8-, 16-, 32- and 64-byte blocks;
  /// fields hold the other bytes below `-` that the word's
  /// mask reports (space, `+`, `!`, `#`, tab) and some are quoted (with commas, quotes and line ends inside);
  /// buffers of 80 to 104 bytes (and a large one) cut records at every position of the buffer's end. The fields and
  /// line numbers must be those the records were written from.
  @Test func recordsAtEveryWordAndBufferEdge() throws {
    var generator = SplitMix64(seed: 23)
    let plain = Array("ab1 +!#\t.-é")
    let quotedAlphabet = Array("ab ,\"\n+")
    var expected: [[String]] = []
    var lines: [Int] = []
    var text = ""
    var line = 1
    for recordIndex in 0..<1200 {
      // Aim the record at a length: every length 0...40 in turn, then random ones.
      let target = recordIndex < 41 * 4 ? recordIndex % 41 : Int.random(in: 0...40, using: &generator)
      var fields: [String] = []
      var written: [String] = []
      var length = 0
      repeat {
        let quoted = Int.random(in: 0..<8, using: &generator) == 0
        let size = Int.random(in: 0...min(12, max(0, target - length)), using: &generator)
        let field = String(
          (0..<size).map { _ in (quoted ? quotedAlphabet : plain).randomElement(using: &generator)! })
        let form = quoted ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        fields.append(field)
        written.append(form)
        length += form.utf8.count + 1
      } while length < target
      if fields.count == 1 && fields[0].isEmpty && !written[0].hasPrefix("\"") {
        fields = ["z"]
        written = ["z"]  // a blank line would be one empty field too, but keep every record visible
      }
      let crlf = Int.random(in: 0..<3, using: &generator) == 0
      text += written.joined(separator: ",") + (crlf ? "\r\n" : "\n")
      expected.append(fields)
      lines.append(line)
      line += 1 + fields.reduce(0) { $0 + $1.filter { $0 == "\n" }.count }
    }
    for bufferSize in Array(80...104) + [1 << 16] {
      let records = try Self.scan(text, bufferSize: bufferSize)
      #expect(records.count == expected.count, "buffer \(bufferSize)")
      if let index = Array(zip(records, expected)).firstIndex(where: { $0.0.fields != $0.1 }) {
        Issue.record(
          "buffer \(bufferSize): record \(index) is \(records[index].fields.debugDescription), expected \(expected[index].debugDescription)"
        )
      }
      #expect(records.map(\.line) == lines, "buffer \(bufferSize)")
    }
  }

  /// Scans with every record's malformation (nil when the quoting is well formed).
  static func scanWithProblems(_ text: String, bufferSize: Int) throws
    -> [(line: Int, fields: [String], problem: String?)]
  {
    let url = try temporaryFile(text)
    defer { try? FileManager.default.removeItem(at: url) }
    var scanner = try CSVScanner(path: url.path, bufferSize: bufferSize)
    defer { scanner.close() }
    var records: [(Int, [String], String?)] = []
    try scanner.forEachRecord { record in
      records.append((record.line, (0..<record.fieldCount).map { record.string($0) }, record.malformation?.description))
      return true
    }
    return records
  }

  /// Spreadsheet exports start with a UTF-8 byte order mark: it is not part of the first column's name.
  ///
  /// Only a leading one is skipped; whatever the buffer size.
  @Test func aLeadingByteOrderMarkIsSkipped() throws {
    let text = "\u{FEFF}member_id,value\r\nM1,3\n\u{FEFF}M2,4\n"
    for bufferSize in [20, 21, 23, 1 << 16] {
      let records = try Self.scan(text, bufferSize: bufferSize)
      #expect(
        records.map(\.fields) == [["member_id", "value"], ["M1", "3"], ["\u{FEFF}M2", "4"]], "buffer \(bufferSize)")
      #expect(records.map(\.line) == [1, 2, 3], "buffer \(bufferSize)")
    }
    let quoted = try Self.scan("\u{FEFF}\"member id\",value\n", bufferSize: 64)
    #expect(quoted.map(\.fields) == [["member id", "value"]])
    #expect(try Self.scan("\u{FEFF}", bufferSize: 64).isEmpty)
    #expect(try Self.scan("ab", bufferSize: 64).map(\.fields) == [["ab"]])  // shorter than a mark
  }

  /// Malformed quoting is reported on its record, with the right line, and does not swallow the lines after it: a
  /// quote inside an unquoted field is literal, text after a closing quote is kept, an unclosed quote at the end of
  /// the file is named.
  @Test func malformedQuotingIsReportedPerRecord() throws {
    let text = "a,b\nx,ab\"c\ny,\"d\"e\n\"ok \"\"q\"\"\",\"3\"\r\n\"multi\nline\",2\nlast,\"open\nend"
    for bufferSize in [24, 37, 1 << 16] {
      let records = try Self.scanWithProblems(text, bufferSize: bufferSize)
      #expect(
        records.map(\.fields) == [
          ["a", "b"], ["x", "ab\"c"], ["y", "de"], ["ok \"q\"", "3"], ["multi\nline", "2"], ["last", "open\nend"],
        ], "buffer \(bufferSize)")
      #expect(records.map(\.line) == [1, 2, 3, 4, 5, 7], "buffer \(bufferSize)")
      #expect(
        records.map(\.problem) == [
          nil, "a quote inside an unquoted field (field 2)", "text after a closing quote (field 2)", nil, nil,
          "a quoted field that is not closed before the end of the file",
        ], "buffer \(bufferSize)")
    }
  }

  @Test func aRecordLongerThanTheBufferIsAnErrorWithItsLine() throws {
    #expect(throws: DataError.self) {
      try Self.scan("a,b\n\"unclosed,\n" + String(repeating: "x", count: 100), bufferSize: 32)
    }
  }

  @Test func numberParserAgreesWithStrtod() throws {
    var generator = SplitMix64(seed: 7)
    var texts = [
      "0", "-0", "1", "0.1", "1e-5", "-3.25E+2", "123456789012345678901", "1.7976931348623157e308", "4.9e-324", " 2.5 ",
      "+7", ".5", "5.",
    ]
    for _ in 0..<2000 {
      let value = Double.random(in: -1e6...1e6, using: &generator)
      texts.append(String(format: "%.\(Int.random(in: 0...12, using: &generator))f", value))
      texts.append("\(value)")
      texts.append(String(format: "%.6e", value * Double.random(in: 1e-30...1e30, using: &generator)))
    }
    for text in texts {
      let parsed = Array(text.utf8).withUnsafeBufferPointer { NumberParser.parse($0) }
      let reference = Double(text.trimmingCharacters(in: .whitespaces))
      #expect(parsed == reference, "\(text)")
    }
    for bad in ["", " ", "abc", "1.2.3", "1e", "--1", "inf", "nan", "1,5", "0x10"] {
      let parsed = Array(bad.utf8).withUnsafeBufferPointer { NumberParser.parse($0) }
      #expect(parsed == nil, "\(bad)")
    }
  }

  @Test func unitHashSetFindsEveryDuplicateAndGrows() {
    let set = UnitHashSet(capacity: 4)
    for index in 0..<50_000 {
      let inserted = Array("member-\(index)".utf8).withUnsafeBufferPointer { set.insert($0) }
      #expect(inserted)
    }
    for index in stride(from: 0, to: 50_000, by: 997) {
      let inserted = Array("member-\(index)".utf8).withUnsafeBufferPointer { set.insert($0) }
      #expect(!inserted)
    }
    #expect(set.count == 50_000)
    #expect(set.memoryBytes <= 50_000 * 8 * 4 / 3 * 2 + 64)
  }
}
