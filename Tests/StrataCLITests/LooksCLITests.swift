import Foundation
import StrataTestSupport
import Testing

/// Re-running `strata analyze` on corrected data, `strata looks list|drop`, and bounded look numbers (issue 10:
/// the first run's looks, items 8 and 13).
@Suite("strata looks and look bookkeeping")
struct LooksCLITests {
  static let experiment = AnalyzeCommandTests.experiment
  static let data = AnalyzeCommandTests.data

  let directory: URL

  init() throws {
    directory = try makeTemporaryDirectory("strata-looks")
  }

  func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// The bundled data cut to its header and first `rows` rows (a smaller, earlier look).
  func dataFile(rows: Int, name: String) throws -> String {
    let lines = try String(contentsOfFile: Self.data, encoding: .utf8).split(separator: "\n")
    try (lines.prefix(rows + 1).joined(separator: "\n") + "\n").write(
      toFile: path(name), atomically: false, encoding: .utf8)
    return path(name)
  }

  func analyze(_ data: String, _ extra: [String] = []) throws -> StrataRun {
    try runStrata(
      ["analyze", "--experiment", Self.experiment, "--data", data, "--look-log", path("gym.looks.jsonl")] + extra)
  }

  func logLines() throws -> [Substring] {
    try String(contentsOfFile: path("gym.looks.jsonl"), encoding: .utf8).split(separator: "\n")
  }

