import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

#if canImport(Glibc)
  import Glibc
#endif

/// A regular file is read in chunks on several threads: the result must not depend on the number of threads, the
/// account of rows (issues with their lines, first examples, counts) must be the whole file's, and errors the first
/// in file order, wherever the chunk boundaries fall.
@Suite("Chunked reading")
struct ChunkedReadTests {
  static let plan = CellSourcesTests.plan

  /// Unit-level rows with every kind of bad row, blank lines, repeated units (near and far) and, with `quoted`,
  /// quoted unit ids holding commas, doubled quotes and line ends.
  static func messyCSV(rows: Int, seed: UInt64, lineEnd: String = "\n", quoted: Bool = false) -> String {
    var random = SplitMix64(seed: seed)
    var text = "unit_id,variant,segment,converted,revenue,orders,items" + lineEnd
    for index in 0..<rows {
      let roll = Int.random(in: 0..<100, using: &random)
      var unit = "u\(index)"
      if roll < 4 && index > 0 { unit = "u\(Int.random(in: 0..<index, using: &random))" }  // a repeat
      if quoted && roll >= 90 { unit = roll < 95 ? "\"u\(index)\nline two\"" : "\"u\(index), \"\"q\"\"\"" }
      let variant = roll == 4 ? "holdout" : (Bool.random(using: &random) ? "control" : "treatment")
      let segment = roll == 5 ? "east" : ["north", "south", "west"][Int.random(in: 0..<3, using: &random)]
      let converted = roll == 6 ? "yes" : (Int.random(in: 0..<4, using: &random) == 0 ? "1" : "0")
      let revenue = roll < 15 ? "" : String(format: "%.2f", Double.random(in: 1...900, using: &random))
      let orders = Int.random(in: 1...6, using: &random)
      if roll == 7 { unit = "" }
      if roll == 8 {
        text += lineEnd
        continue
      }
      let extra = roll == 9 ? ",surplus" : ""
      text += "\(unit),\(variant),\(segment),\(converted),\(revenue),\(orders),\(orders + index % 3)\(extra)\(lineEnd)"
    }
    return text
  }

  static func options(chunkSize: Int, threads: Int, strict: Bool = false) -> DataReadOptions {
    var options = DataReadOptions(strict: strict, threads: threads)
    options.chunkSize = chunkSize
    return options
  }

  /// Reads with each number of threads, expects identical summaries, and returns the one.
  static func readAgreeing(_ paths: [String], chunkSize: Int, threads: [Int] = [1, 2, 3, 8]) throws -> DataSummary {
    let first = try DataReader.read(paths: paths, plan: plan, options: options(chunkSize: chunkSize, threads: 1))
    for count in threads.dropFirst() {
      let other = try DataReader.read(paths: paths, plan: plan, options: options(chunkSize: chunkSize, threads: count))
      #expect(other == first, "chunk size \(chunkSize): \(count) threads differ from 1")
    }
    return first
  }

  static func expectSameAccount(_ x: DataSummary, _ y: DataSummary, _ label: String) {
    #expect(x.issues == y.issues, "\(label): \(x.issues) vs \(y.issues)")
    #expect(x.rowsRead == y.rowsRead && x.rowsUsed == y.rowsUsed && x.bytes == y.bytes, "\(label)")
    CellSourcesTests.expectSameCells(x.statistics, y.statistics, label)
  }

  @Test("any number of threads gives the same summary, and the account of the whole file")
  func threadCountsAgree() throws {
    let text = Self.messyCSV(rows: 3000, seed: 17)
    let path = try CellSourcesTests.write(text)
    let whole = try Self.readAgreeing([path], chunkSize: 1 << 30, threads: [1, 4])
    #expect(whole.issues.entries[.duplicateUnit]?.count ?? 0 > 50)
    for chunkSize in [64, 1000, 4096] {
      let chunks = try DataChunks.ranges(path: path, data: 0..<text.utf8.count, chunkSize: chunkSize)
      #expect(chunks.count > 1 && chunks.count >= text.utf8.count / (chunkSize + 64))
      let chunked = try Self.readAgreeing([path], chunkSize: chunkSize)
      Self.expectSameAccount(chunked, whole, "chunk size \(chunkSize)")
    }
  }

  @Test("chunk boundaries at every byte: inside a CRLF, on a line end, inside a quoted line end")
  func boundariesEverywhere() throws {
    for (lineEnd, quoted) in [("\r\n", false), ("\n", true), ("\r\n", true)] {
      let text = Self.messyCSV(rows: 60, seed: 5, lineEnd: lineEnd, quoted: quoted)
      let path = try CellSourcesTests.write(text)
      let whole = try Self.readAgreeing([path], chunkSize: 1 << 30, threads: [1])
      for chunkSize in Array(1...160) + [500, 1000, text.utf8.count - 1, text.utf8.count] {
        let chunked = try Self.readAgreeing([path], chunkSize: chunkSize, threads: [1, 3])
        Self.expectSameAccount(chunked, whole, "\(lineEnd == "\n" ? "LF" : "CRLF") chunk size \(chunkSize)")
      }
    }
  }

