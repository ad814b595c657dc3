import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// CSV cells whose quotes sit beside combining marks: `"` U+0301 is one `Character` that is not `"`, so quotes
/// doubled by `Character` (`replacingOccurrences`) were left single there and the cell's quotes did not balance.
@Suite("CSV cells: quotes doubled by scalar")
struct CSVCellQuotingTests {
  /// Each scalar of a quote followed by a combining mark is doubled, in plain, guarded and unguarded cells.
  @Test func aQuoteBesideACombiningMarkIsDoubled() {
    #expect(CSVCell.quoted("a\"\u{301}b") == "\"a\"\"\u{301}b\"")
    #expect(CSVCell.text("a\"\u{301}b") == "\"a\"\"\u{301}b\"")
    #expect(CSVCell.text("=\"\u{301}") == "\"'=\"\"\u{301}\"")
    #expect(CSVCell.quoted("x,\u{301}y") == "\"x,\u{301}y\"")
    #expect(CSVCell.quoted("plain é") == "plain é")
    #expect("it'\u{301}s".replacing(ascii: "'", with: "'\\''") == "it'\\''\u{301}s")
  }

  /// Random texts over quotes, commas, line ends, combining marks and formula starts: each cell, written after
  /// a unit and read back by the scanner `analyze` reads files with, gives the text again (the guard's `'` aside).
  @Test func randomCellsReadBackAsWritten() throws {
    var generator = SplitMix64(seed: 7)
    let alphabet: [String] = ["a", "\"", ",", "\n", "\r\n", "\u{301}", "\"\u{301}", ",\u{301}", "'", "=", "é", " "]
    var texts: [String] = []
    var file = ""
    for row in 0..<400 {
      let text = (0..<Int.random(in: 1...7, using: &generator)).map { _ in
        alphabet.randomElement(using: &generator)!
      }.joined()
      texts.append(text)
      file += "u\(row),\(CSVCell.quoted(text)),\(CSVCell.text(text))\n"
    }
    let records = try CSVScannerTests.scan(file, bufferSize: 4096)
    #expect(records.count == texts.count)
    for (record, text) in zip(records, texts) {
      #expect(record.fields.count == 3, "\(text.debugDescription): \(record.fields.debugDescription)")
      guard record.fields.count == 3 else { continue }
      #expect(record.fields[1] == text, "\(text.debugDescription)")
      let guarded = record.fields[2]
      let unguarded = OutputEncoding.needsGuard(text.utf8.first ?? 0) ? String(guarded.dropFirst()) : guarded
      #expect(unguarded == text, "\(text.debugDescription)")
    }
  }
}