  @Test("fix-and-rerun: each run says which look it recorded and how to replace or undo it")
  func correctedDataReplacesTheLatestLook() throws {
    let early = try dataFile(rows: 12_000, name: "early.csv")
    let first = try analyze(early)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("Recorded look 1 of 3 in \(path("gym.looks.jsonl"))."), "\(first.stdout)")
    #expect(first.stdout.contains("Re-run with --look 1 to replace it instead of adding look 2."))
    #expect(first.stdout.contains("Undo: strata looks drop --look-log \(path("gym.looks.jsonl")) --look 1"))
    // The data is fixed (a few rows more): --look 1 replaces look 1 instead of consuming look 2.
    let fixed = try dataFile(rows: 12_100, name: "fixed.csv")
    let replaced = try analyze(fixed, ["--look", "1"])
    #expect(replaced.status == 0, "\(replaced.stderr)")
    #expect(replaced.stdout.contains("Replaced look 1 of 3 in"), "\(replaced.stdout)")
    #expect(replaced.stdout.contains("Sequential look 1 of 3"))
    #expect(try logLines().count == 2)
    let list = try runStrata(["looks", "list", "--look-log", path("gym.looks.jsonl"), "--json"])
    #expect(list.status == 0, "\(list.stderr)")
    let looks = try #require(try list.json()["looks"] as? [[String: Any]])
    #expect(looks.count == 1 && looks[0]["look"] as? Int == 1 && looks[0]["replaced"] as? Int == 1)
    #expect((looks[0]["rows_used"] as? Int ?? 0) > 12_050)  // the fixed data, not the first (12,000 rows)
    // The same data again records nothing; --json keeps stdout one object and says so on stderr.
    let again = try analyze(fixed, ["--json"])
    #expect(again.status == 0)
    #expect(again.stderr.contains("already recorded"), "\(again.stderr)")
    #expect(try again.json()["look"] != nil)
    // Look 2, then undone.
    let second = try analyze(Self.data)
    #expect(second.stdout.contains("Recorded look 2 of 3"), "\(second.stdout)")
    let refused = try runStrata(["looks", "drop", "--look-log", path("gym.looks.jsonl"), "--look", "1"])
    #expect(refused.status == 1 && refused.stderr.contains("only the latest look can be dropped"))
    let before = try logLines()
    let drop = try runStrata(["looks", "drop", "--look-log", path("gym.looks.jsonl"), "--look", "2"])
    #expect(drop.status == 0, "\(drop.stderr)")
    #expect(drop.stdout.contains("Dropped look 2") && drop.stdout.contains("the latest look is now 1"))
    #expect(try logLines() == Array(before.prefix(2)))
    // Replacing an earlier look while later ones exist is refused.
    _ = try analyze(Self.data)
    let earlier = try analyze(early, ["--look", "1"])
    #expect(earlier.status == 1 && earlier.stderr.contains("only the latest look can be replaced"), "\(earlier.stderr)")
  }

  @Test("a look with fewer units than the previous one warns on stderr")
  func fewerUnitsWarn() throws {
    #expect(try analyze(Self.data).status == 0)
    let smaller = try analyze(try dataFile(rows: 5_000, name: "smaller.csv"))
    #expect(smaller.status == 0)
    #expect(smaller.stderr.contains("strata: warning: look 2 has"), "\(smaller.stderr)")
    #expect(smaller.stderr.contains("fewer than the"))
  }

  @Test("item 8: --look is bounded by the plan; an absurd look in a log is file:line, never a trap")
  func absurdLooks() throws {
    let huge = try analyze(Self.data, ["--look", "9223372036854775807"])
    #expect(huge.status == 1)
    #expect(huge.stderr.contains("--look must be at most 103"), "\(huge.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("gym.looks.jsonl")))
    #expect(try analyze(Self.data, ["--look", "103"]).status == 0)
    // A log carrying an absurd look (written by an older version or by hand): exit 1 naming file:line.
    var text = try String(contentsOfFile: path("gym.looks.jsonl"), encoding: .utf8)
    text = text.replacingOccurrences(of: "\"look\":103,", with: "\"look\":9223372036854775807,")
    try text.write(toFile: path("gym.looks.jsonl"), atomically: false, encoding: .utf8)
    let trapped = try analyze(try dataFile(rows: 9_000, name: "other.csv"))
    #expect(trapped.status == 1, "\(trapped.stderr)")
    #expect(trapped.stderr.contains("gym.looks.jsonl:1:"), "\(trapped.stderr)")
    let listed = try runStrata(["looks", "list", "--look-log", path("gym.looks.jsonl")])
    #expect(listed.status == 1 && listed.stderr.contains("gym.looks.jsonl:1:"))
  }

  @Test("item 13: analyze reads a CRLF look log")
  func crlfLog() throws {
    #expect(try analyze(try dataFile(rows: 9_000, name: "week1.csv")).status == 0)
    #expect(try analyze(try dataFile(rows: 15_000, name: "week2.csv")).status == 0)
    let text = try String(contentsOfFile: path("gym.looks.jsonl"), encoding: .utf8)
    try text.replacingOccurrences(of: "\n", with: "\r\n").write(
      toFile: path("gym.looks.jsonl"), atomically: false, encoding: .utf8)
    let third = try analyze(Self.data)
    #expect(third.status == 0, "\(third.stderr)")
    #expect(third.stdout.contains("Sequential look 3 of 3"), "\(third.stdout)")
  }

  @Test("usage: looks needs a log; a log that is not there is exit 1; the log cannot be the data")
  func usage() throws {
    #expect(try runStrata(["looks", "list"]).status == 64)
    #expect(try runStrata(["looks", "list", "--data", "a.csv", "--look-log", "b"]).status == 64)
    #expect(try runStrata(["looks", "drop", "--look-log", path("x.jsonl")]).status == 64)  // --look required
    let missing = try runStrata(["looks", "list", "--look-log", path("none.jsonl")])
    #expect(missing.status == 1 && missing.stderr.contains("no such look log"))
    let copy = path("data.csv")
    try FileManager.default.copyItem(atPath: Self.data, toPath: copy)
    let sameFile = try runStrata(
      ["analyze", "--experiment", Self.experiment, "--data", copy, "--look-log", directory.path + "/./data.csv"])
    #expect(sameFile.status == 1 && sameFile.stderr.contains("is the same file as --data"), "\(sameFile.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(contentsOf: URL(fileURLWithPath: Self.data)))
  }

  /// The undo command names the log as one shell word even when its name has a `'` followed by a combining mark
  /// (one `Character` that is not `'`: quoted by `Character`, the `'` was left single and the shell read on past it).
  @Test("the undo command's log path survives the shell: a quote beside a combining mark")
  func undoCommandQuotesOddPaths() throws {
    let log = path("it'\u{301}s; echo oops.jsonl")
    let run = try runStrata(["analyze", "--experiment", Self.experiment, "--data", Self.data, "--look-log", log])
    #expect(run.status == 0, "\(run.stderr)")
    let prefix = "  Recorded by mistake? Undo: strata looks drop --look-log "
    let line = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix(prefix) }, "\(run.stdout)")
    let word = String(line.dropFirst(prefix.count).dropLast(" --look 1".count))
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/sh")
    shell.arguments = ["-c", "printf %s " + word]
    let output = Pipe()
    shell.standardOutput = output
    shell.standardError = FileHandle.nullDevice
    try shell.run()
    let printed = output.fileHandleForReading.readDataToEndOfFile()
    shell.waitUntilExit()
    #expect(shell.terminationStatus == 0 && String(decoding: printed, as: UTF8.self) == log, "\(word)")
  }
}