  @Test("strict reading reports the first bad row of the file, with its line, wherever the chunks fall")
  func strictFirstError() throws {
    func rows(_ count: Int, replacing: [Int: String]) -> String {
      var text = "unit_id,variant,segment,converted,revenue,orders,items\n"
      for index in 0..<count { text += replacing[index] ?? "u\(index),control,north,1,2.5,1,2\n" }
      return text
    }
    let cases: [(String, [Int: String], Int, String)] = [
      (
        "a repeat in a later chunk before a bad number",
        [250: "u3,control,north,1,1,1,1\n", 260: "u260,control,north,x,1,1,1\n"], 252, "repeats unit \"u3\""
      ),
      (
        "a bad number before a repeat", [250: "u250,control,north,x,1,1,1\n", 260: "u3,control,north,1,1,1,1\n"], 252,
        "\"x\" for metric"
      ),
      ("a repeat within one chunk", [101: "u100,treatment,south,0,1,1,1\n"], 103, "repeats unit \"u100\""),
      ("an unknown variant in the last row", [399: "u399,holdout,north,0,1,1,1\n"], 401, "unknown variant"),
    ]
    for (label, replacing, line, phrase) in cases {
      let path = try CellSourcesTests.write(rows(400, replacing: replacing))
      for chunkSize in [1 << 30, 100, 1000, 3000] {
        for threads in [1, 2, 8] {
          do {
            _ = try DataReader.read(
              paths: [path], plan: Self.plan,
              options: Self.options(chunkSize: chunkSize, threads: threads, strict: true))
            Issue.record("\(label): no error")
          } catch let error as DataError {
            #expect(error.line == line, "\(label), chunk size \(chunkSize), \(threads) threads: \(error)")
            #expect(error.message.contains(phrase), "\(label): \(error)")
          }
        }
      }
    }
  }

  @Test("issue line numbers are the file's across chunks")
  func lineNumbersAcrossChunks() throws {
    var text = "unit_id,variant,segment,converted,revenue,orders,items\n"
    for index in 0..<500 {
      text += index % 97 == 40 ? "u\(index),holdout,north,1,1,1,1\n" : "u\(index),control,west,0,3,1,1\n"
      if index % 50 == 0 { text += "\n" }
    }
    let summary = try Self.readAgreeing([try CellSourcesTests.write(text)], chunkSize: 700)
    // Row i sits on line i + 2 plus one blank line per 50 rows before it (after rows 0, 50, ...).
    let expected = [40, 137, 234, 331, 428].map { $0 + 2 + ($0 / 50 + 1) }
    #expect(summary.issues.entries[.unknownVariant]?.firstLines == expected)
  }

  @Test("a file within one chunk reads exactly as the sequential reader reads a pipe")
  func singleChunkIsExact() throws {
    let text = Self.messyCSV(rows: 2000, seed: 3, quoted: true)
    let regular = try DataReader.read(paths: [try CellSourcesTests.write(text)], plan: Self.plan)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-fifo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let fifo = directory.appendingPathComponent("data.csv").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let writer = Thread {
      let handle = FileHandle(forWritingAtPath: fifo)
      handle?.write(Data(text.utf8))
      try? handle?.close()
    }
    writer.start()
    let piped = try DataReader.read(paths: [fifo], plan: Self.plan, options: DataReadOptions(threads: 4))
    #expect(piped.statistics == regular.statistics)
    #expect(piped.issues == regular.issues && piped.rowsRead == regular.rowsRead && piped.bytes == regular.bytes)
  }

  @Test("several files share one exact duplicate check when read in chunks")
  func partsShareTheCheck() throws {
    let first = try CellSourcesTests.write(Self.messyCSV(rows: 800, seed: 11))
    let second = try CellSourcesTests.write(Self.messyCSV(rows: 900, seed: 12), name: "second.csv")
    let whole = try Self.readAgreeing([first, second], chunkSize: 1 << 30, threads: [1])
    let chunked = try Self.readAgreeing([first, second], chunkSize: 512)
    Self.expectSameAccount(chunked, whole, "two parts")
    #expect(chunked.issues.entries[.duplicateUnit]?.count ?? 0 > 500)  // the second file repeats u0…u799
  }

  @Test("a cell table emptied for the next chunk equals a fresh one")
  func emptiedTableIsFresh() {
    let fresh = SufficientStatistics(variantCount: 2, segmentCount: 3, metricCount: 2, pairCount: 1)
    var table = fresh
    table.addUnit(variant: 1, segment: 2)
    table.add(3.5, metric: 1, variant: 1, segment: 2)
    table.addMissing(metric: 0, variant: 0, segment: 1)
    table.addZeroFilled(metric: 0, variant: 1, segment: 0)
    table.add(1, 2, pair: 0, variant: 0, segment: 0)
    #expect(table != fresh)
    table.reset()
    #expect(table == fresh)
  }

  @Test("chunks cover the data and end after a line end")
  func chunkRanges() throws {
    let text = "h\nab\r\ncd\n\nefghij\nk"
    let path = try CellSourcesTests.write(text)
    let bytes = Array(text.utf8)
    for chunkSize in 1...bytes.count + 1 {
      let ranges = try DataChunks.ranges(path: path, data: 2..<bytes.count, chunkSize: chunkSize)
      #expect(ranges.first?.lowerBound == 2 && ranges.last?.upperBound == bytes.count)
      for (range, next) in zip(ranges, ranges.dropFirst()) {
        #expect(range.upperBound == next.lowerBound && bytes[range.upperBound - 1] == UInt8(ascii: "\n"))
        #expect(range.count >= chunkSize)
      }
    }
  }
}
