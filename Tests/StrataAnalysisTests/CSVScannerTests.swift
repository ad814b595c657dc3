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

  /// The records of `text` as the scanner's byte loop reads them, byte by byte (`CSVScanner.QuoteState`): a record
  /// without a quote before its line feed split at commas (a carriage return before the line feed dropped), any other
  /// one unquoted byte by byte to its line feed outside quotes, each with its line and malformation.
  static func referenceRecords(_ text: String) -> [(line: Int, fields: [String], problem: String?)] {
    let bytes = Array(text.utf8)
    var records: [(Int, [String], String?)] = []
    var position = 0
    var line = 1
    while position < bytes.count {
      let lineFeed = bytes[position...].firstIndex(of: UInt8(ascii: "\n"))
      let quote = bytes[position...].firstIndex(of: UInt8(ascii: "\""))
      if let lineFeed, lineFeed < (quote ?? bytes.count) {
        var fields = bytes[position..<lineFeed].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
          .map { Array($0) }
        if fields[fields.count - 1].last == UInt8(ascii: "\r") { fields[fields.count - 1].removeLast() }
        records.append((line, fields.map { String(decoding: $0, as: UTF8.self) }, nil))
        line += 1
        position = lineFeed + 1
        continue
      }
      var quoting = CSVScanner.QuoteState()
      var fields: [[UInt8]] = [[]]
      var problem: CSVScanner.Malformation? = nil
      var newlines = 0
      while position < bytes.count {
        let byte = bytes[position]
        position += 1
        if byte == UInt8(ascii: "\n") {
          newlines += 1
          if !quoting.inQuotes { break }
          fields[fields.count - 1].append(byte)
          continue
        }
        switch quoting.step(byte) {
        case .keep: fields[fields.count - 1].append(byte)
        case .drop: break
        case .separator: fields.append([])
        case .literalQuote:
          fields[fields.count - 1].append(byte)
          problem = problem ?? .quoteInsideUnquotedField(field: fields.count)
        case .textAfterClosingQuote:
          fields[fields.count - 1].append(byte)
          problem = problem ?? .textAfterClosingQuote(field: fields.count)
        }
      }
      if quoting.inQuotes { problem = .unclosedQuote }
      if position == bytes.count && bytes.last != UInt8(ascii: "\n") || quoting.inQuotes { newlines += 1 }
      records.append((line, fields.map { String(decoding: $0, as: UTF8.self) }, problem?.description))
      line += newlines
    }
    return records
  }

  /// Quoted records as `csv.QUOTE_ALL` and `QUOTE_NONNUMERIC` write them, split where they stand (`splitQuotedRecord`),
  /// among records with `""`, line ends or carriage returns inside quotes, literal quotes, text after a closing quote,
  /// bare carriage returns and an unclosed quote at the end: every record's fields, line and malformation the byte
  /// loop's, at every buffer size; quotes at every offset of a word.
  @Test func quotedRecordsSplitWhereTheyStand() throws {
    var generator = SplitMix64(seed: 91)
    let inside = Array("ab1 ,.-+é")
    let plain = Array("ab1 .-+é")
    var text = ""
    for _ in 0..<3000 {
      let count = Int.random(in: 1...6, using: &generator)
      var fields: [String] = []
      for _ in 0..<count {
        let size = Int.random(in: 0...9, using: &generator)
        let roll = Int.random(in: 0..<100, using: &generator)
        if roll < 70 {
          var content = String((0..<size).map { _ in inside.randomElement(using: &generator)! })
          switch Int.random(in: 0..<60, using: &generator) {
          case 0: content += "\"\""
          case 1: content += "\n"
          case 2: content += "\r"
          case 3: content += "\r\n"
          default: break
          }
          var field = "\"" + content + "\""
          if Int.random(in: 0..<80, using: &generator) == 0 { field += "x" }  // text after the closing quote
          fields.append(field)
        } else {
          var field = String((0..<size).map { _ in plain.randomElement(using: &generator)! })
          switch Int.random(in: 0..<60, using: &generator) {
          case 0: field += "\""  // a literal quote
          case 1: field += "\r"  // a bare carriage return
          case 2: field = "\r" + field
          default: break
          }
          fields.append(field)
        }
      }
      text += fields.joined(separator: ",") + (Int.random(in: 0..<3, using: &generator) == 0 ? "\r\n" : "\n")
    }
    let expected = Self.referenceRecords(text)
    for ending in ["", "\"open", "\"", "\"a\",\"b"] {
      let all = text + ending
      let expected = ending.isEmpty ? expected : Self.referenceRecords(all)
      for bufferSize in [90, 97, 128, 131, 4096, 1 << 16] {
        let records = try Self.scanWithProblems(all, bufferSize: bufferSize)
        #expect(records.count == expected.count, "buffer \(bufferSize), ending \(ending.debugDescription)")
        let differs = { (index: Int) -> Bool in
          let (got, want) = (records[index], expected[index])
          return got.fields != want.fields || got.line != want.line || got.problem != want.problem
        }
        if let index = (0..<min(records.count, expected.count)).first(where: differs) {
          Issue.record(
            "buffer \(bufferSize), ending \(ending.debugDescription): record \(index) is \(records[index]), expected \(expected[index])"
          )
        }
      }
    }
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

  /// What a scan of `text` gives with refills of at most `readSize` bytes (nil: the whole buffer): the records, the
  /// bytes read at each refill, where the last record ended and whether at a line end, or the error.
  static func scanInReads(_ text: String, bufferSize: Int, readSize: Int?) throws -> (
    records: [String], reads: [Int], nextOffset: Int, endedLine: Bool, error: String?
  ) {
    let url = try temporaryFile(text)
    defer { try? FileManager.default.removeItem(at: url) }
    var scanner = try CSVScanner(path: url.path, bufferSize: bufferSize, prefix: nil, readSize: readSize)
    defer { scanner.close() }
    var records: [String] = []
    var reads: [Int] = []
    var before = 0
    do {
      try scanner.forEachRecord(progress: { read in
        reads.append(read - before)
        before = read
      }) { record in
        records.append("\(record.line):\((0..<record.fieldCount).map { record.string($0) })")
        return true
      }
    } catch let error as DataError {
      return (
        records, reads, scanner.nextOffset, scanner.lastRecordEndedLine, "line \(error.line ?? 0): \(error.message)"
      )
    }
    return (records, reads, scanner.nextOffset, scanner.lastRecordEndedLine, nil)
  }

  /// Refills of fewer bytes than the buffer holds (the chunk scanners', `ChunkedUnitReader.readSize`) give the same
  /// records, lines and offsets as refills of the whole buffer, a record may still span the whole buffer, and one
  /// longer than the buffer is the same error at the same line.
  @Test func smallerReadsGiveTheSameRecordsAndErrors() throws {
    var generator = SplitMix64(seed: 77)
    let alphabet = Array("ab1 ,\"\n\r.-é")
    var text = "unit,variant,value\n"
    for index in 0..<400 {
      // Every 37th record is long: longer than most read sizes below, shorter than the buffer.
      let count =
        index % 37 == 0 ? Int.random(in: 100...240, using: &generator) : Int.random(in: 0...12, using: &generator)
      let field = String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
      let quoted = "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
      text += "u\(index),\(index % 3 == 0 ? quoted : "v"),\(index)" + (index % 5 == 0 ? "\r\n" : "\n")
    }
    let unended = text + "last,\"open"
    for data in [text, unended] {
      let whole = try Self.scanInReads(data, bufferSize: 256, readSize: nil)
      #expect(whole.error == nil && whole.records.count == 402 - (data == text ? 1 : 0))
      for readSize in [1, 2, 7, 31, 64, 100, 255, 256, 1000] {
        let inReads = try Self.scanInReads(data, bufferSize: 256, readSize: readSize)
        #expect(inReads.records.count == whole.records.count, "read size \(readSize)")
        if let index = Array(zip(inReads.records, whole.records)).firstIndex(where: { $0.0 != $0.1 }) {
          Issue.record(
            "read size \(readSize): record \(index) is \(inReads.records[index]), not \(whole.records[index])")
        }
        #expect(inReads.nextOffset == whole.nextOffset && inReads.endedLine == whole.endedLine, "read size \(readSize)")
        #expect(inReads.error == nil, "read size \(readSize): \(inReads.error ?? "")")
        #expect(inReads.reads.allSatisfy { $0 <= readSize }, "read size \(readSize): reads \(inReads.reads.max() ?? 0)")
        #expect(inReads.reads.reduce(0, +) == data.utf8.count, "read size \(readSize)")
      }
    }
    // Longer than the buffer: the same error (its line) whatever the reads, after the same records.
    let tooLong = "a,b\nc,d\n\"unclosed,\n" + String(repeating: "x", count: 300)
    let whole = try Self.scanInReads(tooLong, bufferSize: 256, readSize: nil)
    #expect(whole.error?.contains("line 3") == true && whole.records.count == 2, "\(whole.error ?? "no error")")
    for readSize in [1, 7, 64, 255] {
      let inReads = try Self.scanInReads(tooLong, bufferSize: 256, readSize: readSize)
      #expect(inReads.error == whole.error && inReads.records == whole.records, "read size \(readSize)")
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

  /// The unit hash computed byte by byte, the reference that `UnitHashSet.hash` (one to three loads) must equal.
  ///
  /// For 1–16 bytes, the words of the first and last 8 (or 4, or the first, middle and last byte) assembled one byte
  /// at a time and folded; otherwise 8-byte words, then the last 1–7 bytes one at a time.
  static func referenceHash(_ bytes: [UInt8]) -> UInt64 {
    func word(_ slice: ArraySlice<UInt8>) -> UInt64 {
      slice.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
    func fold(_ x: UInt64, _ y: UInt64) -> UInt64 {
      let product = x.multipliedFullWidth(by: y)
      return product.high ^ product.low
    }
    let count = bytes.count
    if count >= 1 && count <= 16 {
      let width = count >= 8 ? 8 : count >= 4 ? 4 : 0
      let first =
        width > 0
        ? word(bytes[0..<width])
        : UInt64(bytes[0]) << 16 | UInt64(bytes[count / 2]) << 8 | UInt64(bytes[count - 1])
      let last = width > 0 ? word(bytes[(count - width)..<count]) : 0
      let mixed = fold(first ^ 0xFF51_AFD7_ED55_8CCD, last ^ 0xC4CE_B9FE_1A85_EC53)
      return fold(mixed ^ 0x9E37_79B9_7F4A_7C15, UInt64(count) ^ 0xD6E8_FEB8_6659_FD93)
    }
    let multiplier: UInt64 = 0xC6A4_A793_5BD1_E995
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ (UInt64(bytes.count) &* multiplier)
    var index = 0
    while index + 8 <= bytes.count {
      var word: UInt64 = 0
      for offset in 0..<8 { word |= UInt64(bytes[index + offset]) << (8 * UInt64(offset)) }
      word &*= multiplier
      word ^= word >> 47
      word &*= multiplier
      h ^= word
      h &*= multiplier
      index += 8
    }
    if index < bytes.count {
      var word: UInt64 = 0
      for offset in 0..<(bytes.count - index) { word |= UInt64(bytes[index + offset]) << (8 * UInt64(offset)) }
      h ^= word
      h &*= multiplier
    }
    h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
    h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
    return h ^ (h >> 31)
  }

  @Test("the unit hash of every length equals the byte-by-byte reference, read from the end of its buffer")
  func unitHashEqualsTheReference() {
    var random = SplitMix64(seed: 17)
    for length in 0...40 {
      for _ in 0..<50 {
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        // An allocation of exactly `length` bytes, so a load past the id's end would read outside it.
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: length)
        defer { buffer.deallocate() }
        _ = buffer.initialize(from: bytes)
        #expect(UnitHashSet.hash(UnsafeBufferPointer(buffer)) == Self.referenceHash(bytes), "length \(length)")
      }
    }
    // Fixed values of the hash, computed apart from Swift (Python's integers: the 128-bit products exactly), so that
    // the hash and its reference cannot drift together. Ids over 16 bytes, and the empty one, keep the values they
    // had before the short ids' hash changed.
    let fixed: [(String, UInt64)] = [
      ("", 0xE220_A839_7B1D_CDAF),
      ("u", 0x8A75_86FF_B389_AF5E),
      ("u1", 0x43AA_E3FC_9DE1_D31D),
      ("u12", 0xA9EE_4F1E_8DE3_E4A8),
      ("u1234", 0xB0A1_36A5_A072_DED7),
      ("u123456", 0xCAFC_3086_D26B_97BF),
      ("u1234567", 0x4BB1_CF02_A4BA_1C1A),
      ("u12345678", 0xF4AB_44A0_C67C_0F13),
      ("u29999999", 0xEA93_550C_2227_9F4A),
      ("0123456789abcdef", 0xAEE0_BDF2_EB54_FC36),
      ("0123456789abcdefg", 0x34CE_A80A_91A2_8560),
      ("user-00000000000042", 0x8B8C_1849_8F16_E659),
      ("3f2b8c1e-9d4a-4c7b-a1e2-5f6d7c8b9a0e", 0xBD21_5760_FF66_3116),
    ]
    for (id, value) in fixed {
      #expect(Array(id.utf8).withUnsafeBufferPointer { UnitHashSet.hash($0) } == value, "\(id)")
    }
  }
}
