import Foundation
import StrataTestSupport
import Testing

/// `strata analyze --data A B ...`: the parts of one data set merge exactly; layouts cannot be mixed.
@Suite("strata analyze with several data files")
struct AnalyzeSeveralFilesCLITests {
  static let experiment = AnalyzeCommandTests.experiment
  static let data = AnalyzeCommandTests.data

  /// Splits the bundled unit-level data into two parts in a fresh directory.
  static func parts() throws -> (String, String) {
    let lines = try String(contentsOfFile: data, encoding: .utf8).split(
      separator: "\n", omittingEmptySubsequences: false)
    let header = lines[0]
    let body = lines[1...].filter { !$0.isEmpty }
    let directory = try makeTemporaryDirectory("strata-parts")
    let half = body.count / 2
    let first = directory.appendingPathComponent("part1.csv"), second = directory.appendingPathComponent("part2.csv")
    try ([header] + body[..<(body.startIndex + half)]).joined(separator: "\n").appending("\n").write(
      to: first, atomically: true, encoding: .utf8)
    try ([header] + body[(body.startIndex + half)...]).joined(separator: "\n").appending("\n").write(
      to: second, atomically: true, encoding: .utf8)
    return (first.path, second.path)
  }

  @Test func partsGiveTheWholeFilesResults() throws {
    let (first, second) = try Self.parts()
    let whole = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--json",
    ])
    let split = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", first, second, "--no-look-log", "--json",
    ])
    #expect(whole.status == 0 && split.status == 0, "\(split.stderr)")
    let a = try whole.json(), b = try split.json()
    let dataA = try #require(a["data"] as? [String: Any]), dataB = try #require(b["data"] as? [String: Any])
    #expect(dataB["files"] as? [String] == [first, second])
    #expect(dataB["file"] as? String == "\(first), \(second)")
    #expect(dataA["files"] as? [String] == [Self.data])
    for key in ["rows_read", "rows_used", "rows_dropped", "units_total"] {
      #expect(dataA[key] as? Int == dataB[key] as? Int, "\(key)")
    }
    let resultsA = try #require(a["results"] as? [[String: Any]]),
      resultsB = try #require(b["results"] as? [[String: Any]])
    #expect(resultsA.count == resultsB.count)
    for (x, y) in zip(resultsA, resultsB) {
      for key in ["p_value", "lift_abs", "ci_abs_low", "ci_abs_high"] {
        let u = try #require(x[key] as? Double), v = try #require(y[key] as? Double)
        #expect(isClose(u, v, relativeTolerance: 1e-9, absoluteTolerance: 1e-15), "\(key): \(u) vs \(v)")
      }
    }
    // The reports name every part.
    let reports = URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("reports")
    let written = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", first, second, "--no-look-log", "--report", reports.path,
    ])
    #expect(written.status == 0, "\(written.stderr)")
    let markdown = try String(contentsOf: reports.appendingPathComponent("gym-renewal-2026.md"), encoding: .utf8)
    #expect(markdown.contains("data `part1.csv, part2.csv`"))
    let metrics = try #require((a["experiment"] as? [String: Any])?["metrics"] as? [[String: Any]])
    #expect(metrics.map { $0["direction"] as? String } == ["increase", "increase"])
  }

  @Test func mixedLayoutsAreRefusedNamingTheFile() throws {
    let (first, _) = try Self.parts()
    let aggregated = URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("cells.csv")
    try "variant,segment,n,renewed_sum,revenue_sum,revenue_sum_sq\ncontrol,high,10,2,100,2000\n".write(
      to: aggregated, atomically: true, encoding: .utf8)
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", first, "--data", aggregated.path, "--no-look-log",
    ])
    #expect(run.status == 1)
    #expect(run.stderr.contains("\(aggregated.path):1:") && run.stderr.contains("share one layout"), "\(run.stderr)")
  }

  @Test func dataIsRequired() throws {
    let run = try runStrata(["analyze", "--experiment", Self.experiment, "--no-look-log"])
    #expect(run.status == 64, "\(run.stderr)")
  }
}
