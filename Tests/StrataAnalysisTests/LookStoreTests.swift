import Foundation
import StrataAnalysis
import Testing

/// The `LookStore` seam: the file log and the in-memory store behave alike; the file log reads CRLF logs and
/// non-finite numbers, rejects absurd look numbers with file:line, and keeps its format byte for byte.
@Suite("Look stores")
struct LookStoreTests {
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lookstore-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  static func record(_ look: Int, rows: Int = 100, fraction: Double? = 0.5) -> LookRecord {
    LookRecord(
      look: look, timestamp: "2026-09-21T14:13:20Z", fingerprint: "f\(look)-\(rows)", rowsUsed: rows,
      unitsPerVariant: ["control": rows / 2, "treatment": rows - rows / 2], informationFraction: fraction,
      comparisons: [
        LookRecord.Entry(
          metric: "converted", treatment: "treatment", segment: nil, estimate: 0.01, variance: 0.0004,
          informationFraction: fraction)
      ], action: "continue")
  }

  func stores() throws -> [any LookStore] {
    [try LookLog(url: directory.appendingPathComponent("looks-\(UUID().uuidString).jsonl")), InMemoryLookStore()]
  }

  @Test("append, list, replace the latest, drop the latest: the same on every store")
  func protocolSemantics() throws {
    for store in try stores() {
      #expect(try store.list().isEmpty && store.latest() == nil)
      try store.append(Self.record(1))
      try store.append(Self.record(2))
      #expect(try store.list().map(\.look) == [1, 2])
      // A new look must be above the latest; only the latest can be replaced.
      #expect(throws: LookStoreError.self) { try store.append(Self.record(2, rows: 300)) }
      #expect(throws: LookStoreError.self) { try store.replaceLatest(with: Self.record(1, rows: 300)) }
      try store.replaceLatest(with: Self.record(2, rows: 300))
      #expect(try store.list().map(\.rowsUsed) == [100, 300])
      #expect(try store.dropLatest()?.rowsUsed == 300)
      #expect(try store.list().map(\.look) == [1])
      #expect(try store.withExclusiveAccess { try store.dropLatest()?.look } == 1)
      #expect(try store.dropLatest() == nil)
    }
  }

  @Test("the file log keeps replaced records as history and drops every record of the dropped look")
  func fileHistory() throws {
    let url = directory.appendingPathComponent("looks.jsonl")
    let log = try LookLog(url: url)
    try log.append(Self.record(1))
    try log.replaceLatest(with: Self.record(1, rows: 120))
    try log.append(Self.record(2))
    #expect(try log.history().map(\.rowsUsed) == [100, 120, 100])
    let before = try Data(contentsOf: url)
    try log.append(Self.record(3))
    let after = try Data(contentsOf: url)
    #expect(after.prefix(before.count) == before)  // earlier lines byte for byte
    _ = try log.dropLatest()
    #expect(try Data(contentsOf: url) == before)
  }

  @Test("item 13: a log with CRLF line ends reads; its lines stay as they were when a look is added")
  func crlfLogsRead() throws {
    let url = directory.appendingPathComponent("crlf.jsonl")
    let log = try LookLog(url: url)
    try log.append(Self.record(1))
    try log.append(Self.record(2))
    let unix = try String(contentsOf: url, encoding: .utf8)
    let windows = unix.replacingOccurrences(of: "\n", with: "\r\n")
    try windows.write(to: url, atomically: false, encoding: .utf8)
    let reread = try LookLog(url: url)
    #expect(try reread.list() == [Self.record(1), Self.record(2)])
    try reread.append(Self.record(3))
    let text = try String(contentsOf: url, encoding: .utf8)
    #expect(text.hasPrefix(windows))
    #expect(try LookLog(url: url).list().map(\.look) == [1, 2, 3])
  }

  @Test("item 13: a record holding non-finite numbers reads back as it was written")
  func nonFiniteNumbersReadBack() throws {
    let url = directory.appendingPathComponent("nonfinite.jsonl")
    let log = try LookLog(url: url)
    var record = Self.record(1, fraction: .infinity)
    record.comparisons[0].estimate = .nan
    record.comparisons[0].z = -.infinity
    try log.append(record)
    let read = try #require(try LookLog(url: url).list().first)
    #expect(read.informationFraction == .infinity)
    #expect(read.comparisons[0].estimate.isNaN && read.comparisons[0].z == -.infinity)
    #expect(read.comparisons[0].informationFraction == .infinity)
  }

  @Test("item 8: an absurd look number in a log is invalid input naming file and line")
  func absurdLookNumbersAreRejected() throws {
    let url = directory.appendingPathComponent("absurd.jsonl")
    let log = try LookLog(url: url)
    try log.append(Self.record(1))
    var text = try String(contentsOf: url, encoding: .utf8)
    text += text.replacingOccurrences(of: "\"look\":1,", with: "\"look\":9223372036854775807,")
    try text.write(to: url, atomically: false, encoding: .utf8)
    #expect(text.contains("9223372036854775807"))
    #expect {
      _ = try LookLog(url: url)
    } throws: { error in
      guard let error = error as? DataError else { return false }
      return error.file == url.path && error.line == 2 && error.message.contains("beyond the largest look")
    }
    // A plan's bound is tighter: look 200 is fine for the file, not for a 3-look plan (3 + 100).
    try text.replacingOccurrences(of: "9223372036854775807", with: "200").write(
      to: url, atomically: false, encoding: .utf8)
    #expect(try LookLog(url: url).list().map(\.look) == [1, 200])
    #expect(throws: DataError.self) { try LookLog(url: url, maximumLook: 103) }
  }

  @Test("the line format is unchanged: sorted snake_case keys, one object per line")
  func lineFormatIsStable() throws {
    let url = directory.appendingPathComponent("format.jsonl")
    try LookLog(url: url).append(Self.record(1))
    let expected =
      #"{"action":"continue","comparisons":[{"estimate":0.01,"information_fraction":0.5,"metric":"converted","#
      + #""treatment":"treatment","variance":0.0004,"z":0.5}],"fingerprint":"f1-100","information_fraction":0.5,"#
      + #""look":1,"rows_used":100,"timestamp":"2026-09-21T14:13:20Z","units_per_variant":{"control":50,"#
      + #""treatment":50}}"# + "\n"
    #expect(try String(contentsOf: url, encoding: .utf8) == expected)
  }
}
