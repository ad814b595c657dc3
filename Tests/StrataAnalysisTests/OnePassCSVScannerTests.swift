import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// `strata assign`'s one-pass scanner must read every file exactly as ``CSVScanner`` does: the same fields, line
/// numbers and malformations, whatever the buffer size (records cut at the end of a buffer are scanned again).
@Suite("One-pass CSV scanner")
struct OnePassCSVScannerTests {
  struct Scanned: Equatable, CustomStringConvertible {
    var line: Int
    var fields: [[UInt8]]
    var problem: String?
    var description: String { "line \(line) \(fields.map { String(decoding: $0, as: UTF8.self) }) \(problem ?? "")" }
  }

  static func withFile<Result>(_ bytes: [UInt8], _ body: (String) throws -> Result) throws -> Result {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-onepass-\(UUID().uuidString).csv")
    try Data(bytes).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
  }

  static func convert(_ record: CSVScanner.Record) -> Scanned {
    Scanned(
      line: record.line, fields: (0..<record.fieldCount).map { Array(record.field($0)) },
      problem: record.malformation?.description)
  }

  /// The records ``CSVScanner`` hands out, and the error it stops with (if any).
  static func reference(_ path: String, bufferSize: Int) -> ([Scanned], String?) {
    var records: [Scanned] = []
    do {
      var scanner = try CSVScanner(path: path, bufferSize: bufferSize)
      defer { scanner.close() }
      try scanner.forEachRecord { record in
        records.append(convert(record))
        return true
      }
      return (records, nil)
    } catch {
      return (records, "\(error)")
    }
  }

  static func onePass(_ path: String, bufferSize: Int) -> ([Scanned], String?) {
    var records: [Scanned] = []
    do {
      var scanner = try OnePassCSVScanner(path: path, bufferSize: bufferSize)
      defer { scanner.close() }
      while let record = try scanner.next() { records.append(convert(record)) }
      return (records, nil)
    } catch {
      return (records, "\(error)")
    }
  }

  static func agree(_ bytes: [UInt8], bufferSizes: [Int], _ comment: String) throws {
    try withFile(bytes) { path in
      for bufferSize in bufferSizes {
        let (expected, expectedError) = reference(path, bufferSize: bufferSize)
        let (records, error) = onePass(path, bufferSize: bufferSize)
        #expect(error == expectedError, "\(comment), buffer \(bufferSize)")
        #expect(records.count == expected.count, "\(comment), buffer \(bufferSize)")
        if let index = Array(zip(records, expected)).firstIndex(where: { $0.0 != $0.1 }) {
          Issue.record(
            "\(comment), buffer \(bufferSize): record \(index) is \(records[index]), expected \(expected[index])")
        }
      }
    }
  }

  @Test func pinnedCases() throws {
    let cases = [
      "a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",3\n\"multi\nline\",,\"\"\nlast,row,no-newline",
      "a,b\nx,ab\"c\ny,\"d\"e\n\"ok \"\"q\"\"\",\"3\"\r\n\"multi\nline\",2\nlast,\"open\nend",
      "\u{FEFF}member_id,value\r\nM1,3\n\u{FEFF}M2,4\n",
      "\u{FEFF}\"member id\",value\n",
      "\u{FEFF}",
      "ab",
      "",
      "\n\n",
      "a\rb,c\n",  // a bare CR in a record without quotes is kept
      "a\rb,\"c\"\n",  // and dropped in a record with quotes (the quoted path's rule)
      "x,\r\"q\",y\r\n",  // a CR before an opening quote
      "a,b,\n",
      "a,b,",
      "\"a\"\"\",\"\"\"\"\n",
      "\"a\"\r\"b\",c\n",
      "a,\"b\nc\",d\r\ne,\"f\"",
    ]
    for text in cases {
      try Self.agree(Array(text.utf8), bufferSizes: [8, 13, 64, 1 << 16], text.debugDescription)
    }
  }

  /// Random files over an alphabet of the bytes that matter (separators, quotes, CR, LF, a multi-byte letter).
  @Test func randomFilesAgreeWithCSVScanner() throws {
    var generator = SplitMix64(seed: 2026)
    let alphabet = Array("ab1,,\"\"\n\r é".utf8)
    for round in 0..<200 {
      let length = Int.random(in: 0...400, using: &generator)
      var bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
      if round % 7 == 0 { bytes = [0xEF, 0xBB, 0xBF] + bytes }
      try Self.agree(bytes, bufferSizes: [13, 64, 97, 1 << 12], "round \(round)")
    }
  }

  /// Many fields: the offset arrays grow (from 64) and the record is scanned again.
  @Test func wideRecordsGrowTheFieldArrays() throws {
    let row = (0..<300).map { $0 % 3 == 0 ? "\"f,\($0)\"" : "f\($0)" }.joined(separator: ",")
    try Self.agree(
      Array((row + "\n" + row.replacingOccurrences(of: "\"", with: "") + "\n").utf8),
      bufferSizes: [4096], "300 fields")
  }

  @Test func aRecordLongerThanTheBufferIsAnErrorWithItsLine() throws {
    try Self.withFile(Array(("a,b\n\"unclosed,\n" + String(repeating: "x", count: 100)).utf8)) { path in
      let (records, error) = Self.onePass(path, bufferSize: 32)
      #expect(records.count == 1)
      #expect(error?.contains(":2: has a record longer than 32 bytes") == true, "\(error ?? "no error")")
    }
  }
}
